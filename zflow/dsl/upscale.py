"""Upscale: a scene's finished image made larger (after refine and edits, before exports), first by a
super-resolution model file or Lanczos, then re-denoised tile by tile at low strength."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..contracts.upscaling import TIERS
from .names import check_size
from .registry import DeclarationError
from .source import Location, caller_location
from .values import File

SCALES = (2, 3, 4)


@dataclass(frozen=True, slots=True)
class Upscale:
    """``Upscale(scale=2)`` (2, 3 or 4 times each side) or ``Upscale(size="3840x2160")`` (exact pixels, or a tier:
    ``"2K"``, ``"4K"``); ``strength`` is how much each tile is re-denoised (0 for none), ``tile`` and ``overlap`` are
    the tiles' side and how far neighbours overlap (pixels of the output), ``upscaler`` a super-resolution model
    file for the first pass (spandrel: RealESRGAN, SwinIR, HAT, DAT, ...), else Lanczos."""

    scale: int | None = None
    size: str | None = None
    strength: float = 0.3
    tile: int = 1024
    overlap: int = 128
    upscaler: File | None = None
    where: Location = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __init__(self, scale: int | None = None, size: str | None = None, strength: float = 0.3, tile: int = 1024,
                 overlap: int = 128, upscaler: str | Path | None = None):
        where = caller_location()
        set_ = object.__setattr__
        set_(self, "where", where)
        if scale is not None and size is not None:
            raise DeclarationError("Upscale takes scale= or size=, not both", where)
        if scale is None and size is None:
            scale = 2
        if scale is not None and (isinstance(scale, bool) or scale not in SCALES):
            raise DeclarationError(f"Upscale scale={scale!r}: use 2, 3 or 4 (or size=\"3840x2160\")", where)
        if size is not None and size not in TIERS:
            if not isinstance(size, str) or ":" in size:
                raise DeclarationError(f"Upscale size={size!r}: give pixels like \"3840x2160\" or a tier "
                                       f"({', '.join(TIERS)})", where)
            check_size(size, where, "Upscale size ")
        set_(self, "scale", scale)
        set_(self, "size", size)
        if isinstance(strength, bool) or not isinstance(strength, (int, float)) or not 0.0 <= strength <= 1.0:
            raise DeclarationError(f"Upscale strength={strength!r} must be from 0 to 1 (0: no re-denoising)", where)
        set_(self, "strength", float(strength))
        for name, value, low in (("tile", tile, 64), ("overlap", overlap, 0)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low or value % 16:
                raise DeclarationError(f"Upscale {name}={value!r} must be a whole number of pixels, a multiple of "
                                       f"16, at least {low}", where)
        if overlap * 2 >= tile:
            raise DeclarationError(f"Upscale overlap={overlap} must be under half the tile ({tile})", where)
        set_(self, "tile", tile)
        set_(self, "overlap", overlap)
        set_(self, "upscaler", File.at(upscaler, where) if upscaler is not None else None)


def check_upscale(value: Any, where: Location) -> Upscale | None:
    if value is None or value is False:
        return None
    if isinstance(value, Upscale):
        return value
    raise DeclarationError(f"upscale must be Upscale(...) or None, not {value!r}", where)
