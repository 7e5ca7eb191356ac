"""Where the subject is: face and focus boxes from provenance, else a spectral-residual saliency box."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from PIL import Image, ImageFilter

from .common import Box

#: Width the saliency map is computed at; Hou & Zhang (CVPR 2007, "Saliency detection: a spectral residual
#: approach") use 64 px: the method finds objects at that scale and costs about a millisecond there.
SALIENCY_WIDTH = 64
#: Pixels above this multiple of the mean saliency belong to the object (Hou & Zhang's object-map threshold).
OBJECT_THRESHOLD = 3.0


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
    """The box of the most salient region (spectral residual), in the image's pixels; the centre when flat."""
    w, h = img.size
    small_h = max(1, round(SALIENCY_WIDTH * h / w))
    gray = np.asarray(img.convert("L").resize((SALIENCY_WIDTH, small_h), Image.Resampling.BILINEAR), dtype=np.float64)
    spectrum = np.fft.fft2(gray)
    log_amplitude = np.log(np.abs(spectrum) + 1e-9)
    residual = log_amplitude - _box_blur(log_amplitude, 3)
    saliency = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(spectrum)))) ** 2
    scaled = Image.fromarray((255 * saliency / max(float(saliency.max()), 1e-12)).astype(np.uint8))
    saliency = np.asarray(scaled.filter(ImageFilter.GaussianBlur(2.5)), dtype=np.float64)
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


def _box_blur(values: np.ndarray, n: int) -> np.ndarray:
    """Mean over an n x n neighbourhood (edges wrap, as the spectrum does)."""
    out = np.zeros_like(values)
    for dy in range(-(n // 2), n // 2 + 1):
        for dx in range(-(n // 2), n // 2 + 1):
            out += np.roll(np.roll(values, dy, axis=0), dx, axis=1)
    return out / (n * n)


def _box(value: Any) -> Box:
    x0, y0, x1, y1 = (float(v) for v in value)
    return (x0, y0, x1, y1)
