"""A scene's palette and mood, read from the words of its prompt and style."""
from __future__ import annotations

import colorsys
import re
from dataclasses import dataclass

from .seeding import digest

RGB = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Palette:
    """The colours of a scene: sky (top, bottom), ground, far shapes, accent, light (sun/lamps) and text ink."""

    mood: str
    sky_top: RGB
    sky_bottom: RGB
    ground: RGB
    far: RGB
    accent: RGB
    light: RGB
    dark: bool


#: Moods by the words that call them, in priority order for ties.
_MOODS: dict[str, tuple[tuple[str, ...], Palette]] = {
    "night": (("night", "neon", "rain", "midnight", "cyberpunk", "moon", "dark", "nightclub", "starry"),
              Palette("night", (14, 16, 48), (58, 28, 92), (22, 22, 40), (36, 34, 78), (236, 64, 178),
                      (120, 220, 255), True)),
    "warm": (("warm", "sunset", "cafe", "café", "coffee", "golden", "autumn", "candle", "desert", "dusk", "bakery",
              "sunrise", "amber", "cozy"),
             Palette("warm", (250, 180, 110), (255, 226, 170), (150, 92, 58), (196, 120, 80), (214, 80, 48),
                     (255, 240, 190), False)),
    "green": (("forest", "garden", "park", "jungle", "meadow", "spring", "woods", "grass", "leaf", "leaves",
               "botanical"),
              Palette("green", (150, 205, 190), (214, 236, 196), (70, 128, 64), (46, 96, 66), (232, 200, 72),
                      (255, 250, 214), False)),
    "cold": (("snow", "winter", "ice", "icy", "frost", "arctic", "snowy", "glacier", "cold"),
             Palette("cold", (188, 208, 232), (236, 242, 250), (222, 230, 240), (150, 170, 200), (90, 120, 190),
                     (255, 255, 255), False)),
    "sea": (("sea", "beach", "ocean", "lake", "river", "harbor", "harbour", "coast", "surf"),
            Palette("sea", (110, 180, 236), (206, 234, 250), (232, 214, 170), (40, 120, 170), (240, 110, 90),
                    (255, 250, 220), False)),
}

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def words(text: str) -> set[str]:
    """The lower-case words of a text."""
    return {w.lower() for w in _WORD.findall(text)}


def palette_for(prompt: str, style: str = "") -> Palette:
    """The mood whose words the prompt and style use most; otherwise a palette derived from the style text."""
    found = words(f"{prompt} {style}")
    scores = {mood: len(found & set(keys)) for mood, (keys, _) in _MOODS.items()}
    best = max(scores, key=lambda mood: scores[mood])
    if scores[best]:
        return _MOODS[best][1]
    return hashed(style or prompt)


def hashed(text: str) -> Palette:
    """A calm palette whose hue comes from a hash of ``text``."""
    hue = (digest("palette", text) % 360) / 360.0

    def hsv(h: float, s: float, v: float) -> RGB:
        r, g, b = colorsys.hsv_to_rgb(h % 1.0, s, v)
        return round(r * 255), round(g * 255), round(b * 255)

    return Palette("style", hsv(hue, 0.35, 0.85), hsv(hue + 0.05, 0.15, 0.97), hsv(hue + 0.5, 0.3, 0.55),
                   hsv(hue + 0.45, 0.25, 0.7), hsv(hue + 0.5, 0.7, 0.85), hsv(hue + 0.1, 0.1, 1.0), False)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """``a`` moved a fraction ``t`` towards ``b``."""
    return round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t)


def ink(background: RGB) -> RGB:
    """Black or white, whichever reads on ``background``."""
    r, g, b = background
    return (20, 20, 24) if 0.299 * r + 0.587 * g + 0.114 * b > 140 else (245, 245, 245)
