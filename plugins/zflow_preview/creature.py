"""Drawing the heads (and tails) of characters that are not people: cats, dogs, foxes, rabbits, bears, mice,
penguins, birds and robots, on the storyboard figure's body."""
from __future__ import annotations

from PIL import ImageDraw

from .looks import Look
from .palette import RGB, mix

Box = tuple[float, float, float, float]
_BLACK: RGB = (0, 0, 0)
_WHITE: RGB = (255, 255, 255)
_EYE: RGB = (30, 26, 30)
_TAILS = {"cat": 1.0, "dog": 0.6, "fox": 0.9, "mouse": 1.1}


def draw_tail(draw: ImageDraw.ImageDraw, look: Look, cx: float, hip_y: float, height: float, facing: int) -> None:
    """A tail curling up from behind the hips (drawn before the body), for the species that have one."""
    length = _TAILS.get(look.species)
    if length is None:
        return
    back = -facing or -1
    w = max(1, round(height * (0.05 if look.species == "fox" else 0.03)))
    reach = height * 0.22 * length
    x0, y0 = cx + back * height * 0.08, hip_y
    points = [(x0, y0), (x0 + back * reach * 0.6, y0 + reach * 0.1), (x0 + back * reach, y0 - reach * 0.4),
              (x0 + back * reach * 0.8, y0 - reach * 0.8)]
    draw.line(points, fill=look.skin, width=w, joint="curve")
    if look.species == "fox":
        tip = points[-1]
        draw.ellipse((tip[0] - w * 0.6, tip[1] - w * 0.6, tip[0] + w * 0.6, tip[1] + w * 0.6), fill=_WHITE)


