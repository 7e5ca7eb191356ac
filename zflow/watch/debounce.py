"""Debouncing: collect changed paths and deliver them as one set after a quiet interval, once the saves behind
them are done."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

#: Longest wait, in seconds after the first pending path, for a save that is still half done to finish.
HOLD = 2.0


class Debouncer:
    """Collects paths from any thread; after ``quiet`` seconds without a new one, calls ``deliver`` once with all.
    While ``settled(paths)`` says a save is still half done (a file truncated but not yet closed, a file renamed
    away and not yet written again), delivery waits for the next path, at most ``hold`` seconds."""

    def __init__(self, quiet: float, deliver: Callable[[set[Path]], None],
                 settled: Callable[[set[Path]], bool] = lambda paths: True, hold: float = HOLD):
        self.quiet = quiet
        self.deliver = deliver
        self.settled = settled
        self.hold = hold
        self._pending: set[Path] = set()
        self._deadline = 0.0
        self._limit = 0.0
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name="zflow-debounce", daemon=True)
        self._thread.start()

    def add(self, paths: set[Path]) -> None:
        with self._cond:
            now = time.monotonic()
            if not self._pending:
                self._limit = now + self.hold
            self._pending |= paths
            self._deadline = now + self.quiet
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        self._thread.join(timeout=5)

    def _wait(self) -> float | None:
        """Seconds before the pending set may be delivered: 0 when due, None while nothing is pending."""
        if not self._pending:
            return None
        now = time.monotonic()
        if now < self._deadline:
            return self._deadline - now
        if now < self._limit and not self.settled(self._pending):
            return self._limit - now
        return 0.0

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (wait := self._wait()) != 0.0:
                    self._cond.wait(wait)
                if self._stopped:
                    return
                batch, self._pending = self._pending, set()
            self.deliver(batch)
