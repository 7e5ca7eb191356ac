"""File signatures: what tells a changed file without reading it (its size and modification time)."""
from __future__ import annotations

import os
from pathlib import Path

Signature = tuple[int, int]


def signature(path: str | Path) -> Signature | None:
    """A file's size and modification time in nanoseconds; None when it is missing or unreadable."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns
