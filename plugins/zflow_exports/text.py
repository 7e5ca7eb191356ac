"""Title text over images: font choice by glyph coverage, size fitting to a box, stroke and shadow drawing."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .common import Box

#: Bold fonts tried in order; the first that has every glyph of the text wins. Noto Sans CJK (fonts-noto-cjk) index 1
#: is the Korean face (spec sheet section 7, tested); Nanum (fonts-nanum) covers Hangul and Latin; DejaVu is Latin.
FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Black.ttc", 1),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 1),
    ("/usr/share/fonts/truetype/nanum/NanumSquareB.ttf", 0),
    ("/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf", 0),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 0),
)
#: Stroke width as a share of the font size: the sheet's 6-9% (section 5); the middle is used.
STROKE_RATIO = 0.075
#: Extra space between lines, as a share of the font size (our choice).
LINE_GAP = 0.12
_MISSING = "\U0010fffd"  # a private-use code point no font maps: its mask is the font's .notdef box


@dataclass(frozen=True, slots=True)
class Layout:
    """Text fitted to a box: the font, its lines, the stroke width and the block's size."""

    font: ImageFont.FreeTypeFont
    lines: tuple[str, ...]
    stroke: int
    line_height: int
    width: int
    height: int


@lru_cache(maxsize=256)
def load_font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    """A font at a size (Pillow picks Raqm shaping, for Hangul and other complex scripts, when it is built in)."""
    return ImageFont.truetype(path, size, index=index)


def covers(path: str, index: int, text: str) -> bool:
    """Whether the font has a glyph for every visible character of the text."""
    font = load_font(path, index, 32)
    missing = _glyph(font, _MISSING)
    return all(ch.isspace() or _glyph(font, ch) != missing for ch in set(text))


def _glyph(font: ImageFont.FreeTypeFont, ch: str) -> bytes:
    """The pixels of one character drawn alone."""
    canvas = Image.new("L", (64, 64))
    ImageDraw.Draw(canvas).text((16, 8), ch, font=font, fill=255)
    return canvas.tobytes()


def find_font(text: str, path: str | Path | None = None, index: int = 0) -> tuple[str, int]:
    """The given font, $ZFLOW_FONT, or the first installed candidate covering the text; raises ValueError."""
    if path:
        return str(path), index
    if os.environ.get("ZFLOW_FONT"):
        return os.environ["ZFLOW_FONT"], int(os.environ.get("ZFLOW_FONT_INDEX", "0"))
    for candidate, idx in FONT_CANDIDATES:
        if Path(candidate).exists() and covers(candidate, idx, text):
            return candidate, idx
    raise ValueError(f"no installed font has every glyph of {text!r}: install fonts-noto-cjk or fonts-nanum, "
                     "or set the font option")


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int, stroke: int) -> list[str]:
    """Lines of at most ``width`` px: breaks at spaces, and between characters inside a word too long for a line."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            trial = f"{line} {word}" if line else word
            if _width(font, trial, stroke) <= width:
                line = trial
                continue
            if line:
                lines.append(line)
            line = ""
            for ch in word:
                if line and _width(font, line + ch, stroke) > width:
                    lines.append(line)
                    line = ""
                line += ch
        lines.append(line)
    return lines


def _width(font: ImageFont.FreeTypeFont, text: str, stroke: int) -> int:
    x0, _, x1, _ = font.getbbox(text, stroke_width=stroke)
    return int(x1 - min(x0, 0))


def fit(text: str, font_file: tuple[str, int], box: tuple[int, int], max_size: int, min_size: int,
        max_lines: int = 3) -> Layout:
    """The largest layout of the text in a (width, height) box, at most ``max_lines``; raises ValueError."""
    best = None
    low, high = min_size, max_size
    while low <= high:
        size = (low + high) // 2
        layout = _layout(text, font_file, size, box[0])
        if len(layout.lines) <= max_lines and layout.width <= box[0] and layout.height <= box[1]:
            best, low = layout, size + 1
        else:
            high = size - 1
    if best is None:
        raise ValueError(f"text {text!r} does not fit a {box[0]}x{box[1]} px box in {max_lines} lines "
                         f"at the smallest size, {min_size} px")
    return best


def _layout(text: str, font_file: tuple[str, int], size: int, width: int) -> Layout:
    font = load_font(font_file[0], font_file[1], size)
    stroke = max(1, round(size * STROKE_RATIO))
    lines = tuple(wrap(text, font, width, stroke))
    ascent, descent = font.getmetrics()
    line_height = ascent + descent + 2 * stroke
    gap = round(size * LINE_GAP)
    return Layout(font, lines, stroke, line_height, max(_width(font, ln, stroke) for ln in lines),
                  len(lines) * line_height + (len(lines) - 1) * gap)


def draw(img: Image.Image, layout: Layout, box: Box, align: str = "center", fill: str = "#ffffff",
         stroke_fill: str = "#000000", shadow: str | None = "#00000099") -> Box:
    """Draw the layout inside ``box`` (vertically centred) with stroke and a soft drop shadow; returns its ink box."""
    gap = round(layout.font.size * LINE_GAP)
    y = box[1] + (box[3] - box[1] - layout.height) / 2
    places = []
    for line in layout.lines:
        w = _width(layout.font, line, layout.stroke)
        x = {"left": box[0], "right": box[2] - w}.get(align, box[0] + (box[2] - box[0] - w) / 2)
        x0 = layout.font.getbbox(line, stroke_width=layout.stroke)[0]
        places.append((x - min(x0, 0), y + layout.stroke, line))
        y += layout.line_height + gap
    if shadow:
        offset = max(2, layout.font.size // 16)
        layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
        pen = ImageDraw.Draw(layer)
        for x, y0, line in places:
            pen.text((x + offset, y0 + offset), line, font=layout.font, fill=shadow,
                     stroke_width=layout.stroke, stroke_fill=shadow)
        layer = layer.filter(ImageFilter.GaussianBlur(offset))
        img.paste(layer, (0, 0), layer)
    pen = ImageDraw.Draw(img)
    inks = []
    for x, y0, line in places:
        pen.text((x, y0), line, font=layout.font, fill=fill, stroke_width=layout.stroke, stroke_fill=stroke_fill)
        inks.append(pen.textbbox((x, y0), line, font=layout.font, stroke_width=layout.stroke))
    return (min(b[0] for b in inks), min(b[1] for b in inks), max(b[2] for b in inks), max(b[3] for b in inks))
