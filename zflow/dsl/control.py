"""ControlNet conditioning in the recipe language: ``Control(type, image=..., scale=0.8)`` on a series or a scene,
and the ``layouts=`` count a scene's layout stage makes."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .parts import Scene
from .registry import DeclarationError
from .source import Location, caller_location
from .values import File
from .words import did_you_mean

#: The control types a ControlNet union model takes (Z-Image-Turbo-Fun-Controlnet-Union: canny, HED, depth, pose,
#: MLSD).
CONTROL_TYPES = ("pose", "depth", "canny", "hed", "mlsd")
#: The maps a layout stores of its composition (what ``image="layout"`` can give).
LAYOUT_MAPS = ("pose", "depth", "canny")
#: The highest conditioning scale zflow takes (ControlNet pipelines accept 0-2; model cards use 0.6-1.0).
MAX_SCALE = 2.0
#: How many layout variants a scene whose control comes from its layout makes when it does not say (``layouts=``).
DEFAULT_LAYOUTS = 4


@dataclass(frozen=True, slots=True)
class Control:
    """A control map for the scene's draft (and its refine and same-size edits): of ``type``, made from ``image``
    (an image file, another scene's final image, or ``"layout"``: the scene's picked layout), at ``scale``."""

    type: str
    image: File | str  # a File, "@series/scene", or "layout"
    scale: float
    where: Location = field(compare=False, repr=False)

    def __init__(self, type: str, image: Any = "layout", scale: Any = 0.8):
        where = caller_location()
        set_ = object.__setattr__
        set_(self, "where", where)
        if type not in CONTROL_TYPES:
            hint = did_you_mean(str(type), CONTROL_TYPES)
            raise DeclarationError(f"Control({type!r}): unknown control type (known: {', '.join(CONTROL_TYPES)})"
                                   + (f"; {hint}" if hint else ""), where)
        set_(self, "type", type)
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not math.isfinite(scale) \
                or not 0 <= scale <= MAX_SCALE:
            raise DeclarationError(f"Control({type!r}): scale must be a number from 0 to {MAX_SCALE:g}, "
                                   f"not {scale!r}", where)
        set_(self, "scale", float(scale))
        set_(self, "image", _image(type, image, where))

    @property
    def scene(self) -> str | None:
        """The uid of the scene whose final image the map is made from, if it is made from one."""
        return self.image[1:] if isinstance(self.image, str) and self.image.startswith("@") else None

    @property
    def from_layout(self) -> bool:
        return self.image == "layout"


def _image(type: str, image: Any, where: Location) -> File | str:
    if isinstance(image, Scene):
        return f"@{image.uid}"
    if image == "layout":
        if type not in LAYOUT_MAPS:
            raise DeclarationError(f"Control({type!r}): a layout has {', '.join(LAYOUT_MAPS)} maps, not {type}; "
                                   f"give image= a file or a scene to make a {type} map from", where)
        return image
    if isinstance(image, str) and image.startswith("@"):
        return image
    if isinstance(image, (str, Path)) and str(image).strip():
        return File.at(image, where)
    raise DeclarationError(f"Control({type!r}): image must be an image file, a scene, \"@series/scene\" or "
                           f"\"layout\", not {image!r}", where)


def check_control(value: Any, where: Location) -> Control | None:
    if value is None or isinstance(value, Control):
        return value
    raise DeclarationError(f"control={value!r}: give Control(\"pose\" | \"depth\" | \"canny\" | \"hed\" | \"mlsd\", "
                           f"image=..., scale=...)", where)


def check_layouts(value: Any, where: Location) -> int:
    """How many layout variants a scene makes: 0 (no layout stage) to 16."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 16:
        raise DeclarationError(f"layouts must be a whole number from 0 to 16, not {value!r}", where)
    return value
