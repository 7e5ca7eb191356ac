"""Fitting an image to a target size: a window around the subject, outpaint canvases, pad as a last resort."""
from __future__ import annotations

import math

from PIL import Image, ImageFilter, ImageOps

from .common import Box

LANCZOS = Image.Resampling.LANCZOS
#: A crop may drop at most 30% of the source's area; beyond that the export asks the Edit stage for an outpaint.
#: (Our choice: 1:1 -> 4:5 keeps 80% and crops; 1:1 -> 16:9 keeps 56% and outpaints.)
MIN_KEPT = 0.7
#: Outpaint canvases are multiples of 16 px, at most 4096 px a side (zflow.contracts.sizes: what the Z-Image VAE accepts).
MULTIPLE, MAX_SIDE = 16, 4096
#: A window may zoom in at most this far from the largest one (our choice: past 3x a 1024-px render is upscaled
#: visibly on a 1920-px story), tried at this many scales.
MAX_ZOOM, ZOOM_STEPS = 3.0, 24
#: Downscale in two steps (reduce, then LANCZOS) when shrinking by at least this factor: docs/platforms.md, Encoding:
#: 4096 -> 800 px: 154 ms instead of 313 ms at 57.5 dB PSNR, visually identical.
REDUCING_GAP = 2.0


def kept_fraction(source: tuple[int, int], target: tuple[int, int]) -> float:
    """How much of the source's area the largest crop at the target's aspect keeps."""
    rs, rt = source[0] / source[1], target[0] / target[1]
    return min(rs, rt) / max(rs, rt)


def outpaint_canvas(source: tuple[int, int], target: tuple[int, int]) -> tuple[int, int]:
    """The smallest canvas at the target's aspect that holds the source (rounded up to the VAE multiple)."""
    (w, h), rt = source, target[0] / target[1]
    cw, ch = (h * rt, h) if rt > w / h else (w, w / rt)
    scale = min(1.0, MAX_SIDE / max(cw, ch))
    return (_up(cw * scale), _up(ch * scale))


def _up(value: float) -> int:
    return min(MAX_SIDE, int(math.ceil(value / MULTIPLE)) * MULTIPLE)


def fit_window(size: tuple[int, int], target: tuple[int, int], safe: Box, subject: Box, anchor: Box,
               share: float) -> tuple[Box, tuple[int, float]] | None:
    """The best window (image px) at the target's aspect, and its score (higher is better), or None.

    The window keeps ``anchor`` (the faces) whole, inside the target-px ``safe`` zone where it can, and ``subject``
    whole where it can (levels, best first: 3 both, 2 the subject cut, 1 the anchor outside the safe zone, 0 both),
    sized so the subject is ``share`` of the frame's height, as near as the image allows: crop in around the subject
    rather than show the whole image small.
    """
    w, h = size
    tw, th = target
    k_max = min(w / tw, h / th)  # image px per target px of the largest window
    k_min = k_max / MAX_ZOOM
    k_want = (subject[3] - subject[1]) / th / share if share > 0 and subject[3] > subject[1] else k_max
    best: tuple[Box, tuple[int, float]] | None = None
    for i in range(ZOOM_STEPS + 1):
        k = k_max * (k_min / k_max) ** (i / ZOOM_STEPS)
        for level in (3, 2, 1, 0):
            zone = safe if level >= 2 else (0, 0, tw, th)
            x = _span(anchor[0], anchor[2], subject[0], subject[2], zone[0] * k, zone[2] * k, tw * k, w, level % 2)
            y = _span(anchor[1], anchor[3], subject[1], subject[3], zone[1] * k, zone[3] * k, th * k, h, level % 2)
            if x is None or y is None:
                continue
            score = (level, -abs(math.log(k / k_want)))
            if best is None or score > best[1]:
                best = ((x, y, x + tw * k, y + th * k), score)
            break
    return best


def _span(a0: float, a1: float, f0: float, f1: float, s0: float, s1: float, window: float, full: float,
          whole: int) -> float | None:
    """The window's start on one axis: the anchor span inside the safe span, the subject span inside the window
    when ``whole``, the window inside the image; the subject centred on the safe span where that leaves room."""
    low, high = max(0.0, a1 - s1), min(full - window, a0 - s0)
    if whole:
        low, high = max(low, f1 - window), min(high, f0)
    if low > high + 0.5:
        return None
    return min(max((f0 + f1) / 2 - (s0 + s1) / 2, low), max(low, high))


def resize_box(img: Image.Image, target: tuple[int, int], box: Box) -> Image.Image:
    """The ``box`` of the image resized to ``target`` with LANCZOS."""
    shrink = (box[2] - box[0]) / target[0]
    gap = REDUCING_GAP if shrink >= REDUCING_GAP else None
    return img.resize(target, LANCZOS, box=box, reducing_gap=gap)


def padded(img: Image.Image, target: tuple[int, int]) -> Image.Image:
    """The whole image inside the target, over a blurred cover of itself: nothing of the subject is lost."""
    back = ImageOps.fit(img, target, LANCZOS).filter(ImageFilter.GaussianBlur(max(target) / 40))
    front = ImageOps.contain(img, target, LANCZOS)
    back.paste(front, ((target[0] - front.width) // 2, (target[1] - front.height) // 2))
    return back


def shifted(box: Box, dx: float, dy: float) -> Box:
    return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)
