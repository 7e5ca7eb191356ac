"""Character training in the recipe language: ``Train(...)`` (images, steps, rank, lr, resolution, ...) and
``Sheets(n)``, a turnaround set the sheet stage generates to train on."""
from __future__ import annotations

import glob
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .adapters import Lora, check_loras
from .parts import IMAGE_SUFFIXES
from .registry import DeclarationError, current
from .source import Location, caller_location, shown_path
from .tables import resolve
from .values import File

#: The views of a generated turnaround set, in order: ``Sheets(n)`` takes the first n.
SHEET_VIEWS = ("front view", "side view", "back view", "three-quarter view", "smiling, close-up",
               "laughing, close-up", "angry, close-up", "surprised, close-up", "sad, close-up", "full body, walking",
               "full body, sitting", "looking over the shoulder", "from above", "from below", "profile, left",
               "profile, right")
#: ``images="reference"``: the character's reference image.
REFERENCE = "reference"
#: Stages whose model a LoRA can be trained on (``base=``); None is the ``train`` stage of zflow.toml.
BASE_STAGES = ("train", "draft", "refine", "edit", "upscale")


@dataclass(frozen=True, slots=True)
class Sheets:
    """A turnaround set to train on: ``n`` character sheets (front, side, back, expressions...) the sheet stage
    generates first, each an ordinary keyed task; ``drop`` leaves out the numbers (1-based) found wanting."""

    n: int = 12
    drop: tuple[int, ...] = ()
    where: Location = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __init__(self, n: int = 12, drop: Any = ()):
        where = caller_location()
        object.__setattr__(self, "where", where)
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(SHEET_VIEWS):
            raise DeclarationError(f"Sheets(n={n!r}): n must be a whole number from 1 to {len(SHEET_VIEWS)}", where)
        items = [drop] if isinstance(drop, int) else drop
        if not isinstance(items, (list, tuple)) or not all(
                isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= n for i in items):
            raise DeclarationError(f"Sheets(drop={drop!r}): give sheet numbers from 1 to {n}", where)
        if len(set(items)) >= n:
            raise DeclarationError(f"Sheets(n={n}, drop={drop!r}) leaves no sheet to train on", where)
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "drop", tuple(sorted(set(items))))

    @property
    def views(self) -> list[tuple[int, str]]:
        """Every sheet, dropped ones too (made and shown in the gallery, not trained on): (number, view)."""
        return list(enumerate(SHEET_VIEWS[:self.n], start=1))


@dataclass(frozen=True, slots=True)
class Train:
    """How a character's LoRA is trained: on ``images`` (files or globs beside the recipe, ``"reference"`` for the
    character's reference image, or ``Sheets(n)``; default: the reference, else ``Sheets()``), each captioned by a
    ``.txt`` file beside it or by the trigger word and looks; ``steps`` optimizer steps of a rank ``rank`` LoRA at
    learning rate ``lr`` on images of ``resolution`` px; on the model of the stage ``base`` (None: the ``train``
    stage of zflow.toml, which defaults to the draft stage's); a checkpoint every ``checkpoint_every`` steps;
    ``adapter``, a training adapter (a Lora) merged while training a distilled model (Turbo); applied at
    ``weight``."""

    images: tuple[Any, ...]
    steps: int
    rank: int
    lr: float
    resolution: int
    base: str | None
    checkpoint_every: int
    weight: float
    alpha: float | None
    batch_size: int
    seed: int
    adapter: Lora | None
    where: Location = field(compare=False, repr=False)

    def __init__(self, images: Any = None, steps: int = 2000, rank: int = 32, lr: float = 1e-4,
                 resolution: int = 768, base: str | None = None, checkpoint_every: int = 250, weight: float = 1.0,
                 alpha: float | None = None, batch_size: int = 1, seed: int = 0, adapter: Any = None):
        where = caller_location()
        set_ = object.__setattr__
        set_(self, "where", where)
        set_(self, "images", _images(images, where))
        for name, value, low, high in (("steps", steps, 1, 1_000_000), ("rank", rank, 1, 1024),
                                       ("resolution", resolution, 64, 4096),
                                       ("checkpoint_every", checkpoint_every, 1, 1_000_000),
                                       ("batch_size", batch_size, 1, 256), ("seed", seed, 0, 2**31 - 1)):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise DeclarationError(f"Train({name}={value!r}): must be a whole number from {low} to {high}", where)
            set_(self, name, value)
        if resolution % 16:
            raise DeclarationError(f"Train(resolution={resolution}): must be a multiple of 16 "
                                   f"(use {max(64, round(resolution / 16) * 16)})", where)
        for name, value, low, high in (("lr", lr, 0.0, 1.0), ("weight", weight, -10.0, 10.0),
                                       ("alpha", alpha, 0.0, 1e6)):
            if value is None and name == "alpha":
                set_(self, name, None)
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not (
                    low <= value <= high) or (name in ("lr", "alpha") and value <= 0):
                raise DeclarationError(f"Train({name}={value!r}): must be a number in "
                                       f"{'(' if name in ('lr', 'alpha') else '['}{low:g}, {high:g}]", where)
            set_(self, name, float(value))
        if base is not None and base not in BASE_STAGES:
            raise DeclarationError(f"Train(base={base!r}): name the stage whose model to train on "
                                   f"({', '.join(BASE_STAGES)}), or leave it None", where)
        set_(self, "base", base)
        adapters = check_loras(adapter, where, "adapter")
        if len(adapters) > 1:
            raise DeclarationError("Train(adapter=...) takes one Lora: the training adapter", where)
        set_(self, "adapter", adapters[0] if adapters else None)


