"""The disk says no (full, read-only, not ours to write): one error that says what happened, where, and what to do."""
from __future__ import annotations

import errno
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import StoreError

_ADVICE = {
    errno.ENOSPC: "the disk is full: free some space (`zflow gc` drops store objects no task uses) and build again",
    errno.EDQUOT: "the disk quota is used up: free some space (`zflow gc` helps) and build again",
    errno.EFBIG: "the file is larger than this process may write (a file size limit): raise the limit and build again",
    errno.EROFS: "the file system is read-only: mount it writable, or set `output` in zflow.toml to a writable folder",
    errno.EACCES: "permission denied: make the folder writable by this user, or set `output` to a writable folder",
    errno.EPERM: "the operation is not permitted here: make the folder writable by this user",
}


class StorageError(StoreError):
    """The project's disk refused a write. The store stays consistent: finished tasks are kept and the next build
    goes on from them."""

    exit_code = 3


@contextmanager
def storage_errors(where: Path | str) -> Iterator[None]:
    """Turn a refused write inside the block (disk full, read-only, no permission) into a StorageError naming the
    path; other errors pass through."""
    try:
        yield
    except OSError as exc:
        advice = _ADVICE.get(exc.errno)
        if advice is None:
            raise
        raise _refused(exc.filename or where, exc.strerror, advice) from exc
    except sqlite3.OperationalError as exc:
        text = str(exc).lower()
        if "full" in text or ("disk i/o error" in text and _nearly_full(where)):
            advice = _ADVICE[errno.ENOSPC]
        elif "readonly" in text or "read-only" in text:
            advice = _ADVICE[errno.EROFS]
        else:
            raise
        raise _refused(f"the store index in {where}", str(exc), advice) from exc


def _refused(path: object, what: str, advice: str) -> StorageError:
    return StorageError(f"the disk refused a write to {path}: {what}; {advice}. Finished tasks are kept and the "
                        "next build goes on from them")


def _nearly_full(where: Path | str) -> bool:
    """Whether the file system holding ``where`` (or its nearest existing parent) has less than 1 MiB free: SQLite
    reports a full disk as a plain I/O error when it cannot grow its shared-memory file."""
    path = Path(where)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        st = os.statvfs(path)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 1024 * 1024
