"""A task's LoRA adapters as parameters: the stage's (zflow.toml), then the series', the style's, the cast's and the
scene's own. A file adapter's content is keyed through the task's files; a hub adapter by id, revision and file."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from ..dsl import Character, Lora, Scene, Style

if TYPE_CHECKING:
    from .build import Builder


def recipe_loras(series: Any, style: Style | None, cast: Iterable[Character], scene: Scene) -> tuple[Lora, ...]:
    """The adapters a scene's recipe gives it, in the order they apply: series, style, cast, scene."""
    return (*series.loras, *(style.loras if style else ()), *(c.lora for c in cast if c.lora), *scene.loras)


def adapter_params(b: Builder, stage: str, loras: Iterable[Lora]) -> tuple[dict[str, Any], list[str]]:
    """``{"adapters": [...]}`` for a task of ``stage`` (nothing when it has none, so a recipe without LoRAs keeps its
    keys) and the adapter files it reads. The same adapter named twice is applied once, at the last weight given."""
    chosen: dict[tuple, Lora] = {}
    for lora in (*b.opt.stage_loras.get(stage, ()), *loras):
        chosen[lora.source, lora.weight_name, lora.revision] = lora
    entries, files = [], []
    for lora in chosen.values():
        entry: dict[str, Any] = {"lora": lora.label, "weight": lora.weight}
        if lora.file is not None:
            entry["file"] = b.probe.file(lora.file, lora.where, "LoRA file")
            files.append(entry["file"])
        else:
            entry |= {"hub": lora.source, "revision": lora.revision, "weight_name": lora.weight_name}
        entries.append(entry)
    return ({"adapters": entries} if entries else {}), files
