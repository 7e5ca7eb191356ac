"""Where a declaration was made: the user's file and line, found by walking out of zflow's own frames."""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from types import CodeType

from ..contracts.location import Location, shown_path

_ZFLOW_DIR = str(Path(__file__).resolve().parent.parent)


def caller_location() -> Location:
    """The innermost frame outside the zflow package: the line the user wrote."""
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        file = _user_file(code.co_filename)
        if file is not None:
            site = (id(code), frame.f_lasti)  # by identity: equal code in another file is another place
            found = _SITES.get(site)
            if found is None:  # a new call site (a loop declares many things from one)
                if len(_SITES) >= _MAX_SITES:
                    _SITES.clear()
                found = _SITES[site] = (code, Location(file, frame.f_lineno))
            return found[1]
        frame = frame.f_back
    return Location("<unknown>", 0)


#: Locations by call site, holding the code object so its id stays its own: working out a line number is slow.
_SITES: dict[tuple[int, int], tuple[CodeType, Location]] = {}
_MAX_SITES = 8192


@functools.lru_cache(maxsize=4096)
def _user_file(name: str) -> str | None:
    """The absolute path of a code file outside zflow (a recipe or helper), None for zflow's own and frozen code."""
    if name.startswith(_ZFLOW_DIR) or name.startswith("<frozen"):
        return None
    return os.path.abspath(name) if not name.startswith("<") else name
