"""Drawing one character as a simple storyboard figure, seen from the front or the side (a person's head, or the
head and tail of another species from ``creature``), with ``body.proportions``."""
from __future__ import annotations

from PIL import ImageDraw

from .body import proportions
from .creature import draw_head, draw_tail
from .looks import Look
from .palette import RGB, mix
from .shapes import rounded_box

Box = tuple[float, float, float, float]
_BLACK: RGB = (0, 0, 0)


def draw_figure(draw: ImageDraw.ImageDraw, look: Look, cx: float, feet: float, height: float,
                view: str = "front", facing: int = 1) -> Box:
    """Draw ``look`` standing with its feet at (cx, feet), ``height`` px tall; ``view`` is "front" or "side",
    ``facing`` +1 (right) or -1 (left) for a side view. Returns the head's box."""
    top, r, shoulder_y, hip_y, half_top, half_hip, arm_size, leg_w = proportions(feet, height, view)
    hx, hy = cx, top + r
    line = max(1, round(height / 140))
    side = view == "side"
    trousers = mix(look.outfit, _BLACK, 0.45)
    legs = [cx - leg_w / 2] if side else [cx - half_hip + leg_w * 0.2, cx + half_hip - leg_w * 1.2]
    if look.species != "person":
        draw_tail(draw, look, cx, hip_y, height, facing if side else 1)
    for x in legs:
        draw.rectangle((x, hip_y - r * 0.2, x + leg_w, feet - height * 0.02), fill=trousers)
        draw.ellipse((x - leg_w * 0.1 + (leg_w * 0.3 * facing if side else 0), feet - height * 0.05,
                      x + leg_w * 1.1 + (leg_w * 0.3 * facing if side else 0), feet), fill=(40, 34, 32))
    if look.long_hair:
        back = hx - r * 0.6 * facing if side else hx
        width = r * (0.75 if side else 1.05)
        rounded_box(draw, (back - width, hy - r * 0.2, back + width, shoulder_y + r * 0.9), radius=r * 0.5,
                    fill=look.hair)
    draw.polygon([(cx - half_top, shoulder_y), (cx + half_top, shoulder_y), (cx + half_hip, hip_y),
                  (cx - half_hip, hip_y)], fill=look.outfit, outline=mix(look.outfit, _BLACK, 0.5))
    draw.rectangle((hx - r * 0.28, hy + r * 0.8, hx + r * 0.28, shoulder_y + line), fill=mix(look.skin, _BLACK, 0.1))
    arm_w = max(1, round(arm_size))
    arms = [(cx + r * 0.2 * facing, shoulder_y + r * 0.3, cx + r * 0.9 * facing, hip_y)] if side else [
        (cx - half_top + arm_w / 2, shoulder_y + r * 0.2, cx - half_hip - arm_w, hip_y + r * 0.3),
        (cx + half_top - arm_w / 2, shoulder_y + r * 0.2, cx + half_hip + arm_w, hip_y + r * 0.3)]
    for x0, y0, x1, y1 in arms:
        draw.line((x0, y0, x1, y1), fill=mix(look.outfit, _BLACK, 0.2), width=arm_w)
        draw.ellipse((x1 - arm_w * 0.6, y1 - arm_w * 0.6, x1 + arm_w * 0.6, y1 + arm_w * 0.6), fill=look.skin)
    head: Box = (hx - r, hy - r, hx + r, hy + r)
    if look.species != "person":
        draw_head(draw, look, head, side, facing, line)
        return head
    draw.ellipse(head, fill=look.skin, outline=mix(look.skin, _BLACK, 0.45), width=line)
    _hair(draw, look, head, side, facing)
    _face(draw, look, head, side, facing, line)
    return head


def _hair(draw: ImageDraw.ImageDraw, look: Look, head: Box, side: bool, facing: int) -> None:
    x0, y0, x1, y1 = head
    r = (x1 - x0) / 2
    cap = (x0 - r * 0.08, y0 - r * 0.1, x1 + r * 0.08, y1 + r * 0.1)
    if side:
        start, end = (150, 300) if facing > 0 else (240, 390)
        draw.pieslice(cap, start, end, fill=look.hair)
        draw.chord(cap, 190, 350, fill=look.hair)
    else:
        draw.chord(cap, 180, 360, fill=look.hair)
        draw.pieslice((x0 - r * 0.08, y0 - r * 0.1, x0 + r * 0.9, y1 - r * 0.3), 160, 280, fill=look.hair)


def _face(draw: ImageDraw.ImageDraw, look: Look, head: Box, side: bool, facing: int, line: int) -> None:
    x0, y0, x1, y1 = head
    r = (x1 - x0) / 2
    cx, cy = x0 + r, y0 + r
    eye = max(1.0, r * 0.09)
    eyes = [cx + r * 0.5 * facing] if side else [cx - r * 0.36, cx + r * 0.36]
    for ex in eyes:
        draw.ellipse((ex - eye, cy + r * 0.1 - eye, ex + eye, cy + r * 0.1 + eye), fill=(30, 26, 30))
        if look.glasses:
            g = r * 0.27
            draw.ellipse((ex - g, cy + r * 0.1 - g, ex + g, cy + r * 0.1 + g), outline=(30, 26, 30), width=line)
    if look.glasses and not side:
        draw.line((cx - r * 0.09, cy + r * 0.1, cx + r * 0.09, cy + r * 0.1), fill=(30, 26, 30), width=line)
    if side:
        tip = cx + r * 1.12 * facing
        draw.polygon([(cx + r * 0.9 * facing, cy + r * 0.05), (tip, cy + r * 0.35), (cx + r * 0.9 * facing,
                                                                                    cy + r * 0.4)], fill=look.skin)
        draw.line((cx + r * 0.55 * facing, cy + r * 0.6, cx + r * 0.8 * facing, cy + r * 0.58),
                  fill=mix(look.skin, _BLACK, 0.5), width=line)
    else:
        draw.arc((cx - r * 0.3, cy + r * 0.3, cx + r * 0.3, cy + r * 0.65), 20, 160, fill=mix(look.skin, _BLACK, 0.5),
                 width=line)
