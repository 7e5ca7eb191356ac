"""The LoRA adapters a task asks for, as a backend reads them from ``params["adapters"]`` (a trained one from the
train task's artifact among the request's inputs)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

#: The weight file of a train task's artifact (``meta["role"] == "lora"``).
LORA_FILE = "lora.safetensors"


@dataclass(frozen=True, slots=True)
class Adapter:
    """One adapter of a task: a weight file (``file``, relative to the project root, or a trained LoRA's path in
    the store) or a hub repository (``hub``, with ``weight_name`` and ``revision``), applied at ``weight``;
    ``label`` is a short name to show; ``task`` the train task that made it, ``placeholder`` when that was a
    preview (untrained) one."""

    label: str
    weight: float
    file: str | None = None
    hub: str | None = None
    weight_name: str | None = None
    revision: str | None = None
    task: str | None = None
    placeholder: bool = False

    @property
    def source(self) -> str:
        """What a loader takes: the file's path or the hub id."""
        return self.file if self.file is not None else str(self.hub)

    def path(self, root: Path) -> Path | None:
        """The weight file's path (None for a hub adapter)."""
        return None if self.file is None else root / self.file


def adapters_of(params: Mapping[str, Any], inputs: Iterable[Any] = ()) -> tuple[Adapter, ...]:
    """A task's adapters in the order they apply (none when its params name none); a trained adapter's file is the
    LoRA of its train task's artifact among ``inputs``."""
    trained = {artifact.task_id: artifact for artifact in inputs}
    out = []
    for a in params.get("adapters") or ():
        file, task, placeholder = a.get("file"), a.get("task"), False
        if task is not None:
            artifact = trained.get(task)
            if artifact is None or LORA_FILE not in artifact.files:
                raise ValueError(f"adapter {a.get('lora')!r}: the LoRA of {task} is not among the task's inputs")
            file, placeholder = str(artifact.files[LORA_FILE]), bool(artifact.meta.get("placeholder"))
        out.append(Adapter(label=str(a.get("lora", "")), weight=float(a["weight"]), file=file, hub=a.get("hub"),
                           weight_name=a.get("weight_name"), revision=a.get("revision"), task=task,
                           placeholder=placeholder))
    return tuple(out)
