"""Fitting an image to a target size: crop around the subject, outpaint when the aspect is far, pad as a last resort."""
from __future__ import annotations

import math

from PIL import Image, ImageFilter, ImageOps

from .common import Box

LANCZOS = Image.Resampling.LANCZOS
#: A crop may drop at most 30% of the source's area; beyond that the export asks the Edit stage for an outpaint.
#: (Our choice: 1:1 -> 4:5 keeps 80% and crops; 1:1 -> 16:9 keeps 56% and outpaints.)
MIN_KEPT = 0.7
#: Outpaint canvases are multiples of 16 px, at most 4096 px a side (zflow.dsl.sizes: what the Z-Image VAE accepts).
MULTIPLE, MAX_SIDE = 16, 4096
#: Downscale in two steps (reduce, then LANCZOS) when shrinking by at least this factor: spec sheet section 6,
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


def crop_window(size: tuple[int, int], target: tuple[int, int], keep: Box | None, safe: Box) -> Box | None:
    """The largest window of the target's aspect inside the image, placing ``keep`` in the (target-px) safe zone.

    None when ``keep`` cannot fit in such a window (cropping would cut the subject).
    """
    w, h = size
    rt = target[0] / target[1]
    cw, ch = (h * rt, h) if w / h > rt else (w, w / rt)
    k = cw / target[0]
    sx0, sy0, sx1, sy1 = (v * k for v in safe)
    if keep is None:
        keep = (w / 2, h / 2, w / 2, h / 2)
    if keep[2] - keep[0] > cw + 0.5 or keep[3] - keep[1] > ch + 0.5:
        return None
    x = _place(keep[0], keep[2], sx0, sx1, cw, w)
    y = _place(keep[1], keep[3], sy0, sy1, ch, h)
    return (x, y, x + cw, y + ch)


def _place(k0: float, k1: float, s0: float, s1: float, window: float, full: float) -> float:
    """The window's start on one axis: the kept span centred on the safe span, inside it when it fits, in the image."""
    start = (k0 + k1) / 2 - (s0 + s1) / 2
    if k1 - k0 <= s1 - s0:
        start = min(max(start, k1 - s1), k0 - s0)
    start = min(max(start, k1 - window), k0)
    return min(max(start, 0.0), full - window)


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
