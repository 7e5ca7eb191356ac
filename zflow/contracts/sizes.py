"""Image sizes: aspect names like "3:4" or explicit "WxH", turned into pixel sizes.

The rule for sizes a model renders (scenes, series, ``Edit.outpaint``): an aspect is rounded to sides that are
multiples of 16; an explicit ``WxH`` whose sides are not multiples of 16 is refused when the recipe loads, with the
nearest size that is ("1000x1001 is not a multiple of 16; use 1008x1008"). Export sizes, which no model renders, are
taken as given."""
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
    return _multiples(width, height)


def _multiples(width: int, height: int) -> tuple[int, int]:
    """An explicit size whose sides are multiples of 16; ValueError naming the nearest one otherwise."""
    if width % MULTIPLE or height % MULTIPLE:
        near = [min(MAX_SIDE, max(MIN_SIDE, (side + MULTIPLE // 2) // MULTIPLE * MULTIPLE)) for side in (width, height)]
        raise ValueError(f"{width}x{height} is not a multiple of {MULTIPLE}; use {near[0]}x{near[1]} "
                         f"(a model renders sides that are multiples of {MULTIPLE})")
    return width, height


def _round(value: float) -> int:
    return max(MULTIPLE, int(round(value / MULTIPLE)) * MULTIPLE)
