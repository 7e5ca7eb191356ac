"""Debouncing: collect changed paths and deliver them as one set after a quiet interval."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable


class Debouncer:
    """Collects paths from any thread; after ``quiet`` seconds without a new one, calls ``deliver`` once with all."""

    def __init__(self, quiet: float, deliver: Callable[[set[Path]], None]):
        self.quiet = quiet
        self.deliver = deliver
        self._pending: set[Path] = set()
        self._deadline = 0.0
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name="zflow-debounce", daemon=True)
        self._thread.start()

    def add(self, paths: set[Path]) -> None:
        with self._cond:
            self._pending |= paths
            self._deadline = time.monotonic() + self.quiet
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (not self._pending or time.monotonic() < self._deadline):
                    self._cond.wait(None if not self._pending else max(0.0, self._deadline - time.monotonic()))
                if self._stopped:
                    return
                batch, self._pending = self._pending, set()
            self.deliver(batch)
