"""Webtoon balloons: speech (oval), thought (cloud), shout (jagged), narration (box), black text on white."""
from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from zflow.contracts.text import load_font, wrap

from .common import Box

KINDS = ("speech", "thought", "shout", "narration")
#: An ellipse through the corners of a w x h text block has semi-axes w/sqrt(2), h/sqrt(2) (geometry).
ELLIPSE = math.sqrt(2)
#: Shout spikes reach this far beyond the oval, and there are this many (our choice: reads as jagged, not spiky).
SPIKE, SPIKES = 1.22, 18
#: Padding around text and outline width, as shares of the font size (our choice).
PAD, OUTLINE = 0.6, 0.12
#: A tail's half-angle at the balloon's centre, in radians (our choice: a wedge that reads as pointing, not a spike).
TAIL_SPREAD = 0.16

Point = tuple[float, float]


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
    def outline(self) -> int:
        """The outline's width in px (odd, for a centred dilation)."""
        return max(3, round(self.font.size * OUTLINE)) | 1

    def edge(self, angle: float) -> float:
        """Distance from the body's centre to its outline in the direction ``angle`` (the oval's radius there)."""
        a, b = self.body[0] / 2, self.body[1] / 2
        if self.kind == "narration":
            return min(a / max(abs(math.cos(angle)), 1e-9), b / max(abs(math.sin(angle)), 1e-9))
        return a * b / math.hypot(b * math.cos(angle), a * math.sin(angle))


def measure(kind: str, text: str, font_file: tuple[str, int], size: int, max_width: int) -> Balloon:
    """Wrap the text to ``max_width`` px at ``size`` px and measure it."""
    font = load_font(font_file[0], font_file[1], size)
    lines = tuple(wrap(text, font, max_width))
    ascent, descent = font.getmetrics()
    width = max(int(font.getlength(line)) for line in lines)
    return Balloon(kind, lines, font, (width, len(lines) * (ascent + descent)))


def render(img: Image.Image, balloon: Balloon, origin: tuple[int, int], tip: Point | None) -> Box:
    """Draw the balloon with its body's top-left at ``origin`` and its tail ending at ``tip``; returns its full box."""
    bw, bh = balloon.body
    margin = balloon.outline + 2
    x0, y0 = origin[0] - margin, origin[1] - margin
    x1, y1 = origin[0] + bw + margin, origin[1] + bh + margin
    if tip is not None:
        x0, y0 = min(x0, math.floor(tip[0]) - margin), min(y0, math.floor(tip[1]) - margin)
        x1, y1 = max(x1, math.ceil(tip[0]) + margin), max(y1, math.ceil(tip[1]) + margin)
    mask = Image.new("L", (x1 - x0, y1 - y0))
    body = (origin[0] - x0, origin[1] - y0, origin[0] - x0 + bw, origin[1] - y0 + bh)
    local_tip = (tip[0] - x0, tip[1] - y0) if tip else None
    _shape(ImageDraw.Draw(mask), balloon, body, local_tip)
    outline = mask.filter(ImageFilter.MaxFilter(balloon.outline))
    img.paste((0, 0, 0), (x0, y0), outline)
    img.paste((255, 255, 255), (x0, y0), mask)
    pen = ImageDraw.Draw(img)
    ascent, descent = balloon.font.getmetrics()
    y = origin[1] + (bh - balloon.text_size[1]) / 2
    for line in balloon.lines:
        x = origin[0] + (bw - balloon.font.getlength(line)) / 2
        pen.text((x, y), line, font=balloon.font, fill=(0, 0, 0))
        y += ascent + descent
    bx0, by0, bx1, by1 = outline.getbbox() or (0, 0, 0, 0)
    return (x0 + bx0, y0 + by0, x0 + bx1, y0 + by1)


def _shape(pen: ImageDraw.ImageDraw, balloon: Balloon, body: Box, tip: Point | None) -> None:
    """Fill the balloon's shape (255) into a mask."""
    x0, y0, x1, y1 = body
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
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
    if tip is None:
        return
    angle = math.atan2(tip[1] - cy, tip[0] - cx)
    edge = balloon.edge(angle)
    if balloon.kind == "thought":  # a trail of shrinking bubbles, the last one touching the tip
        reach = math.dist((cx, cy), tip) - edge
        for k, r in ((0.3, 0.14), (0.65, 0.09), (1.0, 0.06)):
            rr = r * min(a, b)
            d = edge + reach * k - (rr if k == 1.0 else 0.0)
            px, py = cx + d * math.cos(angle), cy + d * math.sin(angle)
            pen.ellipse((px - rr, py - rr, px + rr, py + rr), fill=255)
        return
    base = [(cx + 0.9 * edge * math.cos(angle + s), cy + 0.9 * edge * math.sin(angle + s))
            for s in (-TAIL_SPREAD, TAIL_SPREAD)]
    pen.polygon([base[0], tip, base[1]], fill=255)
