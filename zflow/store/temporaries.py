"""Temporary files a killed writer left behind (``write_atomic``'s ``.NAME.XXXXXXXX.tmp``) and work folders of tasks
no longer built, found and removed."""
from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

from ..contracts.work import WORK_FOLDER

_TEMPORARY = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")


def sweep_temporaries(folder: Path, before: float) -> int:
    """Remove the temporary files under ``folder`` last changed before ``before`` (a time.time()); returns how
    many. Links are not followed."""
    removed = 0
    if not folder.is_dir():
        return 0
    for parent, dirs, files in os.walk(folder):
        for name in files:
            if not _TEMPORARY.match(name):
                continue
            removed += _remove_if_older(os.path.join(parent, name), before)
    return removed


def _remove_if_older(path: str, before: float) -> bool:
    """Remove the file ``path`` if it was last changed before ``before`` and is not a link; whether it was."""
    try:
        st = os.lstat(path)
        if st.st_mtime < before and not stat.S_ISLNK(st.st_mode):
            os.unlink(path)
            return True
    except FileNotFoundError:
        pass
    return False


#: A temporary of a file kept outside the store (the picks file) this old is a killed writer's, not a live one's:
#: such a file is written outside the project lock, by a watch session, and lives for a moment.
STALE_SECONDS = 60.0


def sweep_temporaries_of(file: Path, before: float) -> int:
    """Remove the temporaries of one file (``.NAME.XXXXXXXX.tmp`` beside it) last changed before ``before``."""
    pattern = re.compile(rf"^\.{re.escape(file.name)}\.[A-Za-z0-9_]{{8}}\.tmp$")
    removed = 0
    try:
        entries = list(os.scandir(file.parent))
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for entry in entries:
        if pattern.match(entry.name):
            removed += _remove_if_older(entry.path, before)
    return removed


def sweep_work(root: Path, keep: set[str]) -> int:
    """Remove the task work folders (``WORK_FOLDER``) whose key is not in ``keep``; returns how many."""
    folder = root / WORK_FOLDER
    if not folder.is_dir() or folder.is_symlink():
        return 0
    stale = [entry for entry in folder.iterdir() if entry.name not in keep]
    for entry in stale:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    return len(stale)
