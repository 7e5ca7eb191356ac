"""The core edit operations (inpaint, background, outpaint, restyle, instruct): parameter checks and output sizes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Mapping

from zflow.contracts import REQUIRED

from . import checks


@dataclass(frozen=True, slots=True)
class Inpaint:
    """Repaint a region: ``region`` ("face", "subject", a 0-1 box or a mask file), ``prompt``, ``strength``."""

    name: ClassVar[str] = "inpaint"
    arguments: ClassVar[Mapping[str, Any]] = {"region": REQUIRED, "prompt": REQUIRED, "strength": 1.0}
    file_arguments: ClassVar[frozenset[str]] = frozenset({"region"})  # a mask image
    size_arguments: ClassVar[frozenset[str]] = frozenset()

    def normalize(self, params: Mapping[str, Any], size: tuple[int, int]) -> dict[str, Any]:
        checks.check_keys(self.name, params, self.arguments)
        return {"region": checks.region(params["region"]),
                "prompt": checks.prompt(self.name, params["prompt"], required=True),
                "strength": checks.strength(self.name, params.get("strength", self.arguments["strength"]))}

    def output_size(self, params: Mapping[str, Any], size: tuple[int, int]) -> tuple[int, int]:
        return size[0], size[1]


@dataclass(frozen=True, slots=True)
class Background:
    """Replace everything but the subject with ``prompt``."""

    name: ClassVar[str] = "background"
    arguments: ClassVar[Mapping[str, Any]] = {"prompt": REQUIRED}
    file_arguments: ClassVar[frozenset[str]] = frozenset()
    size_arguments: ClassVar[frozenset[str]] = frozenset()

    def normalize(self, params: Mapping[str, Any], size: tuple[int, int]) -> dict[str, Any]:
        checks.check_keys(self.name, params, self.arguments)
        return {"prompt": checks.prompt(self.name, params["prompt"], required=True)}

    def output_size(self, params: Mapping[str, Any], size: tuple[int, int]) -> tuple[int, int]:
        return size[0], size[1]


@dataclass(frozen=True, slots=True)
class Outpaint:
    """Grow the canvas to ``size`` (an aspect such as "9:16" or "WxH"), the input centred, the border painted."""

    name: ClassVar[str] = "outpaint"
    arguments: ClassVar[Mapping[str, Any]] = {"size": REQUIRED, "prompt": ""}
    file_arguments: ClassVar[frozenset[str]] = frozenset()
    size_arguments: ClassVar[frozenset[str]] = frozenset({"size"})

    def normalize(self, params: Mapping[str, Any], size: tuple[int, int]) -> dict[str, Any]:
        checks.check_keys(self.name, params, self.arguments)
        return {"size": checks.canvas(params["size"], size),
                "prompt": checks.prompt(self.name, params.get("prompt", self.arguments["prompt"]), required=False)}

    def output_size(self, params: Mapping[str, Any], size: tuple[int, int]) -> tuple[int, int]:
        width, height = checks.canvas(params["size"], size)
        return width, height


@dataclass(frozen=True, slots=True)
class Restyle:
    """Redraw the whole image in the style of ``prompt``; ``strength`` is how far it moves (default 0.6)."""

    name: ClassVar[str] = "restyle"
    arguments: ClassVar[Mapping[str, Any]] = {"prompt": REQUIRED, "strength": 0.6}
    file_arguments: ClassVar[frozenset[str]] = frozenset()
    size_arguments: ClassVar[frozenset[str]] = frozenset()

    def normalize(self, params: Mapping[str, Any], size: tuple[int, int]) -> dict[str, Any]:
        checks.check_keys(self.name, params, self.arguments)
        return {"prompt": checks.prompt(self.name, params["prompt"], required=True),
                "strength": checks.strength(self.name, params.get("strength", self.arguments["strength"]))}

    def output_size(self, params: Mapping[str, Any], size: tuple[int, int]) -> tuple[int, int]:
        return size[0], size[1]


@dataclass(frozen=True, slots=True)
class Instruct:
    """Edit by instruction ("make her smile, keep everything else") on a model that takes one: ``strength`` (None:
    the model's own) and ``references``, image files or characters whose sheets go in beside the image."""

    name: ClassVar[str] = "instruct"
    arguments: ClassVar[Mapping[str, Any]] = {"prompt": REQUIRED, "strength": None, "references": ()}
    file_arguments: ClassVar[frozenset[str]] = frozenset({"references"})
    size_arguments: ClassVar[frozenset[str]] = frozenset()

    def normalize(self, params: Mapping[str, Any], size: tuple[int, int]) -> dict[str, Any]:
        checks.check_keys(self.name, params, self.arguments)
        value = params.get("strength", self.arguments["strength"])
        return {"prompt": checks.prompt(self.name, params["prompt"], required=True),
                "strength": None if value is None else checks.strength(self.name, value),
                "references": checks.references(self.name, params.get("references", ()))}

    def output_size(self, params: Mapping[str, Any], size: tuple[int, int]) -> tuple[int, int]:
        return size[0], size[1]


#: One instance of each core operation, in the order ``zflow plugins`` lists them.
CORE_OPS = (Inpaint(), Background(), Outpaint(), Restyle(), Instruct())
