"""LoRA adapters in the recipe language: ``Lora(file_or_hub_id, weight=0.8, weight_name=None, revision=None)``, given
to a Style, a Character, a Series, a scene or a stage of zflow.toml."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .registry import DeclarationError, current
from .source import Location, caller_location, shown_path
from .tables import resolve

#: Suffixes of adapter weight files; a source ending in one is a file (relative to the file that names it).
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt")
_HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True, slots=True)
class Lora:
    """A LoRA adapter: a weight file (its content is part of the keys of the tasks that use it) or a hub repository
    (its id, revision and weight file name are), applied at ``weight``."""

    source: str  # the hub id, or the file's absolute path
    weight: float
    weight_name: str | None
    revision: str | None
    file: Path | None
    where: Location = field(compare=False, repr=False)

    def __init__(self, file_or_hub_id: str | Path, weight: float = 0.8, weight_name: str | None = None,
                 revision: str | None = None):
        where = caller_location()
        self._set(file_or_hub_id, weight, weight_name, revision, where)
        if self.file is not None:
            current().files_read.add(self.file)

    @classmethod
    def at(cls, source: Any, weight: Any, weight_name: Any, revision: Any, where: Location) -> "Lora":
        """A LoRA declared outside a recipe (a stage of zflow.toml), its file relative to ``where``'s folder."""
        lora = cls.__new__(cls)
        lora._set(source, weight, weight_name, revision, where)
        return lora

    def _set(self, source: Any, weight: Any, weight_name: Any, revision: Any, where: Location) -> None:
        set_ = object.__setattr__
        set_(self, "where", where)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight):
            raise DeclarationError(f"Lora({source!r}): weight must be a number, not {weight!r}", where)
        for name, value in (("weight_name", weight_name), ("revision", revision)):
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise DeclarationError(f"Lora({source!r}): {name} must be text, not {value!r}", where)
        set_(self, "weight", float(weight))
        set_(self, "weight_name", weight_name)
        set_(self, "revision", revision)
        set_(self, "file", None)
        if not isinstance(source, (str, Path)) or not str(source).strip():
            raise DeclarationError(f"Lora({source!r}): give a .safetensors file or a hub id (owner/name)", where)
        text = str(source).strip()
        path = resolve(text, where)
        if isinstance(source, Path) or text.lower().endswith(WEIGHT_SUFFIXES) or path.is_file():
            if not path.is_file():
                raise DeclarationError(f"LoRA file {shown_path(str(path))} not found", where)
            if revision is not None or weight_name is not None:
                raise DeclarationError(f"Lora({text!r}): revision and weight_name are for hub ids, not files", where)
            set_(self, "source", str(path))
            set_(self, "file", path)
            return
        if not _HUB_ID.match(text):
            raise DeclarationError(f"Lora({text!r}): not a weight file ({', '.join(WEIGHT_SUFFIXES)}) nor a hub id "
                                   f"(owner/name)", where)
        set_(self, "source", text)

    @property
    def label(self) -> str:
        """A short name to show: the file's name without its suffix, or the hub repository's name."""
        if self.file is not None:
            return self.file.stem
        return self.source.rsplit("/", 1)[-1] + (f"/{Path(self.weight_name).stem}" if self.weight_name else "")


def check_loras(value: Any, where: Location, what: str = "loras") -> tuple[Lora, ...]:
    """A list of Lora (one Lora, or a file path or hub id for one at the default weight, is taken as a list of one)."""
    if value is None:
        return ()
    items = [value] if isinstance(value, (Lora, str, Path)) else value
    if not isinstance(items, (list, tuple)):
        raise DeclarationError(f"{what}={value!r}: give Lora(...) or a list of them", where)
    out = []
    for item in items:
        if isinstance(item, (str, Path)):
            item = Lora.at(item, 0.8, None, None, where)
            if item.file is not None:
                current().files_read.add(item.file)
        elif not isinstance(item, Lora):
            raise DeclarationError(f"{what}: {item!r} is not a Lora(...)", where)
        out.append(item)
    return tuple(out)
