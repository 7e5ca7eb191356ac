"""A character's train task: its training images (files, its reference image, or a generated turnaround set of
sheets) with their captions, and its settings; made once however many scenes cast the character."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from ..contracts import Location, Task, parse_size, shown_path
from ..dsl import Character, File
from ..dsl.training import REFERENCE, Sheets, caption_file
from .adapters import adapter_params
from .keys import derived_seed
from .kinds import SHEET_ASPECT, picks_place, sheet
from .model import fail

if TYPE_CHECKING:
    from .build import Builder

#: ``Train()`` without images: the reference image when the character has one, else this turnaround set.
DEFAULT_SHEETS = 12
#: The picks file's key of a turnaround sheet pruned in the gallery (``"characters/nabi/turnaround-03#drop": 1``;
#: 0, as earlier galleries wrote, keeps it): a sheet is trained on unless the recipe's ``Sheets(drop=...)`` or
#: the picks file drops it.
DROP_PICK = "#drop"


def train(b: Builder, character: Character) -> Task | None:
    """The character's train task (None when it trains none), made once however many scenes cast it."""
    if character.train is None:
        return None
    made = b.trained.get(character.name)
    if made is None:
        made = b.trained[character.name] = _new_train(b, character)
    return made


def _new_train(b: Builder, character: Character) -> Task:
    t = character.train
    caption = f"{character.trigger}, {character.looks}"
    sources = t.images or ((REFERENCE,) if character.reference is not None else (_default_sheets(),))
    images: list[dict[str, Any]] = []
    inputs: list[str] = []
    files: list[str] = []
    for source in sources:
        if isinstance(source, File):
            rel = b.probe.image(source, f"training image of {character.name!r}")[0]
            files.append(rel)
            images.append({"file": rel, "caption": _caption(b, source, caption)})
        elif source == REFERENCE:
            inputs.append(sheet(b, character).id)
            images.append({"task": inputs[-1], "caption": caption})
        else:
            made = [(number, _turnaround(b, character, number, view).id, view) for number, view in source.views]
            kept = [(task_id, view) for number, task_id, view in made
                    if not (_dropped(b, task_id) or number in source.drop)]
            if not kept:
                raise fail(picks_place(b), f"every turnaround sheet of {character.name!r} is dropped, which leaves "
                                           f"no sheet to train on: restore one in the gallery or here")
            inputs += [task_id for task_id, _ in kept]
            images += [{"task": task_id, "caption": f"{caption}, {view}"} for task_id, view in kept]
    adapters, adapter_files = adapter_params(b, "train", (t.adapter,) if t.adapter else ())
    settings = {"steps": t.steps, "rank": t.rank, "alpha": t.alpha or float(t.rank), "lr": t.lr,
                "resolution": t.resolution, "batch_size": t.batch_size, "seed": t.seed,
                "checkpoint_every": t.checkpoint_every}
    params = {"name": character.name, "trigger": character.trigger, "base": t.base or "train", "images": images,
              "settings": settings, "training_adapters": adapters.get("adapters", [])}
    return b.add(Task(id=f"characters/{character.name}/train", kind="train", params=params,
                      inputs=tuple(dict.fromkeys(inputs)), files=tuple(files + adapter_files), where=t.where))


def _default_sheets() -> Sheets:
    return Sheets(DEFAULT_SHEETS)


def recipe_drops(characters: Mapping[str, Character]) -> dict[str, Location]:
    """The turnaround sheets the recipe drops (``Sheets(drop=[...])``): sheet task id -> where that ``Sheets`` is."""
    return {turnaround_id(name, number): source.where for name, character in characters.items()
            if character.train is not None for source in character.train.images if isinstance(source, Sheets)
            for number in source.drop}


def turnaround_id(name: str, number: int) -> str:
    """The task id of a character's turnaround sheet ``number`` (1-based)."""
    return f"characters/{name}/turnaround-{number:02}"


def _dropped(b: Builder, task_id: str) -> bool:
    """Whether the picks file drops a turnaround sheet (1 drops it, 0 keeps it); RecipeError for another value."""
    value = b.opt.picks.get(task_id + DROP_PICK, 0)
    if value not in (0, 1):
        raise fail(picks_place(b), f"{task_id}{DROP_PICK}: {value!r} is neither 1 (dropped) nor 0 (kept)")
    return value == 1


def _caption(b: Builder, image: File, default: str) -> str:
    """The caption file beside an image (``name.txt``), else ``default``."""
    path = caption_file(image.path)
    b.probe.reads.append(path)
    if not path.is_file():
        return default
    try:
        text = " ".join(path.read_text(encoding="utf-8").split())
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(image.where, f"caption file {shown_path(str(path))} cannot be read as UTF-8 text "
                                f"({type(exc).__name__})") from None
    return text or default


def _turnaround(b: Builder, character: Character, number: int, view: str) -> Task:
    """One sheet of a generated turnaround set, from the looks (and the reference image, for backends that take
    one): an ordinary keyed sheet task."""
    task_id = turnaround_id(character.name, number)
    size = parse_size(SHEET_ASPECT, b.opt.base_pixels)
    adapters, files = adapter_params(b, "draft", ())
    params = {"name": character.name, "looks": character.looks, "style": "", "negative": "",
              "prompt": f"character sheet of {character.looks}, {view}, plain background",
              "size": list(size), "seed": derived_seed(task_id)} | adapters
    inputs = (sheet(b, character).id,) if character.reference is not None else ()
    return b.add(Task(id=task_id, kind="sheet", params=params, inputs=inputs, files=tuple(files),
                      where=character.where), size)
