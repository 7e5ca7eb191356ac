"""Where the subject is: face and focus boxes from the backend's metadata, else detected faces, else saliency."""
from __future__ import annotations

import math
from typing import Any, Mapping

from PIL import Image, ImageCms, ImageFilter

from .common import Box
from .faces import detect
from .placement import Head

#: Width the saliency map is computed at: the subject's scale, not texture, matters, and 64 px costs about a
#: millisecond (our choice, after Hou & Zhang's 64-px maps).
SALIENCY_WIDTH = 64
#: Pixels above this multiple of the mean saliency belong to the subject: Achanta et al.'s adaptive threshold
#: ("Frequency-tuned salient region detection", CVPR 2009).
OBJECT_THRESHOLD = 2.0
#: Pillow's LAB mode stores a* and b* with an offset of 128 (subtracted below).
_LAB = ImageCms.buildTransform(ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB"), "RGB", "LAB")


def union(boxes: list[Box]) -> Box:
    """The smallest box holding every box."""
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def heads(meta: Mapping[str, Any], img: Image.Image) -> list[Head]:
    """The image's faces and whose they are: the backend's boxes (``faces[i]`` belongs to ``cast[i]`` when the meta
    lists one name per face, as the preview backend does), else the faces OpenCV detects, unnamed."""
    if "faces" not in meta:
        return [Head(None, box) for box in detect(img)]
    boxes = [_box(b) for b in meta.get("faces") or []]
    names = [c.get("name") if isinstance(c, Mapping) else str(c) for c in meta.get("cast") or []]
    if len(names) != len(boxes):
        names = [None] * len(boxes)
    return [Head(name, box) for name, box in zip(names, boxes) if box[2] > box[0] and box[3] > box[1]]


def face_boxes(meta: Mapping[str, Any], img: Image.Image | None = None) -> list[Box]:
    """The backend's face boxes; without any record of faces, the faces detected in ``img``."""
    if "faces" not in meta:
        return detect(img) if img is not None else []
    return [b for b in (_box(f) for f in meta.get("faces") or []) if b[2] > b[0] and b[3] > b[1]]


def subject(meta: Mapping[str, Any], img: Image.Image) -> tuple[Box, Box]:
    """The subject's box and the faces' box, in that order of trust: the backend's faces and focus together (else the
    faces, else the focus), detected faces standing in for unrecorded ones, else the salient region; the faces' box
    is their union, or the subject's centre when there are none."""
    faces = face_boxes(meta, img)
    focus = [_box(meta["focus"])] if meta.get("focus") else []
    box = union(faces + focus) if faces or focus else saliency_box(img)
    if faces:
        return box, union(faces)
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return box, (cx, cy, cx, cy)


def saliency_box(img: Image.Image) -> Box:
    """The box of the salient region, in the image's pixels; the centre half when the image is flat.

    Frequency-tuned saliency (Achanta et al. 2009): each pixel's distance in CIELAB, after a small blur, from the
    image's mean colour; the subject is what stands out from the average. At 64 px wide this is a few thousand
    pixels, so plain Python does it in milliseconds.
    """
    w, h = img.size
    small_w, small_h = SALIENCY_WIDTH, max(1, round(SALIENCY_WIDTH * h / w))
    small = img.convert("RGB").resize((small_w, small_h), Image.Resampling.BILINEAR).filter(ImageFilter.GaussianBlur(1))
    lab = [(l, a - 128, b - 128) for l, a, b in ImageCms.applyTransform(small, _LAB).get_flattened_data()]
    mean = [sum(p[c] for p in lab) / len(lab) for c in range(3)]
    saliency = [math.dist(p, mean) for p in lab]
    threshold = OBJECT_THRESHOLD * sum(saliency) / len(saliency)
    hits = [(i % small_w, i // small_w, s) for i, s in enumerate(saliency) if s > threshold]
    if not hits:
        return (w * 0.25, h * 0.25, w * 0.75, h * 0.75)
    x0, x1 = _weighted_span([(x, s) for x, _, s in hits])
    y0, y1 = _weighted_span([(y, s) for _, y, s in hits])
    sx, sy = w / small_w, h / small_h
    return (x0 * sx, y0 * sy, (x1 + 1) * sx, (y1 + 1) * sy)


def _weighted_span(points: list[tuple[int, float]]) -> tuple[int, int]:
    """The 10th to 90th weighted percentile of positions: the subject without stray salient pixels."""
    points.sort()
    total = sum(s for _, s in points)
    low = high = None
    running = 0.0
    for position, weight in points:
        running += weight
        if low is None and running >= 0.1 * total:
            low = position
        if running >= 0.9 * total:
            high = position
            break
    return low if low is not None else points[0][0], high if high is not None else points[-1][0]


def _box(value: Any) -> Box:
    x0, y0, x1, y1 = (float(v) for v in value)
    return (x0, y0, x1, y1)
