"""Webtoon balloons: speech (oval), thought (cloud), shout (jagged), narration (box), black text on white."""
from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .common import Box
from .text import load_font, wrap

KINDS = ("speech", "thought", "shout", "narration")
#: An ellipse through the corners of a w x h text block has semi-axes w/sqrt(2), h/sqrt(2) (geometry).
ELLIPSE = math.sqrt(2)
#: Shout spikes reach this far beyond the oval, and there are this many (our choice: reads as jagged, not spiky).
SPIKE, SPIKES = 1.22, 18
#: Padding around text, outline width and tail length, as shares of the font size (our choice).
PAD, OUTLINE, TAIL = 0.6, 0.12, 1.6


@dataclass(frozen=True, slots=True)
class Balloon:
    """A measured balloon: kind, wrapped lines, font, and its body size without the tail."""

    kind: str
    lines: tuple[str, ...]
    font: ImageFont.FreeTypeFont
    text_size: tuple[int, int]

    @property
    def body(self) -> tuple[int, int]:
        tw, th = self.text_size
        pad = 2 * self.font.size * PAD
        if self.kind == "narration":
            return (round(tw + pad), round(th + pad))
        grow = ELLIPSE * (SPIKE if self.kind == "shout" else 1.0)
        return (round(tw * grow + pad), round(th * grow + pad))

    @property
    def reach(self) -> int:
        """How far a tail or thought trail sticks out of the body."""
        return 0 if self.kind == "narration" else round(self.font.size * TAIL)


def measure(kind: str, text: str, font_file: tuple[str, int], size: int, max_width: int) -> Balloon:
    """Wrap the text to ``max_width`` px at ``size`` px and measure it."""
    font = load_font(font_file[0], font_file[1], size)
    lines = tuple(wrap(text, font, max_width, 0))
    ascent, descent = font.getmetrics()
    width = max(int(font.getlength(line)) for line in lines)
    return Balloon(kind, lines, font, (width, len(lines) * (ascent + descent)))


def render(img: Image.Image, balloon: Balloon, origin: tuple[int, int], toward: tuple[float, float] | None) -> Box:
    """Draw the balloon with its body's top-left at ``origin`` and its tail toward a point; returns its full box."""
    bw, bh = balloon.body
    margin = balloon.reach + balloon.font.size
    ox, oy = origin[0] - margin, origin[1] - margin
    mask = Image.new("L", (bw + 2 * margin, bh + 2 * margin))
    pen = ImageDraw.Draw(mask)
    body = (margin, margin, margin + bw, margin + bh)
    cx, cy = margin + bw / 2, margin + bh / 2
    local_target = (toward[0] - ox, toward[1] - oy) if toward else None
    _shape(pen, balloon, body, (cx, cy), local_target)
    width = max(3, round(balloon.font.size * OUTLINE)) | 1
    outline = mask.filter(ImageFilter.MaxFilter(width))
    img.paste((0, 0, 0), (ox, oy), outline)
    img.paste((255, 255, 255), (ox, oy), mask)
    pen = ImageDraw.Draw(img)
    ascent, descent = balloon.font.getmetrics()
    y = origin[1] + (bh - balloon.text_size[1]) / 2
    for line in balloon.lines:
        x = origin[0] + (bw - balloon.font.getlength(line)) / 2
        pen.text((x, y), line, font=balloon.font, fill=(0, 0, 0))
        y += ascent + descent
    x0, y0, x1, y1 = outline.getbbox() or (0, 0, 0, 0)
    return (ox + x0, oy + y0, ox + x1, oy + y1)


def _shape(pen: ImageDraw.ImageDraw, balloon: Balloon, body: Box, centre: tuple[float, float],
           target: tuple[float, float] | None) -> None:
    """Fill the balloon's shape (255) into a mask."""
    x0, y0, x1, y1 = body
    cx, cy = centre
    a, b = (x1 - x0) / 2, (y1 - y0) / 2
    if balloon.kind == "narration":
        pen.rectangle(body, fill=255)
        return
    if balloon.kind == "shout":
        points = []
        for i in range(2 * SPIKES):
            t = math.pi * i / SPIKES
            r = 1.0 if i % 2 else 1.0 / SPIKE
            points.append((cx + a * r * math.cos(t), cy + b * r * math.sin(t)))
        pen.polygon(points, fill=255)
    else:
        inner = 0.82 if balloon.kind == "thought" else 1.0
        pen.ellipse((cx - a * inner, cy - b * inner, cx + a * inner, cy + b * inner), fill=255)
    if balloon.kind == "thought":
        bump = 0.2 * min(a, b)
        for i in range(14):
            t = 2 * math.pi * i / 14
            bx, by = cx + (a - bump) * math.cos(t), cy + (b - bump) * math.sin(t)
            pen.ellipse((bx - bump, by - bump, bx + bump, by + bump), fill=255)
    if target is None:
        return
    angle = math.atan2(target[1] - cy, target[0] - cx)
    edge = a * b / math.hypot(b * math.cos(angle), a * math.sin(angle))
    reach = balloon.reach
    if balloon.kind == "thought":
        for k, r in ((0.35, 0.14), (0.75, 0.09), (1.0, 0.06)):
            d = edge + reach * k
            px, py = cx + d * math.cos(angle), cy + d * math.sin(angle)
            rr = r * min(a, b)
            pen.ellipse((px - rr, py - rr, px + rr, py + rr), fill=255)
        return
    spread = 0.16
    base = [(cx + 0.9 * edge * math.cos(angle + s), cy + 0.9 * edge * math.sin(angle + s)) for s in (-spread, spread)]
    tip = (cx + (edge + reach) * math.cos(angle), cy + (edge + reach) * math.sin(angle))
    pen.polygon([base[0], tip, base[1]], fill=255)
