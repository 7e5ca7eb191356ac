"""Threads a recipe starts and leaves running, so that the command can name them instead of waiting for them."""
from __future__ import annotations

import threading
import weakref
from contextlib import contextmanager
from typing import Iterator

_STARTED: "weakref.WeakSet[threading.Thread]" = weakref.WeakSet()


@contextmanager
def noting_threads() -> Iterator[None]:
    """Remember the non-daemon threads started while the block runs (Python waits for those before exiting)."""
    before = set(threading.enumerate())
    try:
        yield
    finally:
        _STARTED.update(t for t in threading.enumerate() if t not in before and not t.daemon)


def left_running() -> list[threading.Thread]:
    """The threads recipes started that are still running."""
    return sorted((t for t in _STARTED if t.is_alive()), key=lambda t: t.name)
