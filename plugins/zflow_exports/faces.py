"""Faces found in pixels: OpenCV's frontal-face Haar cascade, the model file that ships inside its wheel."""
from __future__ import annotations

import importlib.util
from functools import lru_cache

from PIL import Image

from .common import Box

#: The cascade file in ``cv2.data.haarcascades`` (opencv-python-headless 4.x bundles it; the 5.0 wheel does not).
CASCADE = "haarcascade_frontalface_default.xml"
#: Detection runs on a copy at most this many px a side: Haar features are scale-free, and 1024 px keeps a
#: 1-megapixel render under ~0.3 s on one core (measured: 0.16 s at 512 px) (our choice).
MAX_SIDE = 1024
#: OpenCV's documented defaults for the frontal cascade: scale step 1.1, 5 neighbours; faces smaller than 1/20 of
#: the short side are too small to frame, title around or point a balloon at (our choice).
SCALE_STEP, NEIGHBOURS, MIN_SHARE = 1.1, 5, 1 / 20


def available() -> bool:
    """Whether OpenCV is installed (``pip install 'zflow[faces]'``)."""
    return importlib.util.find_spec("cv2") is not None


@lru_cache(maxsize=1)
def _cascade():
    import cv2

    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + CASCADE)
    if cascade.empty():
        raise RuntimeError(f"OpenCV could not load {cv2.data.haarcascades + CASCADE}: use opencv-python-headless<5, "
                           "whose wheel ships the Haar cascades")
    return cascade


def detect(img: Image.Image) -> list[Box]:
    """Boxes (image px) of the frontal faces in the image, largest first; [] when OpenCV is not installed."""
    if not available():
        return []
    import numpy

    k = min(1.0, MAX_SIDE / max(img.size))
    small = img.convert("L")
    if k < 1.0:
        small = small.resize((round(img.width * k), round(img.height * k)), Image.Resampling.BILINEAR)
    side = max(24, round(min(small.size) * MIN_SHARE))
    found = _cascade().detectMultiScale(numpy.asarray(small), scaleFactor=SCALE_STEP, minNeighbors=NEIGHBOURS,
                                        minSize=(side, side))
    boxes = [(x / k, y / k, (x + w) / k, (y + h) / k) for x, y, w, h in (tuple(map(int, f)) for f in found)]
    return sorted(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)