def _images(value: Any, where: Location) -> tuple[Any, ...]:
    """The training set's sources: File per image (globs expanded, sorted), REFERENCE, or a Sheets."""
    if value is None:
        return ()
    items = [value] if isinstance(value, (str, Path, Sheets)) else value
    if not isinstance(items, (list, tuple)) or not items:
        raise DeclarationError(f"Train(images={value!r}): give image files or globs, 'reference' or Sheets(n)", where)
    out: list[Any] = []
    for item in items:
        if isinstance(item, Sheets) or item == REFERENCE:
            out.append(item)
        elif isinstance(item, (str, Path)) and str(item).strip():
            out.extend(_files(str(item), where))
        else:
            raise DeclarationError(f"Train(images=...): {item!r} is not an image file, a glob, 'reference' or "
                                   f"Sheets(n)", where)
    return tuple(dict.fromkeys(out))


def _files(pattern: str, where: Location) -> list[File]:
    """The image files a path or glob names (each with its caption file's path read), in name order."""
    path = resolve(pattern, where)
    if glob.has_magic(pattern):
        found = sorted(Path(p) for p in glob.glob(str(path), recursive=True))
        images = [p for p in found if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
        current().files_read.add(_fixed_part(path))  # a folder: an image added to it changes its signature
        if not images:
            raise DeclarationError(f"Train(images={pattern!r}): no images ({', '.join(IMAGE_SUFFIXES)}) match "
                                   f"{shown_path(str(path))}", where)
    else:
        if not path.is_file():
            raise DeclarationError(f"training image {shown_path(str(path))} not found", where)
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            raise DeclarationError(f"training image {shown_path(str(path))}: not an image file "
                                   f"({', '.join(IMAGE_SUFFIXES)})", where)
        images = [path]
    for image in images:
        current().files_read.add(caption_file(image))  # watched even before it exists
    return [File.at(image, where) for image in images]


def _fixed_part(path: Path) -> Path:
    """The folder of a glob above its first wildcard."""
    parts = []
    for part in path.parts:
        if glob.has_magic(part):
            break
        parts.append(part)
    return Path(*parts)


def caption_file(image: Path) -> Path:
    """Where an image's own caption is kept: ``name.txt`` beside ``name.png``."""
    return image.with_suffix(".txt")


def check_train(character: Any, train: Any, where: Location) -> Train:
    """A character's ``train=``: a Train, with images it can have (a reference when it names one)."""
    name = character.name
    if not isinstance(train, Train):
        raise DeclarationError(f"character {name!r}: train= takes Train(...), not {train!r}", where)
    if character.lora is not None:
        raise DeclarationError(f"character {name!r}: give lora= or train=, not both", where)
    if REFERENCE in train.images and character.reference is None:
        raise DeclarationError(f"character {name!r}: Train(images='reference') needs the character's "
                               f"reference= image", train.where)
    return train
