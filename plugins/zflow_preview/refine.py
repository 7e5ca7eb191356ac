"""The preview's image-to-image refine: smoothing plus detail sharpening, as strong as the strength asks."""
from __future__ import annotations

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from .text import Fonts, preview_mark


def refine_image(source: Image.Image, size: tuple[int, int], strength: float, fonts: Fonts) -> Image.Image:
    """``source`` at ``size``, denoised and sharpened; ``strength`` 0-1 is how far it moves from the source."""
    image = source.convert("RGB")
    if image.size != size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    detailed = image.filter(ImageFilter.SMOOTH).filter(ImageFilter.SHARPEN)
    detailed = ImageEnhance.Color(detailed).enhance(1.25)
    out = Image.blend(image, detailed, strength)
    preview_mark(ImageDraw.Draw(out), size, fonts, "PREVIEW · refined")
    return out
