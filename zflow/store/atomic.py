"""Atomic file writes: a temporary file in the same folder, then a rename over the target."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, folders: set[Path] | None = None) -> os.stat_result:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never a part; returns the
    written file's stat (taken before the rename, which keeps size and mtime: no second look-up of the path).
    ``folders`` remembers the folders already made, so a writer of many files makes each folder once."""
    if folders is None or path.parent not in folders:
        path.parent.mkdir(parents=True, exist_ok=True)
        if folders is not None:
            folders.add(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            written = os.fstat(fd)
        os.replace(tmp, path)
        return written
    except OSError as exc:
        _discard(tmp)
        if exc.filename is None:  # a failed write() names no file: say which one
            exc.filename = str(path)
        raise
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass
