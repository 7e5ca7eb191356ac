"""A character's drawn appearance (hair, outfit, skin, glasses), read from its name and looks text."""
from __future__ import annotations

from dataclasses import dataclass

from .palette import RGB, words
from .seeding import digest

_COLOURS: dict[str, RGB] = {
    "black": (34, 30, 36), "brown": (110, 70, 40), "blonde": (232, 200, 120), "blond": (232, 200, 120),
    "red": (200, 52, 44), "ginger": (204, 100, 40), "auburn": (146, 56, 36), "white": (240, 240, 236),
    "silver": (196, 200, 210), "grey": (130, 134, 140), "gray": (130, 134, 140), "green": (52, 130, 76),
    "blue": (48, 90, 180), "navy": (30, 40, 90), "pink": (236, 140, 180), "purple": (120, 70, 160),
    "yellow": (240, 200, 50), "orange": (236, 130, 40), "beige": (214, 196, 160), "teal": (30, 130, 130),
}
_HAIR_WORDS = ("hair", "bob", "ponytail", "braid", "braids", "curls", "bun", "pigtails")
_LONG_HAIR = ("long", "ponytail", "braid", "braids", "pigtails", "wavy")
_SKINS: tuple[RGB, ...] = ((244, 212, 186), (228, 184, 150), (198, 150, 110), (150, 104, 72), (108, 74, 52))
_OUTFITS: tuple[RGB, ...] = ((70, 110, 170), (170, 70, 80), (60, 140, 110), (200, 150, 60), (110, 80, 150),
                             (60, 60, 70))


@dataclass(frozen=True, slots=True)
class Look:
    """What the preview draws of a character."""

    name: str
    hair: RGB
    outfit: RGB
    skin: RGB
    long_hair: bool
    glasses: bool


def look_of(name: str, looks: str) -> Look:
    """The same name and looks always give the same Look (so a character matches across sheet and scenes)."""
    tokens = [t.lower() for t in looks.replace(",", " ").split()]
    hair = outfit = None
    for i, token in enumerate(tokens):
        colour = _COLOURS.get(token.strip(".;:!?()"))
        if colour is None:
            continue
        near = tokens[i + 1:i + 4]
        if hair is None and any(w.strip(".;:") in _HAIR_WORDS for w in near):
            hair = colour
        elif outfit is None:
            outfit = colour
    h = digest("look", name)
    found = words(looks)
    return Look(name=name,
                hair=hair or _COLOURS[("black", "brown", "blonde", "auburn")[h % 4]],
                outfit=outfit or _OUTFITS[(h >> 8) % len(_OUTFITS)],
                skin=_SKINS[(h >> 16) % len(_SKINS)],
                long_hair=_long_hair(found, h),
                glasses=bool(found & {"glasses", "spectacles"}))


def _long_hair(found: set[str], h: int) -> bool:
    if found & set(_LONG_HAIR):
        return True
    if found & {"short", "bob", "bald", "buzz"}:
        return False
    return bool(h >> 24 & 1)
