"""Scene size -> the nearest aspect ratio and image size a model makes, and the answer fitted exactly to the scene."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

from zflow.contracts.upscaling import tier_side

from .models import ModelSpec


@dataclass(frozen=True, slots=True)
class SizeMapping:
    """What is asked of the model for a scene size: ``aspect_ratio`` ("3:4") and ``image_size`` ("2K")."""

    aspect_ratio: str
    image_size: str


def ratio_value(ratio: str) -> float:
    width, height = ratio.split(":")
    return int(width) / int(height)


#: How much smaller than the scene a model's image may be and still count as covering it (a 5% upscale is unseen).
COVER_SLACK = 0.95


def choose(size: tuple[int, int], spec: ModelSpec) -> SizeMapping:
    """The supported aspect ratio nearest to ``size``'s, and the smallest image size that covers ``size`` at that
    ratio (the largest when none does), so the answer is scaled down rather than up."""
    width, height = size
    target = math.log(width / height)
    ratio = min(spec.aspect_ratios, key=lambda r: abs(math.log(ratio_value(r)) - target))
    tiers = sorted(spec.image_sizes, key=tier_side)
    covering = [t for t in tiers if all(a >= b * COVER_SLACK for a, b in zip(approx_size(ratio, t), size))]
    return SizeMapping(ratio, covering[0] if covering else tiers[-1])


def approx_size(ratio: str, image_size: str) -> tuple[int, int]:
    """About the pixel size the model returns for a ratio and image size (same area as the square tier)."""
    side, value = tier_side(image_size), ratio_value(ratio)
    return round(side * math.sqrt(value)), round(side / math.sqrt(value))


def fit(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``image`` scaled to cover ``size`` and centre-cropped to exactly ``size``."""
    image = image.convert("RGB")
    if image.size == tuple(size):
        return image
    from PIL import Image, ImageOps

    return ImageOps.fit(image, tuple(size), method=Image.Resampling.LANCZOS)
