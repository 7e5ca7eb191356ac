"""A task's LoRA adapters as parameters: the stage's (zflow.toml), then the series', the style's, the cast's and the
scene's own. A file adapter's content is keyed through the task's files; a hub adapter by id, revision and file; a
trained one through its train task, an input of the task."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

from ..dsl import Character, Lora, Scene, Style

if TYPE_CHECKING:
    from .build import Builder


@dataclass(frozen=True, slots=True)
class Trained:
    """A character's LoRA trained by its train task on the model of stage ``base``, applied at ``weight``."""

    label: str
    weight: float
    task: str
    base: str

    @classmethod
    def of(cls, character: Character) -> "Trained":
        train = character.train
        return cls(character.name, train.weight, f"characters/{character.name}/train", train.base or "train")


def recipe_loras(series: Any, style: Style | None, cast: Iterable[Character], scene: Scene) -> tuple[Any, ...]:
    """The adapters a scene's recipe gives it, in the order they apply: series, style, cast (given or trained),
    scene."""
    cast_loras = (c.lora or (Trained.of(c) if c.train else None) for c in cast)
    return (*series.loras, *(style.loras if style else ()), *(lora for lora in cast_loras if lora), *scene.loras)


def trained_inputs(params: Any) -> tuple[str, ...]:
    """The train tasks whose LoRAs a task's adapters name (its inputs, so retraining rebuilds it)."""
    return tuple(a["task"] for a in params.get("adapters") or () if "task" in a)


def adapter_params(b: Builder, stage: str, loras: Iterable[Lora]) -> tuple[dict[str, Any], list[str]]:
    """``{"adapters": [...]}`` for a task of ``stage`` (nothing when it has none, so a recipe without LoRAs keeps its
    keys) and the adapter files it reads. The same adapter named twice is applied once, at the last weight given. A
    trained adapter applies where the stage's model is the one it was trained on."""
    chosen: dict[tuple, Any] = {}
    for lora in (*b.opt.stage_loras.get(stage, ()), *loras):
        if isinstance(lora, Trained):
            models = b.opt.stage_models
            if models.get(stage) == models.get(lora.base):
                chosen[lora.task,] = lora
            continue
        chosen[lora.source, lora.weight_name, lora.revision] = lora
    entries, files = [], []
    for lora in chosen.values():
        if isinstance(lora, Trained):
            entries.append({"lora": lora.label, "weight": lora.weight, "task": lora.task})
            continue
        entry: dict[str, Any] = {"lora": lora.label, "weight": lora.weight}
        if lora.file is not None:
            entry["file"] = b.probe.file(lora.file, lora.where, "LoRA file")
            files.append(entry["file"])
        else:
            entry |= {"hub": lora.source, "revision": lora.revision, "weight_name": lora.weight_name}
        entries.append(entry)
    return ({"adapters": entries} if entries else {}), files
