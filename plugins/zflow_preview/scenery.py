"""A scene's setting: sky and ground gradients, props called by prompt words (rooms, streets, trees, water), weather."""
from __future__ import annotations

import random

from PIL import Image, ImageDraw

from .palette import RGB, Palette, mix

_INTERIOR = {"cafe", "café", "coffee", "room", "kitchen", "office", "bar", "restaurant", "library", "shop", "bakery",
             "classroom", "bedroom", "studio", "indoor", "indoors", "interior", "store", "counter", "apartment",
             "mansion", "parlor", "parlour", "hall", "lobby", "school", "hospital", "museum", "subway"}
_CITY = {"city", "street", "neon", "alley", "town", "downtown", "rooftop", "building", "tokyo", "seoul", "urban",
         "skyline", "station", "village", "market", "cyberpunk"}
_TREES = {"forest", "garden", "park", "tree", "woods", "jungle", "orchard", "meadow", "countryside"}
_HILLS = {"mountain", "hill", "valley", "alps", "cliff", "desert"}
_WATER = {"sea", "beach", "ocean", "lake", "river", "harbor", "harbour", "coast", "surf", "pool"}
_CLOUDED = {"rain", "storm", "cloudy", "fog", "overcast"}


def gradient(size: tuple[int, int], stops: list[tuple[float, RGB]]) -> Image.Image:
    """A vertical gradient through ``stops`` (position 0-1, colour), built as one column and stretched."""
    width, height = size
    column = []
    for y in range(height):
        t = y / max(1, height - 1)
        for (p0, c0), (p1, c1) in zip(stops, stops[1:]):
            if p0 <= t <= p1:
                column.append(mix(c0, c1, (t - p0) / max(1e-6, p1 - p0)))
                break
        else:
            column.append(stops[-1][1])
    strip = Image.new("RGB", (1, height))
    strip.putdata(column)
    return strip.resize((width, height), Image.Resampling.NEAREST)


def draw_setting(image: Image.Image, palette: Palette, horizon: float, found: set[str],
                 rng: random.Random) -> list[str]:
    """Paint the background of a scene whose prompt used the words ``found``, horizon at ``horizon`` (0-1);
    returns what it drew ("interior", or sky, hills, water, city, trees)."""
    width, height = image.size
    y = horizon * height
    draw = ImageDraw.Draw(image)
    if found & _INTERIOR:
        wall = mix(palette.sky_bottom, palette.far, 0.25)
        image.paste(gradient(image.size, [(0.0, mix(wall, (0, 0, 0), 0.15)), (horizon, wall),
                                          (horizon, palette.ground), (1.0, mix(palette.ground, (0, 0, 0), 0.3))]))
        _room(draw, palette, width, y, rng)
        return ["interior"]
    image.paste(gradient(image.size, [(0.0, palette.sky_top), (horizon, palette.sky_bottom),
                                      (horizon, mix(palette.ground, palette.sky_bottom, 0.2)),
                                      (1.0, mix(palette.ground, (0, 0, 0), 0.25))]))
    drawn = [_sky(draw, palette, width, y, found, rng)]
    if found & _HILLS or not found & (_CITY | _TREES | _WATER):
        _hills(draw, palette, width, y, rng)
        drawn.append("hills")
    if found & _WATER:
        _water(draw, palette, width, height, y, rng)
        drawn.append("water")
    if found & _CITY:
        _city(draw, palette, width, y, rng)
        drawn.append("city")
    if found & _TREES:
        _trees(draw, palette, width, y, rng)
        drawn.append("trees")
    return drawn


