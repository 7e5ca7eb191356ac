"""A scene's palette and mood, read from the words of its prompt and style (in any language ``reading`` knows):
mood, time of day, weather, style (noir, monochrome, sepia, muted, vivid, pastel) and palette colours."""
from __future__ import annotations

import colorsys
from dataclasses import dataclass, replace

from .reading import tokens, words
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
              "sunrise", "amber", "cozy", "evening"),
             Palette("warm", (250, 180, 110), (255, 226, 170), (150, 92, 58), (196, 120, 80), (214, 80, 48),
                     (255, 240, 190), False)),
    "dawn": (("dawn", "morning", "daybreak"),
             Palette("dawn", (168, 178, 226), (255, 214, 200), (120, 128, 112), (150, 140, 176), (236, 120, 120),
                     (255, 240, 222), False)),
    "day": (("noon", "afternoon", "sunny", "midday", "daylight"),
            Palette("day", (92, 158, 232), (200, 228, 250), (112, 150, 92), (90, 128, 160), (240, 176, 60),
                    (255, 252, 230), False)),
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

#: Colours a palette can be tinted towards ("muted blue", "teal and orange tones").
TINTS: dict[str, RGB] = {
    "red": (200, 52, 44), "blue": (48, 90, 180), "navy": (30, 40, 90), "green": (52, 130, 76),
    "teal": (30, 130, 130), "purple": (120, 70, 160), "pink": (236, 140, 180), "orange": (236, 130, 40),
    "yellow": (240, 200, 50), "gold": (212, 170, 60), "brown": (110, 70, 40), "lavender": (170, 150, 220),
    "cyan": (60, 200, 220), "magenta": (210, 60, 170), "violet": (130, 80, 200), "crimson": (170, 20, 50),
    "amber": (240, 170, 40), "beige": (214, 196, 160),
}
#: Words that make the colour next to them a palette colour even in the prompt ("muted blue", "blue tones").
_PALETTE_BEFORE = {"muted", "pastel", "neon", "deep", "soft", "pale", "dusty", "vivid", "cool", "warm"}
_PALETTE_AFTER = {"tones", "tone", "palette", "hues", "hue", "colours", "colors", "lighting", "light", "tint",
                  "grading"}
_MONO = {"noir", "monochrome"}
_GLOOM = {"gloomy", "sad", "lonely", "melancholy", "mysterious"}
_FOG_GREY: RGB = (206, 210, 216)
_RAIN_GREY: RGB = (58, 66, 88)


def palette_for(prompt: str, style: str = "") -> Palette:
    """The mood whose words the prompt and style use most (otherwise a palette derived from the style text),
    then moved by weather, style and palette words."""
    found = words(f"{prompt} {style}")
    scores = {mood: len(found & set(keys)) for mood, (keys, _) in _MOODS.items()}
    best = max(scores, key=lambda mood: scores[mood])
    base = _MOODS[best][1] if scores[best] else hashed(" ".join(tokens(style or prompt)))
    return adjusted(base, found, tints(prompt, style))


def tints(prompt: str, style: str) -> list[RGB]:
    """The palette colours asked for: colour words of the style, and colour words of the prompt next to a palette
    word ("muted blue", "orange tones")."""
    found = [TINTS[w] for w in tokens(style) if w in TINTS]
    said = tokens(prompt)
    for i, word in enumerate(said):
        if word in TINTS and (said[i - 1:i] and said[i - 1] in _PALETTE_BEFORE
                              or said[i + 1:i + 2] and said[i + 1] in _PALETTE_AFTER):
            found.append(TINTS[word])
    return list(dict.fromkeys(found))


def adjusted(base: Palette, found: set[str], tinted: list[RGB]) -> Palette:
    """``base`` moved by the weather (rain, storm, fog), the style (noir, monochrome, sepia), the palette colours
    ``tinted`` and the saturation words (muted, vivid, pastel)."""
    steps = []
    if found & {"rain", "storm"}:
        steps.append(lambda c: mix(c, _RAIN_GREY, 0.4 if "storm" in found else 0.25))
    if "fog" in found:
        steps.append(lambda c: mix(c, _FOG_GREY, 0.45))
    if found & _GLOOM:
        steps.append(lambda c: mix(_grey(c), c, 0.6))
    if found & _MONO:
        steps.append(lambda c: mix(_grey(c), (0, 0, 0), 0.35 if "noir" in found else 0.0))
    elif "sepia" in found:
        steps.append(lambda c: mix(_grey(c), (112, 66, 20), 0.35))
    for tint in tinted[:2]:
        steps.append(lambda c, t=tint: _hue_of(c, t, 0.6))
    if "muted" in found:
        steps.append(lambda c: mix(c, _grey(c), 0.5))
    if "pastel" in found:
        steps.append(lambda c: mix(mix(c, _grey(c), 0.3), (255, 255, 255), 0.45))
    if "vivid" in found:
        steps.append(lambda c: _saturate(c, 1.5))
    if not steps:
        return base
    colours = {}
    for name in ("sky_top", "sky_bottom", "ground", "far", "accent", "light"):
        colour = getattr(base, name)
        for step in steps:
            colour = step(colour)
        colours[name] = colour
    dark = base.dark or "noir" in found or bool(found & {"storm"})
    return replace(base, dark=dark, **colours)


def _grey(c: RGB) -> RGB:
    y = round(0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2])
    return y, y, y


def _hue_of(c: RGB, tint: RGB, t: float) -> RGB:
    """``c`` a fraction ``t`` of the way to the hue of ``tint``, at its own brightness."""
    _, s, v = colorsys.rgb_to_hsv(*(x / 255 for x in c))
    h, ts, _ = colorsys.rgb_to_hsv(*(x / 255 for x in tint))
    r, g, b = colorsys.hsv_to_rgb(h, max(s, ts * 0.6), v)
    return mix(c, (round(r * 255), round(g * 255), round(b * 255)), t)


def _saturate(c: RGB, factor: float) -> RGB:
    h, s, v = colorsys.rgb_to_hsv(*(x / 255 for x in c))
    r, g, b = colorsys.hsv_to_rgb(h, min(1.0, s * factor), v)
    return round(r * 255), round(g * 255), round(b * 255)


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
