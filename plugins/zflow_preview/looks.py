"""A character's drawn appearance (species, hair or fur, outfit, skin, glasses), read from its name and looks text in
any language ``reading`` knows."""
from __future__ import annotations

from dataclasses import dataclass

from .palette import RGB
from .reading import tokens
from .seeding import digest

_COLOURS: dict[str, RGB] = {
    "black": (34, 30, 36), "brown": (110, 70, 40), "blonde": (232, 200, 120), "blond": (232, 200, 120),
    "red": (200, 52, 44), "ginger": (204, 100, 40), "auburn": (146, 56, 36), "white": (240, 240, 236),
    "silver": (196, 200, 210), "grey": (130, 134, 140), "green": (52, 130, 76),
    "blue": (48, 90, 180), "navy": (30, 40, 90), "pink": (236, 140, 180), "purple": (120, 70, 160),
    "yellow": (240, 200, 50), "orange": (236, 130, 40), "beige": (214, 196, 160), "teal": (30, 130, 130),
    "tabby": (196, 130, 70), "calico": (226, 170, 110), "golden": (220, 170, 80),
}
_HAIR_WORDS = {"hair", "bob", "ponytail", "braid", "braids", "curls", "bun", "pigtails"}
_LONG_HAIR = {"long", "ponytail", "braid", "braids", "pigtails", "wavy"}
#: Clothes whose colour word is the outfit's colour, and the colour a coat has when none is said.
_CLOTHES = {"coat", "jacket", "dress", "apron", "shirt", "hoodie", "uniform", "suit", "scarf", "sweater", "hat",
            "skirt", "trousers", "jeans", "cloak", "cape", "kimono", "hanbok", "vest", "overalls", "blazer", "robe",
            "tie", "t", "top", "cardigan", "parka", "raincoat", "trench"}
_CLOTHES_COLOUR: dict[str, RGB] = {"trench": (184, 156, 110), "raincoat": (236, 196, 60), "lab": (236, 236, 232)}
#: Species the preview draws, with the fur (or metal) colours they take when the looks name none.
SPECIES: dict[str, tuple[RGB, ...]] = {
    "cat": ((130, 134, 140), (236, 130, 40), (34, 30, 36), (240, 240, 236)),
    "dog": ((110, 70, 40), (214, 196, 160), (232, 200, 120)),
    "fox": ((214, 110, 40),), "rabbit": ((240, 240, 236), (196, 170, 140)), "bear": ((110, 70, 40),),
    "mouse": ((150, 150, 156),), "penguin": ((34, 30, 36),), "bird": ((80, 140, 200), (240, 200, 50)),
    "robot": ((190, 196, 206), (150, 160, 176)),
}
_SKINS: tuple[RGB, ...] = ((244, 212, 186), (228, 184, 150), (198, 150, 110), (150, 104, 72), (108, 74, 52))
_OUTFITS: tuple[RGB, ...] = ((70, 110, 170), (170, 70, 80), (60, 140, 110), (200, 150, 60), (110, 80, 150),
                             (60, 60, 70))


@dataclass(frozen=True, slots=True)
class Look:
    """What the preview draws of a character; ``skin`` is the fur (or metal) of one that is not a person."""

    name: str
    hair: RGB
    outfit: RGB
    skin: RGB
    long_hair: bool
    glasses: bool
    species: str = "person"


def look_of(name: str, looks: str) -> Look:
    """The same name and looks always give the same Look (so a character matches across sheet and scenes). A colour
    word just before a species, hair or clothing word colours that; the first other colour is the outfit's."""
    said = tokens(looks)
    species = next((w for w in said if w in SPECIES), "person")
    hair = outfit = fur = loose = None
    for i, word in enumerate(said):
        colour = _COLOURS.get(word)
        if colour is None:
            continue
        near = set(said[i + 1:i + 4])
        if fur is None and species in near:
            fur = colour
        elif hair is None and near & _HAIR_WORDS:
            hair = colour
        elif outfit is None and near & _CLOTHES:
            outfit = colour
        elif loose is None:
            loose = colour
    outfit = outfit or loose or next((_CLOTHES_COLOUR[w] for w in said if w in _CLOTHES_COLOUR), None)
    h = digest("look", name)
    found = set(said)
    if species == "person":
        skin = _SKINS[(h >> 16) % len(_SKINS)]
    else:
        furs = SPECIES[species]
        skin = fur or hair or furs[(h >> 16) % len(furs)]
    return Look(name=name,
                hair=hair or _COLOURS[("black", "brown", "blonde", "auburn")[h % 4]],
                outfit=outfit or _OUTFITS[(h >> 8) % len(_OUTFITS)],
                skin=skin,
                long_hair=species == "person" and _long_hair(found, h),
                glasses=bool(found & {"glasses", "spectacles"}),
                species=species)


def _long_hair(found: set[str], h: int) -> bool:
    if found & _LONG_HAIR:
        return True
    if found & {"short", "bob", "bald", "buzz"}:
        return False
    return bool(h >> 24 & 1)
