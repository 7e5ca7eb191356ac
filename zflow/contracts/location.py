"""Where something was declared: a file and line, shown relative to the working folder."""
from __future__ import annotations

import os
from typing import NamedTuple


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
