"""The LoRA adapters a task asks for, as a backend reads them from ``params["adapters"]``."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping


@dataclass(frozen=True, slots=True)
class Adapter:
    """One adapter of a task: a weight file (``file``, relative to the project root) or a hub repository (``hub``,
    with ``weight_name`` and ``revision``), applied at ``weight``; ``label`` is a short name to show."""

    label: str
    weight: float
    file: str | None = None
    hub: str | None = None
    weight_name: str | None = None
    revision: str | None = None

    @property
    def source(self) -> str:
        """What a loader takes: the file's path or the hub id."""
        return self.file if self.file is not None else str(self.hub)

    def path(self, root: Path) -> Path | None:
        """The weight file's path (None for a hub adapter)."""
        return None if self.file is None else root / self.file


def adapters_of(params: Mapping[str, Any]) -> tuple[Adapter, ...]:
    """A task's adapters in the order they apply (none when its params name none)."""
    return tuple(Adapter(label=str(a.get("lora", "")), weight=float(a["weight"]), file=a.get("file"),
                         hub=a.get("hub"), weight_name=a.get("weight_name"), revision=a.get("revision"))
                 for a in params.get("adapters") or ())
