"""What an upscale makes: the output size of ``Upscale(scale=...)`` or ``Upscale(size=...)``, what "2K" and "4K"
mean (shared with the backends that take image-size tiers, such as Gemini's), and the size beyond which a scene is
generated at a comfortable size and upscaled."""
from __future__ import annotations

import math

from .sizes import MAX_SIDE, MULTIPLE

#: Image-size tiers and the side of their square: "4K" is 4096x4096, and at another aspect the same area (as
#: Gemini's image_size tiers), within zflow's largest side (4096): "4K" at 16:9 is 4096x2304.
TIERS = {"1K": 1024, "2K": 2048, "4K": 4096}
#: The longest side Z-Image renders comfortably in one pass (its training range is 512-2048); a scene asking for
#: more is generated at most this large and upscaled (see ``generation_size``).
COMFORTABLE_SIDE = 2048
#: How far an Upscale(size=) may stray from the image's aspect (it is scaled to cover, then centre-cropped).
ASPECT_SLACK = 0.02


def tier_side(tier: str) -> int:
    """The side of a tier's square: "2K" -> 2048; a plain number of pixels ("512") is itself."""
    return TIERS[tier] if tier in TIERS else int(tier)


def tier_size(tier: str, aspect: tuple[int, int]) -> tuple[int, int]:
    """A tier at the aspect of ``aspect``: the tier square's area, no side over 4096, sides multiples of 16."""
    width, height = aspect
    side = tier_side(tier)
    w, h = side * math.sqrt(width / height), side * math.sqrt(height / width)
    shrink = min(1.0, MAX_SIDE / max(w, h))
    return _sixteen(w * shrink), _sixteen(h * shrink)


def upscaled_size(source: tuple[int, int], scale: int | None, size: str | None) -> tuple[int, int]:
    """The size an upscale of a ``source``-sized image makes; ValueError says what to ask for instead."""
    width, height = source
    if scale is not None:
        out = (width * scale, height * scale)
        if max(out) > MAX_SIDE:
            fits = [s for s in (2, 3, 4) if max(width, height) * s <= MAX_SIDE]
            instead = f"scale={fits[-1]}" if fits else "a smaller scene size"
            raise ValueError(f"upscaling {width}x{height} by {scale} makes {out[0]}x{out[1]}, over {MAX_SIDE} px a "
                             f"side; use {instead} or size=\"4K\"")
        return out
    if size in TIERS:
        out = tier_size(size, source)
    else:
        w, h = (int(v) for v in str(size).lower().replace("×", "x").split("x"))
        out = (w, h)
        if abs(math.log((w / h) / (width / height))) > ASPECT_SLACK:
            raise ValueError(f"upscale size {w}x{h} has another aspect than the {width}x{height} image; give a size "
                             f"of its aspect (or outpaint it first with Edit.outpaint)")
    if out[0] < width or out[1] < height:
        raise ValueError(f"upscale size {out[0]}x{out[1]} is smaller than the {width}x{height} image it upscales")
    return out


def generation_size(size: tuple[int, int], limit: int = COMFORTABLE_SIDE) -> tuple[int, int] | None:
    """For a scene size with a side over ``limit``, the size to generate at (same aspect, longest side ``limit``,
    multiples of 16) before upscaling to ``size``; None when ``size`` is within it."""
    width, height = size
    if max(width, height) <= limit:
        return None
    shrink = limit / max(width, height)
    return _sixteen(width * shrink), _sixteen(height * shrink)


def _sixteen(value: float) -> int:
    return max(MULTIPLE, int(value // MULTIPLE) * MULTIPLE)
