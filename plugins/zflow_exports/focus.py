"""Where the subject is: face and focus boxes from provenance, else a frequency-tuned saliency box."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from PIL import Image, ImageCms, ImageFilter

from .common import Box

#: Width the saliency map is computed at: the subject's scale, not texture, matters, and 64 px costs about a
#: millisecond (our choice, after Hou & Zhang's 64-px maps).
SALIENCY_WIDTH = 64
#: Pixels above this multiple of the mean saliency belong to the subject: Achanta et al.'s adaptive threshold
#: ("Frequency-tuned salient region detection", CVPR 2009).
OBJECT_THRESHOLD = 2.0
#: Pillow's LAB mode keeps a* and b* as signed bytes, hence the int8 view below.
_LAB = ImageCms.buildTransform(ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB"), "RGB", "LAB")


def union(boxes: list[Box]) -> Box:
    """The smallest box holding every box."""
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def required_boxes(meta: Mapping[str, Any]) -> list[Box]:
    """Boxes that must stay in frame, strictest first: faces with the focus box, then faces alone, then focus alone."""
    faces = [_box(b) for b in meta.get("faces") or []]
    focus = [_box(meta["focus"])] if meta.get("focus") else []
    options = [union(faces + focus)] if faces and focus else []
    options += [union(b) for b in (faces, focus) if b]
    return options


def saliency_box(img: Image.Image) -> Box:
    """The box of the salient region, in the image's pixels; the centre half when the image is flat.

    Frequency-tuned saliency (Achanta et al. 2009): each pixel's distance in CIELAB, after a small blur, from the
    image's mean colour; the subject is what stands out from the average.
    """
    w, h = img.size
    small_h = max(1, round(SALIENCY_WIDTH * h / w))
    small = img.convert("RGB").resize((SALIENCY_WIDTH, small_h), Image.Resampling.BILINEAR)
    raw = np.asarray(ImageCms.applyTransform(small.filter(ImageFilter.GaussianBlur(1)), _LAB))
    lab = np.concatenate([raw[..., :1].astype(np.float64), raw[..., 1:].view(np.int8).astype(np.float64)], axis=2)
    saliency = np.sqrt(((lab - lab.reshape(-1, 3).mean(axis=0)) ** 2).sum(axis=2))
    mask = saliency > OBJECT_THRESHOLD * saliency.mean()
    if not mask.any():
        return (w * 0.25, h * 0.25, w * 0.75, h * 0.75)
    ys, xs = np.nonzero(mask)
    weights = saliency[ys, xs]
    x0, x1 = _weighted_span(xs, weights)
    y0, y1 = _weighted_span(ys, weights)
    sx, sy = w / SALIENCY_WIDTH, h / small_h
    return (x0 * sx, y0 * sy, (x1 + 1) * sx, (y1 + 1) * sy)


def _weighted_span(values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """The 10th to 90th weighted percentile of positions: the object without stray salient pixels."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order]) / weights.sum()
    return float(values[order][np.searchsorted(cumulative, 0.1)]), float(values[order][np.searchsorted(cumulative, 0.9)])


def _box(value: Any) -> Box:
    x0, y0, x1, y1 = (float(v) for v in value)
    return (x0, y0, x1, y1)
