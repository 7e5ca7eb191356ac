"""Where a declaration was made: the user's file and line, found by walking out of zflow's own frames."""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import NamedTuple

_ZFLOW_DIR = str(Path(__file__).resolve().parent.parent)


class Location(NamedTuple):
    """A file and line in a user's recipe, helper module or data table (a tuple: made for every declaration)."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{shown_path(self.file)}:{self.line}"


def shown_path(path: str) -> str:
    """A path as a user wants to read it: relative to the working folder when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def caller_location() -> Location:
    """The innermost frame outside the zflow package: the line the user wrote."""
    frame = sys._getframe(1)
    while frame is not None:
        file = _user_file(frame.f_code.co_filename)
        if file is not None:
            return Location(file, frame.f_lineno)
        frame = frame.f_back
    return Location("<unknown>", 0)


@functools.lru_cache(maxsize=4096)
def _user_file(name: str) -> str | None:
    """The absolute path of a code file outside zflow (a recipe or helper), None for zflow's own and frozen code."""
    if name.startswith(_ZFLOW_DIR) or name.startswith("<frozen"):
        return None
    return os.path.abspath(name) if not name.startswith("<") else name
