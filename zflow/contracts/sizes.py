"""Image sizes: aspect names like "3:4" or explicit "WxH", turned into pixel sizes."""
from __future__ import annotations

import math
import re
from functools import lru_cache

#: Pixel budget of an aspect-named size (about one megapixel, the Z-Image sweet spot).
BASE_PIXELS = 1024 * 1024
#: Every side is a multiple of this (what the Z-Image VAE accepts).
MULTIPLE = 16
MIN_SIDE, MAX_SIDE = 16, 4096

_WXH = re.compile(r"^\s*(\d+)\s*[xX×]\s*(\d+)\s*$")
_ASPECT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$")


def parse_size(size: str | tuple[int, int], base_pixels: int = BASE_PIXELS) -> tuple[int, int]:
    """``"16:9"`` -> about ``base_pixels`` at that aspect; ``"800x600"`` -> (800, 600). Raises ValueError."""
    if isinstance(size, list):
        size = tuple(size)
    return _parse_size(size, base_pixels)


@lru_cache(maxsize=256)
def _parse_size(size: str | tuple[int, int], base_pixels: int) -> tuple[int, int]:
    if isinstance(size, tuple) and len(size) == 2 and all(isinstance(v, int) for v in size):
        width, height = size
    elif isinstance(size, str) and (m := _WXH.match(size)):
        width, height = int(m.group(1)), int(m.group(2))
    elif isinstance(size, str) and (m := _ASPECT.match(size)):
        aw, ah = float(m.group(1)), float(m.group(2))
        if aw <= 0 or ah <= 0:
            raise ValueError(f"impossible size {size!r}: an aspect needs two positive numbers")
        height = math.sqrt(base_pixels * ah / aw)
        width = height * aw / ah
        width, height = _round(width), _round(height)
    else:
        raise ValueError(f"impossible size {size!r}: write an aspect like \"3:4\" or pixels like \"832x1216\"")
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ValueError(f"impossible size {width}x{height}: each side must be {MIN_SIDE}-{MAX_SIDE} px")
    return width, height


def _round(value: float) -> int:
    return max(MULTIPLE, int(round(value / MULTIPLE)) * MULTIPLE)
