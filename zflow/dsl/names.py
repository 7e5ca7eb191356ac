"""Checks that need no declaration: names users give things and scene ids (safe in task ids and output paths),
and pixel sizes."""
from __future__ import annotations

import re
from typing import Any

from ..contracts import Location, parse_size
from .registry import DeclarationError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_SCENE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*")


def check_name(kind: str, name: Any, where: Location) -> str:
    """A name used in task ids and output paths: letters, digits, '.', '_', '-'."""
    if not isinstance(name, str) or not _NAME.match(name) or name in (".", ".."):
        raise DeclarationError(f"invalid {kind} name {name!r}: use letters, digits, '.', '_' and '-'", where)
    return name


def check_scene_id(scene_id: Any, where: Location) -> str:
    """A scene id: name segments separated by '/', never escaping the output folder."""
    if not isinstance(scene_id, str) or not scene_id:
        raise DeclarationError(f"invalid scene id {scene_id!r}", where)
    if not _SCENE_ID.fullmatch(scene_id):  # segments start with a letter or digit, so none is "." or ".."
        raise DeclarationError(
            f"invalid scene id {scene_id!r}: segments of letters, digits, '.', '_', '-' joined by '/', no '..'",
            where,
        )
    return scene_id


def check_size(value: Any, where: Location, what: str = "size ") -> Any:
    """A pixel size is checked here, at its line (sides multiples of 16, see sizes); an aspect is sized when the
    graph is built, against the project's ``base_pixels``."""
    if isinstance(value, str) and ":" in value:
        return value
    try:
        parse_size(value)
    except ValueError as exc:
        raise DeclarationError(f"{what}{exc}", where) from None
    return value