def draw_weather(image: Image.Image, found: set[str], rng: random.Random) -> list[str]:
    """Rain streaks, snowflakes or a fog veil over the whole frame, as the prompt asks; returns which."""
    width, height = image.size
    draw = ImageDraw.Draw(image)
    count = max(8, round(130 * min(1.0, width * height / (800 * 600))))
    drawn = []
    if found & {"rain", "storm"}:
        length = height * 0.05
        for _ in range(count * (2 if "storm" in found else 1)):
            x, y = rng.uniform(0, width), rng.uniform(0, height)
            draw.line((x, y, x - length * 0.25, y + length), fill=(170, 190, 230), width=max(1, width // 700))
        drawn.append("rain")
    if "snow" in found:
        for _ in range(count):
            x, y, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(0.002, 0.006) * width
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(250, 252, 255))
        drawn.append("snow")
    if "fog" in found:
        veil = gradient(image.size, [(0.0, (200, 204, 210)), (1.0, (236, 238, 240))])
        image.paste(Image.blend(image, veil, 0.35))
        drawn.append("fog")
    return drawn


def _sky(draw: ImageDraw.ImageDraw, palette: Palette, width: int, y: float, found: set[str],
         rng: random.Random) -> str:
    """Clouds when the weather is grey, else the moon and stars on a dark palette, else the sun; returns which."""
    if found & _CLOUDED:
        cloud = mix(palette.sky_top, (236, 238, 242), 0.45)
        for _ in range(rng.randint(4, 7)):
            cx, cy, r = rng.uniform(0, width), y * rng.uniform(0.08, 0.45), width * rng.uniform(0.06, 0.12)
            for dx in (-0.8, 0.0, 0.8):
                draw.ellipse((cx + dx * r - r, cy - r * 0.55, cx + dx * r + r, cy + r * 0.55), fill=cloud)
        return "clouds"
    if palette.dark:
        for _ in range(50):
            sx, sy, r = rng.uniform(0, width), rng.uniform(0, y * 0.8), max(0.5, width * rng.uniform(0.0008, 0.002))
            draw.ellipse((sx - r, sy - r, sx + r, sy + r), fill=(230, 230, 255))
        mx, my, r = rng.uniform(0.1, 0.9) * width, y * rng.uniform(0.15, 0.4), width * 0.04
        draw.ellipse((mx - r, my - r, mx + r, my + r), fill=(240, 236, 210))
        return "moon"
    low = palette.mood == "warm"
    sx = rng.uniform(0.15, 0.85) * width
    sy = y * (rng.uniform(0.7, 0.9) if low else rng.uniform(0.15, 0.35))
    r = width * (0.07 if low else 0.045)
    glow = mix(palette.light, palette.sky_bottom, 0.6)
    draw.ellipse((sx - r * 1.5, sy - r * 1.5, sx + r * 1.5, sy + r * 1.5), fill=glow)
    draw.ellipse((sx - r, sy - r, sx + r, sy + r), fill=palette.light)
    return "sun"


def _hills(draw: ImageDraw.ImageDraw, palette: Palette, width: int, y: float, rng: random.Random) -> None:
    for layer, shade in ((0, 0.0), (1, 0.35)):
        points = [(0.0, y)]
        steps = 7
        for i in range(steps + 1):
            peak = y - y * rng.uniform(0.08, 0.35) * (1.0 - layer * 0.4)
            points.append((width * i / steps, peak))
        points.append((float(width), y))
        draw.polygon(points, fill=mix(palette.far, palette.ground, shade))


def _water(draw: ImageDraw.ImageDraw, palette: Palette, width: int, height: int, y: float, rng: random.Random) -> None:
    bottom = y + (height - y) * 0.45
    draw.rectangle((0, y, width, bottom), fill=palette.far)
    for _ in range(24):
        wx, wy = rng.uniform(0, width), rng.uniform(y + 2, bottom - 2)
        draw.line((wx, wy, wx + width * rng.uniform(0.03, 0.08), wy), fill=mix(palette.far, palette.light, 0.5),
                  width=max(1, height // 400))


def _city(draw: ImageDraw.ImageDraw, palette: Palette, width: int, y: float, rng: random.Random) -> None:
    x = -rng.uniform(0, width * 0.05)
    lit = palette.accent if palette.dark else mix(palette.far, (0, 0, 0), 0.3)
    while x < width:
        w = width * rng.uniform(0.07, 0.14)
        top = y - y * rng.uniform(0.3, 0.75)
        body = mix(palette.far, (0, 0, 0), rng.uniform(0.0, 0.3))
        draw.rectangle((x, top, x + w, y), fill=body)
        win = max(2.0, w * 0.12)
        for wy in range(int(top + win), int(y - win), int(win * 2.2)):
            for wx in range(int(x + win * 0.8), int(x + w - win * 1.5), int(win * 2)):
                if rng.random() < 0.55:
                    draw.rectangle((wx, wy, wx + win, wy + win), fill=lit if rng.random() < 0.6 else palette.light)
        x += w + width * rng.uniform(0.0, 0.02)


def _trees(draw: ImageDraw.ImageDraw, palette: Palette, width: int, y: float, rng: random.Random) -> None:
    leaf = palette.far if palette.mood == "green" else mix(palette.far, (46, 110, 60), 0.6)
    for _ in range(rng.randint(6, 11)):
        tx, size = rng.uniform(0, width), y * rng.uniform(0.25, 0.6)
        base = y + rng.uniform(0, y * 0.05)
        trunk = size * 0.08
        draw.rectangle((tx - trunk, base - size * 0.45, tx + trunk, base), fill=(90, 64, 44))
        shade = mix(leaf, (0, 0, 0), rng.uniform(0.0, 0.35))
        draw.ellipse((tx - size * 0.32, base - size, tx + size * 0.32, base - size * 0.35), fill=shade)


def _room(draw: ImageDraw.ImageDraw, palette: Palette, width: int, y: float, rng: random.Random) -> None:
    count = rng.randint(1, 3)
    for i in range(count):
        w = width * rng.uniform(0.16, 0.24)
        x = width * (i + 0.5) / count - w / 2 + rng.uniform(-0.04, 0.04) * width
        top = y * rng.uniform(0.12, 0.25)
        box = (x, top, x + w, y * 0.78)
        draw.rectangle(box, fill=mix(palette.sky_top, palette.light, 0.35), outline=mix(palette.far, (0, 0, 0), 0.4),
                       width=max(1, width // 200))
        draw.line(((box[0] + box[2]) / 2, box[1], (box[0] + box[2]) / 2, box[3]),
                  fill=mix(palette.far, (0, 0, 0), 0.4), width=max(1, width // 300))
    lamp_x = rng.uniform(0.2, 0.8) * width
    r = width * 0.025
    draw.line((lamp_x, 0, lamp_x, y * 0.2), fill=(40, 40, 40), width=max(1, width // 500))
    draw.pieslice((lamp_x - r * 1.6, y * 0.2 - r, lamp_x + r * 1.6, y * 0.2 + r), 180, 360, fill=palette.accent)
    draw.rectangle((0, y - y * 0.02, width, y + y * 0.015), fill=mix(palette.ground, (0, 0, 0), 0.3))
    _counter(draw, palette, width, y, rng)


def _counter(draw: ImageDraw.ImageDraw, palette: Palette, width: int, y: float, rng: random.Random) -> None:
    """A counter against the back wall, to one side, with cups and a plant on it."""
    w = width * rng.uniform(0.22, 0.32)
    x = rng.choice((width * 0.02, width * 0.98 - w))
    top = y - y * 0.22
    wood = mix(palette.ground, (0, 0, 0), 0.15)
    draw.rectangle((x, top, x + w, y), fill=wood, outline=mix(wood, (0, 0, 0), 0.4), width=max(1, width // 400))
    draw.rectangle((x - w * 0.02, top - y * 0.02, x + w * 1.02, top), fill=mix(wood, (255, 255, 255), 0.25))
    cup = y * 0.035
    for i in range(rng.randint(1, 3)):
        cx = x + w * (0.15 + 0.2 * i)
        draw.rectangle((cx, top - y * 0.02 - cup, cx + cup * 0.9, top - y * 0.02), fill=(245, 242, 235),
                       outline=(90, 80, 70))
    px = x + w * 0.82
    draw.rectangle((px - cup * 0.5, top - y * 0.02 - cup, px + cup * 0.5, top - y * 0.02), fill=(170, 90, 60))
    draw.ellipse((px - cup * 1.2, top - y * 0.02 - cup * 3.2, px + cup * 1.2, top - y * 0.02 - cup * 0.8),
                 fill=(60, 130, 70))
