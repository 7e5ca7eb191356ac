"""Text on previews: a font cache (the backend's handle), wrapping, labels, the title and the PREVIEW mark."""
from __future__ import annotations

import os

from PIL import ImageDraw, ImageFont

from .palette import RGB, ink
from .shapes import rounded_box

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
#: Text smaller than this many pixels is not drawn (unreadable, and slow for thumbnails).
MIN_TEXT = 7


#: Fonts with Hangul, kana and CJK ideographs (Debian fonts-noto-cjk, fonts-nanum), tried in order for text that
#: Pillow's built-in font cannot draw. Latin text always uses the built-in font, so its pixels are the same on every
#: machine; CJK text looks the way the installed font draws it.
CJK_FONTS = (("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 1),
             ("/usr/share/fonts/truetype/nanum/NanumGothic.ttf", 0))
#: Characters from here up (CJK radicals, kana, Hangul, ideographs, fullwidth forms) need a CJK font.
CJK_START = 0x2E80


class Fonts:
    """Pillow's scalable default font, loaded once per size; a CJK font for text that needs one, when installed."""

    def __init__(self) -> None:
        self._by_size: dict[tuple[int, bool], Font] = {}
        self._cjk = next(((path, index) for path, index in CJK_FONTS if os.path.exists(path)), None)

    def __call__(self, size: float, text: str = "") -> Font:
        px = max(MIN_TEXT, round(size))
        cjk = self._cjk is not None and any(ord(ch) >= CJK_START for ch in text)
        if (px, cjk) not in self._by_size:
            if cjk:
                path, index = self._cjk
                self._by_size[px, cjk] = ImageFont.truetype(path, px, index=index)
            else:
                self._by_size[px, cjk] = ImageFont.load_default(size=px)
        return self._by_size[px, cjk]


def wrap(text: str, font: Font, width: float, max_lines: int) -> list[str]:
    """Greedy word wrap to ``width`` pixels; an overlong word is cut, and the last line ends in "…" if text is left."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
        while font.getlength(line) > width and len(line) > 1:
            cut = _fit(line, font, width)
            lines.append(line[:cut])
            line = line[cut:]
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and font.getlength(last + "…") > width:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines


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


def _fit(text: str, font: Font, width: float) -> int:
    """How many leading characters of ``text`` fit in ``width`` (at least one)."""
    cut = len(text)
    while cut > 1 and font.getlength(text[:cut]) > width:
        cut -= 1
    return cut
