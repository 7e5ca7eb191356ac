"""Where a declaration was made: the user's file and line, found by walking out of zflow's own frames."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

_ZFLOW_DIR = str(Path(__file__).resolve().parent.parent)


@dataclass(frozen=True, slots=True)
class Location:
    """A file and line in a user's recipe, helper module or data table."""

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
        name = frame.f_code.co_filename
        if not name.startswith(_ZFLOW_DIR) and not name.startswith("<frozen"):
            return Location(os.path.abspath(name) if not name.startswith("<") else name, frame.f_lineno)
        frame = frame.f_back
    return Location("<unknown>", 0)
