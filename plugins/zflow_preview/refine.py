"""The preview's image-to-image refine: smoothing plus detail sharpening, as strong as the strength asks."""
from __future__ import annotations

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from .text import Fonts, preview_mark


def refine_image(source: Image.Image, size: tuple[int, int], strength: float, fonts: Fonts) -> Image.Image:
    """``source`` at ``size``, denoised and sharpened; ``strength`` 0-1 is how far it moves from the source."""
    image = source.convert("RGB")
    if image.size != size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    scale = max(size) / 512
    smooth = image.filter(ImageFilter.GaussianBlur(radius=max(0.5, scale * 1.5)))
    detailed = smooth.filter(ImageFilter.UnsharpMask(radius=max(1.0, scale * 2.5), percent=180, threshold=2))
    detailed = ImageEnhance.Contrast(ImageEnhance.Color(detailed).enhance(1.2)).enhance(1.08)
    out = Image.blend(image, detailed, strength)
    preview_mark(ImageDraw.Draw(out), size, fonts, "PREVIEW · refined")
    return out
