"""Request limits shared by every thread of one loaded model: at most N calls at once, starts spaced by 60/rpm s."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Iterator


class Limits:
    """``slot()`` holds one of ``concurrency`` places and returns once the next start time allowed by ``rpm`` comes."""

    def __init__(self, concurrency: int, rpm: float | None):
        self._places = threading.BoundedSemaphore(concurrency)
        self._interval = 60.0 / rpm if rpm else 0.0
        self._lock = threading.Lock()
        self._next = 0.0

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._places:
            self._wait_turn()
            yield

    def _wait_turn(self) -> None:
        if not self._interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self._interval
        if start > now:
            time.sleep(start - now)
