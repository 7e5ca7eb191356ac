"""The plain values of a recipe: files it reads, characters and styles, and the check that keyword values are
plain data."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .adapters import Lora, check_loras
from .names import check_name
from .registry import DeclarationError, current
from .source import Location, caller_location
from .tables import Row, resolve
from .words import did_you_mean


@dataclass(frozen=True, slots=True)
class File:
    """An external file a declaration reads; its content is part of the keys of the tasks that use it."""

    path: Path
    where: Location

    @classmethod
    def at(cls, path: str | Path, where: Location) -> "File":
        file = cls(resolve(path, where), where)
        current().files_read.add(file.path)
        return file


def template(path: str | Path) -> File:
    """A prompt or post template kept in its own file, next to the calling recipe."""
    return File.at(path, caller_location())


@dataclass(frozen=True, slots=True)
class Character:
    """A recurring character: a look in words, optionally a reference image, and optionally a LoRA adapter (given,
    or trained from images with ``train=Train(...)``) with its trigger word (rendered into ``{{ cast }}``)."""

    name: str
    looks: str
    reference: File | None = None
    lora: Lora | None = None
    trigger: str = ""
    train: Any = None  # a Train
    where: Location = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __init__(self, name: str, looks: str, reference: str | Path | None = None, lora: Lora | str | None = None,
                 trigger: str = "", train: Any = None):
        where = caller_location()
        set_ = object.__setattr__
        set_(self, "where", where)
        set_(self, "name", check_name("character", name, where))
        if not isinstance(looks, str) or not looks.strip():
            raise DeclarationError(f"character {name!r} needs looks: a description in words", where)
        set_(self, "looks", looks.strip())
        set_(self, "reference", File.at(reference, where) if reference is not None else None)
        loras = check_loras(lora, where, "lora")
        if len(loras) > 1:
            raise DeclarationError(f"character {name!r}: lora= takes one Lora (put more on a style or scene)", where)
        set_(self, "lora", loras[0] if loras else None)
        if not isinstance(trigger, str) or (trigger and not trigger.strip()):
            raise DeclarationError(f"character {name!r}: trigger must be a word, not {trigger!r}", where)
        set_(self, "trigger", trigger.strip())
        set_(self, "train", None)
        if train is not None:
            from .training import check_train

            set_(self, "train", check_train(self, train, where))
            set_(self, "trigger", self.trigger or self.name)
        current().add_named(current().characters, "character", self)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Style:
    """A reusable look: prompt words (and words to avoid) shared by many scenes; import it from a brand file."""

    name: str
    text: str
    negative: str = ""
    loras: tuple[Lora, ...] = ()
    where: Location = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __init__(self, name: str, text: str, negative: str = "", loras: Any = ()):
        where = caller_location()
        object.__setattr__(self, "where", where)
        object.__setattr__(self, "name", check_name("style", name, where))
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "negative", negative)
        object.__setattr__(self, "loras", check_loras(loras, where))
        current().add_named(current().styles, "style", self)

    def __str__(self) -> str:
        return self.text


def freeze(params: Mapping[str, Any], where: Location, checked: tuple[tuple[str, Any], ...] = (),
           options: tuple[str, ...] = ()) -> tuple[tuple[str, Any], ...]:
    """Keyword arguments as sorted pairs, after checking each value is plain data (except the ``checked`` pairs:
    a series' own variables, already checked when it was declared). A value that is not, under a keyword close to
    one of ``options``, is a misspelt option."""
    for key, value in params.items():
        if type(value) not in _PLAIN_TYPES and (key, value) not in checked:
            try:
                check_plain(key, value, where)
            except DeclarationError:
                hint = did_you_mean(key, options)
                if hint:
                    raise DeclarationError(f"unknown keyword {key}=; {hint}", where) from None
                raise
    return tuple(sorted(params.items()))


_PLAIN = (str, int, float, bool, type(None), File, Style, Character, Row)
_PLAIN_TYPES = frozenset(_PLAIN)


def check_plain(key: str, value: Any, where: Location) -> None:
    if type(value) in _PLAIN_TYPES or isinstance(value, _PLAIN):
        return
    if type(value) in (list, tuple):  # not a Scene or Location (named tuples)
        if not _PLAIN_TYPES.issuperset(map(type, value)):
            for v in value:
                check_plain(key, v, where)
        return
    if isinstance(value, Mapping):
        for v in value.values():
            check_plain(key, v, where)
        return
    raise DeclarationError(f"{key}={value!r}: only plain data (text, numbers, lists, mappings) can be passed", where)
