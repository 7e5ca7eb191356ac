"""Writes and deletes stay inside their folder: no path zflow touches passes through a link that leads out of it."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import StoreError


class LinkEscapes(StoreError):
    """A path under out/ or .zflow/ goes through a symbolic link to somewhere outside that folder."""


def check_confined(path: Path, root: Path, checked: set[Path] | None = None) -> None:
    """Raise LinkEscapes when ``path`` or any folder between ``root`` and it is a symbolic link whose target lies
    outside ``root`` (``root`` itself may be a link: it is where the user put the folder). Folders in ``checked``
    are known to be safe and are added to it once checked."""
    current = root
    for part in path.relative_to(root).parts:
        current = current / part
        if checked is not None and current in checked:
            continue
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return  # nothing from here on exists: zflow makes real folders
        if stat.S_ISLNK(mode):
            base, real = os.path.realpath(root), os.path.realpath(current)
            if real != base and not real.startswith(base + os.sep):
                raise LinkEscapes(f"{_shown(current)} is a symbolic link to {real}, outside {_shown(root)}/; zflow "
                                  "never writes or deletes through it. Replace the link with a real folder (or "
                                  "move what it points at into the folder) and build again")
        if checked is not None and current != path:
            checked.add(current)


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
