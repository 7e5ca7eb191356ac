"""Text on previews: a font cache (the backend's handle), wrapping, labels, the title and the PREVIEW mark."""
from __future__ import annotations

from PIL import ImageDraw, ImageFont

from zflow.contracts.text import FontFile, find_font, load_font, needs_cjk, wrap

from .palette import RGB, ink
from .shapes import rounded_box

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
#: Text smaller than this many pixels is not drawn (unreadable, and slow for thumbnails).
MIN_TEXT = 7


class Fonts:
    """Pillow's scalable default font, loaded once per size; for text it cannot draw (Hangul, kana, ideographs), the
    regular sans-serif font fontconfig ranks first for that script, when one is installed. Latin text always uses the
    built-in font, so its pixels are the same on every machine; CJK text looks the way the installed font draws it."""

    def __init__(self) -> None:
        self._by_size: dict[tuple[int, FontFile | None], Font] = {}

    def __call__(self, size: float, text: str = "") -> Font:
        px = max(MIN_TEXT, round(size))
        face = _cjk_font(text) if needs_cjk(text) else None
        if (px, face) not in self._by_size:
            self._by_size[px, face] = load_font(*face, px) if face else ImageFont.load_default(size=px)
        return self._by_size[px, face]


def _cjk_font(text: str) -> FontFile | None:
    """An installed font covering the text, or None (the text then shows the default font's boxes)."""
    try:
        return find_font(text, bold=False)
    except ValueError:
        return None


def label(draw: ImageDraw.ImageDraw, centre: tuple[float, float], text: str, font: Font,
          fill: RGB) -> tuple[float, float, float, float]:
    """A rounded pill of colour ``fill`` with ``text`` centred on ``centre``; returns the pill's box."""
    x, y = centre
    left, top, right, bottom = font.getbbox(text)
    pad = max(2, (bottom - top) // 3)
    w, h = right - left, bottom - top
    box = (x - w / 2 - pad * 2, y - h / 2 - pad, x + w / 2 + pad * 2, y + h / 2 + pad)
    rounded_box(draw, box, radius=(h + 2 * pad) / 2, fill=fill)
    draw.text((x, y), text, font=font, fill=ink(fill), anchor="mm")
    return box


def preview_mark(draw: ImageDraw.ImageDraw, size: tuple[int, int], fonts: Fonts,
                 word: str = "PREVIEW") -> tuple[float, float, float, float]:
    """The corner badge that says this is not a real render (``word`` may say which pass made it); returns its box."""
    width, height = size
    px = min(width, height) // 28
    if px < MIN_TEXT:
        box = (width - max(3, width // 6), 0, width - 1, max(2, height // 20))
        draw.rectangle(box, fill=(200, 30, 40))
        return box
    font = fonts(px)
    left, top, right, bottom = font.getbbox(word)
    pad = max(2, px // 3)
    box = (width - (right - left) - 3 * pad, pad, width - pad, pad + (bottom - top) + 2 * pad)
    draw.rectangle(box, fill=(200, 30, 40), outline=(255, 255, 255), width=max(1, px // 10))
    draw.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), word, font=font, fill=(255, 255, 255), anchor="mm")
    return box


def caption(draw: ImageDraw.ImageDraw, size: tuple[int, int], fonts: Fonts, title: str,
            prompt: str) -> list[tuple[float, float, float, float]]:
    """The title at the top left and the prompt, wrapped small, on a dark strip at the bottom; returns their boxes."""
    width, height = size
    small = min(width, height) / 42
    boxes = []
    if title and small * 1.8 >= MIN_TEXT:
        font = fonts(small * 1.8, title)
        pad = small
        inks = []
        for i, line in enumerate(wrap(title, font, width * 0.7, 2)):
            xy = (pad, pad + i * small * 2.1)
            draw.text((xy[0] + 1, xy[1] + 1), line, font=font, fill=(0, 0, 0))
            draw.text(xy, line, font=font, fill=(255, 255, 255))
            inks.append(draw.textbbox((xy[0] + 1, xy[1] + 1), line, font=font))
        boxes.append((pad, pad, max(b[2] for b in inks), max(b[3] for b in inks)))
    if prompt and small >= MIN_TEXT:
        font = fonts(small, prompt)
        lines = wrap(prompt, font, width - 2 * small, 3)
        line_h = small * 1.3
        top = height - len(lines) * line_h - small
        draw.rectangle((0, top - small * 0.5, width, height), fill=(16, 16, 20))
        for i, line in enumerate(lines):
            draw.text((small, top + i * line_h), line, font=font, fill=(220, 220, 220))
        boxes.append((0, top - small * 0.5, width, height))
    return boxes
