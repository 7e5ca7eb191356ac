"""Tasks: one unit of work with a stable readable id, its stage, canonical parameters and inputs."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from .location import Location

#: Task kinds and the configured stage that serves each (``source`` needs no model: it imports a file).
STAGE_OF_KIND = {
    "layout": "layout",
    "control": "control",
    "sheet": "draft",
    "draft": "draft",
    "refine": "refine",
    "edit": "edit",
    "upscale": "upscale",
    "train": "train",
    "source": "source",
    "contact": "export",
    "export": "export",
}


@dataclass(frozen=True, slots=True)
class Task:
    """A node of the build graph. ``params`` is canonical JSON-able data; ``files`` are external files it reads."""

    id: str
    kind: str
    params: Mapping[str, Any]
    inputs: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    where: Location | None = field(default=None, compare=False)
    series: str | None = None
    scene: str | None = None

    @property
    def stage(self) -> str:
        return STAGE_OF_KIND[self.kind]


def canonical(value: Any) -> str:
    """The one JSON text of a value that keys hash: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
