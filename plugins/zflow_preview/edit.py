"""The preview's edit operations on real pixels: inpaint a region (tinted, outlined), replace the background,
outpaint (the scenery extended), restyle."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

from .palette import mix, palette_for
from .reading import words
from .scenery import draw_setting
from .seeding import stream
from .text import Fonts, caption, preview_mark

Boxes = tuple[list[list[int]], list[int] | None]
_INK = {"ink", "comic", "manga", "line", "lineart", "sketch", "pencil", "drawing", "charcoal"}
_MONO = {"noir", "monochrome", "grayscale", "greyscale", "bw"}
_FLAT = {"poster", "pop", "flat", "cartoon", "vector", "anime", "cel"}
_PAINT = {"watercolor", "watercolour", "painting", "painted", "oil", "impressionist", "pastel", "gouache"}


def region_mask(region: Any, size: tuple[int, int], meta: Mapping[str, Any], root: Path) -> Image.Image:
    """The inpaint mask (white = repaint) of a normalized region for an image of ``size`` with ``meta``."""
    width, height = size
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    if region == "face":
        if not meta.get("faces"):
            raise ValueError("inpaint 'face': the input image records no faces; use a box or a mask image instead")
        for box in meta["faces"]:
            draw.rectangle(_inclusive(box), fill=255)
    elif region == "subject":
        if not meta.get("focus"):
            raise ValueError("inpaint 'subject': the input image records no subject; use a box or a mask image")
        draw.rectangle(_inclusive(meta["focus"]), fill=255)
    elif isinstance(region, list):
        x0, y0, x1, y1 = region
        draw.rectangle(_inclusive([round(x0 * width), round(y0 * height), round(x1 * width), round(y1 * height)]),
                       fill=255)
    else:
        with Image.open(root / region["file"]) as given:
            mask = given.convert("L").resize(size, Image.Resampling.NEAREST).point(lambda v: 255 if v >= 128 else 0)
    return mask


def inpaint(image: Image.Image, mask: Image.Image, prompt: str, strength: float) -> Image.Image:
    """The white of ``mask`` moved towards the colours of ``prompt`` as far as ``strength`` asks, its edge outlined
    thinly (the preview shows where the edit went, not a pattern that would stay in every export); every other
    pixel stays as it was."""
    box = mask.getbbox()
    if box is None:
        return image.copy()
    palette = palette_for(prompt)
    width = max(1, min(image.size) // 160)
    region, held = image.crop(box), mask.crop(box)
    # A pixel is inside (not on the outline) when its whole (2w+1)-square is white: a box blur that stays at 255.
    inner = Image.new("L", (held.width + 2 * width, held.height + 2 * width), 0)
    inner.paste(held, (width, width))
    inner = inner.filter(ImageFilter.BoxBlur(width)).point(lambda v: 255 if v == 255 else 0)
    inner = inner.crop((width, width, width + held.width, width + held.height))
    tinted = Image.blend(region, ImageOps.colorize(region.convert("L"), mix(palette.far, (0, 0, 0), 0.4),
                                                   mix(palette.light, palette.accent, 0.3)), 0.35 * strength)
    outline = Image.new("RGB", region.size, mix(palette.accent, (255, 255, 255), 0.2))
    edited = image.copy()
    edited.paste(Image.composite(Image.composite(tinted, outline, inner), region, held), box)
    return edited


def estimate_subject(image: Image.Image) -> list[int]:
    """The box of what stands out from the image's border colour: the subject of a photo nothing has described."""
    small = image.convert("RGB").resize((64, 64), Image.Resampling.BOX)
    w, h = small.size
    border = [small.getpixel((x, y)) for x in range(w) for y in (0, h - 1)]
    border += [small.getpixel((x, y)) for y in range(h) for x in (0, w - 1)]
    backdrop = tuple(sorted(channel)[len(channel) // 2] for channel in zip(*border))
    distance = ImageChops.difference(small, Image.new("RGB", small.size, backdrop)).convert("L")
    box = distance.point(lambda v: 255 if v > 40 else 0).getbbox() or (w // 4, h // 4, 3 * w // 4, 3 * h // 4)
    sx, sy = image.width / w, image.height / h
    return [int(box[0] * sx), int(box[1] * sy), int(box[2] * sx), int(box[3] * sy)]


def background(image: Image.Image, focus: list[int], prompt: str, seed: int, fonts: Fonts) -> Image.Image:
    """Everything outside the subject box ``focus`` redrawn as the setting ``prompt`` describes."""
    palette = palette_for(prompt)
    setting = Image.new("RGB", image.size)
    draw_setting(setting, palette, 0.62, words(prompt), stream("background", seed, prompt))
    draw = ImageDraw.Draw(setting)
    caption(draw, image.size, fonts, "", f"background: {prompt}")
    preview_mark(draw, image.size, fonts)
    keep = Image.new("L", image.size, 0)
    ImageDraw.Draw(keep).rectangle(_inclusive(focus), fill=255)
    return Image.composite(image, setting, keep)


def outpaint(image: Image.Image, canvas: tuple[int, int], prompt: str, style: str, seed: int,
             fonts: Fonts) -> tuple[Image.Image, tuple[int, int]]:
    """``image`` centred on ``canvas`` with the scenery ``prompt`` and ``style`` describe drawn around it, its
    horizon level with the image's; returns it and the offset of the input on the canvas."""
    width, height = canvas
    w, h = image.size
    x, y = (width - w) // 2, (height - h) // 2
    horizon = (y + horizon_of(image) * h) / height
    extended = Image.new("RGB", canvas)
    draw_setting(extended, palette_for(prompt, style), min(0.9, max(0.1, horizon)), words(f"{prompt} {style}"),
                 stream("outpaint", seed, prompt))
    extended.paste(image, (x, y))
    preview_mark(ImageDraw.Draw(extended), canvas, fonts)
    return extended, (x, y)


def horizon_of(image: Image.Image) -> float:
    """Where (0-1 down) the image's horizon is: climbing from near the bottom up its left and right edges, the first
    sharp change of colour (the ground is smooth up to the horizon)."""
    small = image.convert("L").resize((16, 64), Image.Resampling.BOX)
    edges = [sum(small.getpixel((x, y)) for x in (0, 1, 14, 15)) / 4 for y in range(64)]
    for y in range(48, 12, -1):
        if abs(edges[y - 1] - edges[y]) > 6:
            return y / 64
    return 0.6


def restyle(image: Image.Image, prompt: str, strength: float) -> Image.Image:
    """``image`` moved by ``strength`` towards the filter the prompt's words pick: ink, mono, flat, paint or tint."""
    found = words(prompt.replace("&", ""))
    if found & _INK:
        lines = ImageOps.invert(image.convert("L").filter(ImageFilter.FIND_EDGES))
        styled = ImageOps.autocontrast(lines).convert("RGB")
    elif found & _MONO or {"black", "white"} <= found:
        styled = ImageOps.autocontrast(image.convert("L"), cutoff=2).convert("RGB")
    elif found & _FLAT:
        styled = ImageOps.posterize(image, 2)
    elif found & _PAINT:
        styled = ImageOps.posterize(image.filter(ImageFilter.GaussianBlur(radius=max(image.size) / 300)), 4)
    else:
        palette = palette_for(prompt, prompt)
        styled = ImageOps.colorize(image.convert("L"), mix(palette.far, (0, 0, 0), 0.5), palette.light,
                                   mid=palette.accent)
    return Image.blend(image, styled, strength)


def shifted(boxes: Boxes, offset: tuple[int, int]) -> Boxes:
    """Faces and focus boxes moved by ``offset``."""
    dx, dy = offset
    faces, focus = boxes

    def move(box: list[int]) -> list[int]:
        return [box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy]

    return [move(f) for f in faces], move(focus) if focus else None


def _inclusive(box: list[int]) -> tuple[int, int, int, int]:
    """A pixel box [x0, y0, x1, y1) (x1, y1 excluded) as Pillow's inclusive rectangle."""
    x0, y0, x1, y1 = (round(v) for v in box)
    return x0, y0, x1 - 1, y1 - 1