def draw_head(draw: ImageDraw.ImageDraw, look: Look, head: Box, side: bool, facing: int, line: int) -> None:
    """The head of ``look`` in ``head``: ears, muzzle, eyes and nose of its species, or a robot's visor."""
    if look.species == "robot":
        _robot(draw, look, head, side, facing, line)
        return
    x0, y0, x1, y1 = head
    r = (x1 - x0) / 2
    cx, cy = x0 + r, y0 + r
    fur, edge = look.skin, mix(look.skin, _BLACK, 0.45)
    inner = mix(fur, (236, 160, 170), 0.5)
    for sign in ((facing,) if side else (-1, 1)):
        _ear(draw, look.species, cx + sign * r * 0.55, y0 + r * 0.25, r, sign, fur, inner, edge, line)
    draw.ellipse(head, fill=fur, outline=edge, width=line)
    light = mix(fur, _WHITE, 0.55)
    mx = cx + (r * 0.45 * facing if side else 0)
    if look.species in ("penguin", "bird"):
        draw.ellipse((cx - r * 0.7, cy - r * 0.3, cx + r * 0.7, y1 - r * 0.05), fill=light)
        tip = mx + r * (0.95 * facing if side else 0)
        beak = [(mx - r * 0.2, cy + r * 0.15), (mx + r * 0.2, cy + r * 0.15), (tip, cy + r * 0.5)] if not side else [
            (mx, cy), (mx, cy + r * 0.3), (tip + r * 0.25 * facing, cy + r * 0.15)]
        draw.polygon(beak, fill=(240, 170, 40))
    else:
        draw.ellipse((mx - r * 0.42, cy + r * 0.12, mx + r * 0.42, cy + r * 0.72), fill=light)
        nose = r * 0.12
        draw.ellipse((mx - nose, cy + r * 0.2, mx + nose, cy + r * 0.2 + nose * 1.4), fill=(40, 30, 34))
        if look.species in ("cat", "fox", "mouse", "rabbit"):
            for dy in (0.36, 0.5):
                for sign in (-1, 1):
                    draw.line((mx + sign * r * 0.25, cy + r * dy, mx + sign * r * 1.05, cy + r * (dy - 0.08)),
                              fill=mix(fur, _BLACK, 0.6), width=max(1, line // 2))
    eye = max(1.0, r * (0.1 if look.species != "cat" else 0.13))
    eyes = [cx + r * 0.5 * facing] if side else [cx - r * 0.36, cx + r * 0.36]
    iris = (150, 200, 60) if look.species == "cat" else _EYE
    for ex in eyes:
        draw.ellipse((ex - eye, cy - r * 0.08 - eye, ex + eye, cy - r * 0.08 + eye), fill=iris)
        draw.ellipse((ex - eye * 0.4, cy - r * 0.08 - eye, ex + eye * 0.4, cy - r * 0.08 + eye), fill=_EYE)
        if look.glasses:
            g = r * 0.27
            draw.ellipse((ex - g, cy - r * 0.08 - g, ex + g, cy - r * 0.08 + g), outline=_EYE, width=line)


def _ear(draw: ImageDraw.ImageDraw, species: str, x: float, y: float, r: float, sign: int, fur: RGB, inner: RGB,
         edge: RGB, line: int) -> None:
    """One ear whose base is near (x, y) on the side ``sign`` of the head."""
    if species in ("cat", "fox"):
        tall = r * (0.9 if species == "cat" else 1.1)
        outer = [(x - r * 0.38, y + r * 0.2), (x + r * 0.38, y + r * 0.2), (x + sign * r * 0.15, y - tall)]
        draw.polygon(outer, fill=fur, outline=edge)
        draw.polygon([(x - r * 0.2, y + r * 0.1), (x + r * 0.2, y + r * 0.1), (x + sign * r * 0.1, y - tall * 0.6)],
                     fill=inner)
    elif species == "rabbit":
        draw.ellipse((x - r * 0.22, y - r * 1.7, x + r * 0.22, y + r * 0.3), fill=fur, outline=edge, width=line)
        draw.ellipse((x - r * 0.1, y - r * 1.5, x + r * 0.1, y), fill=inner)
    elif species == "dog":
        draw.ellipse((x + sign * r * 0.35 - r * 0.3, y - r * 0.1, x + sign * r * 0.35 + r * 0.3, y + r * 1.2),
                     fill=mix(fur, _BLACK, 0.25))
    elif species in ("bear", "mouse"):
        size = r * (0.35 if species == "bear" else 0.55)
        draw.ellipse((x + sign * r * 0.1 - size, y - size, x + sign * r * 0.1 + size, y + size), fill=fur,
                     outline=edge, width=line)
        draw.ellipse((x + sign * r * 0.1 - size * 0.5, y - size * 0.5, x + sign * r * 0.1 + size * 0.5,
                      y + size * 0.5), fill=inner)


def _robot(draw: ImageDraw.ImageDraw, look: Look, head: Box, side: bool, facing: int, line: int) -> None:
    """A rounded square head with an antenna, a glowing visor and a grille."""
    x0, y0, x1, y1 = head
    r = (x1 - x0) / 2
    cx, cy = x0 + r, y0 + r
    metal, edge = look.skin, mix(look.skin, _BLACK, 0.5)
    draw.line((cx, y0, cx, y0 - r * 0.5), fill=edge, width=max(1, line))
    draw.ellipse((cx - r * 0.15, y0 - r * 0.68, cx + r * 0.15, y0 - r * 0.38), fill=(230, 60, 60))
    draw.rounded_rectangle((round(x0), round(y0), round(x1), round(y1)), radius=max(1, round(r * 0.3)), fill=metal,
                           outline=edge, width=line)
    glow = (90, 220, 255)
    if side:
        vx = cx + r * 0.2 * facing
        draw.rectangle((min(vx, vx + r * 0.75 * facing), cy - r * 0.3, max(vx, vx + r * 0.75 * facing),
                        cy + r * 0.05), fill=glow)
    else:
        draw.rectangle((cx - r * 0.7, cy - r * 0.3, cx + r * 0.7, cy + r * 0.05), fill=(20, 30, 40))
        for ex in (cx - r * 0.35, cx + r * 0.35):
            draw.ellipse((ex - r * 0.14, cy - r * 0.26, ex + r * 0.14, cy + r * 0.01), fill=glow)
        for i in range(4):
            gx = cx - r * 0.45 + i * r * 0.3
            draw.line((gx, cy + r * 0.4, gx, cy + r * 0.7), fill=edge, width=max(1, line))
