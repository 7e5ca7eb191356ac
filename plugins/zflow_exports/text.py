"""Titles over images: the size that fits a box, stroke and shadow (fonts and wrapping: zflow.contracts.text)."""
from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from zflow.contracts.text import FontFile, load_font, text_width, wrap

from .common import Box

#: Stroke width as a share of the font size: 6-9% renders cleanly; the middle is used (docs/platforms.md, Encoding).
STROKE_RATIO = 0.075
#: Extra space between lines, as a share of the font size (our choice).
LINE_GAP = 0.12


@dataclass(frozen=True, slots=True)
class Layout:
    """Text fitted to a box: the font, its lines, the stroke width and the block's size."""

    font: ImageFont.FreeTypeFont
    lines: tuple[str, ...]
    stroke: int
    line_height: int
    width: int
    height: int


def fit(text: str, font_file: FontFile, box: tuple[int, int], max_size: int, min_size: int,
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


def _layout(text: str, font_file: FontFile, size: int, width: int) -> Layout:
    font = load_font(font_file[0], font_file[1], size)
    stroke = max(1, round(size * STROKE_RATIO))
    lines = tuple(wrap(text, font, width, stroke=stroke))
    ascent, descent = font.getmetrics()
    line_height = ascent + descent + 2 * stroke
    gap = round(size * LINE_GAP)
    return Layout(font, lines, stroke, line_height, round(max(text_width(font, ln, stroke) for ln in lines)),
                  len(lines) * line_height + (len(lines) - 1) * gap)


def draw(img: Image.Image, layout: Layout, box: Box, align: str = "center", fill: str = "#ffffff",
         stroke_fill: str = "#000000", shadow: str | None = "#00000099") -> Box:
    """Draw the layout inside ``box`` (vertically centred) with stroke and a soft drop shadow; returns its ink box."""
    gap = round(layout.font.size * LINE_GAP)
    y = box[1] + (box[3] - box[1] - layout.height) / 2
    places = []
    for line in layout.lines:
        w = text_width(layout.font, line, layout.stroke)
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
