"""The scheduler's clock: what time it is and waiting until a time, injectable so tests simulate weeks at once."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    """Aware UTC time, and a wait that returns early when ``stop`` is set."""

    def now(self) -> datetime: ...

    def wait_until(self, moment: datetime, stop: threading.Event) -> None: ...


class SystemClock:
    """The real clock, shifted by ``offset`` (``zflow schedule --at``). Waits in slices of at most a minute, so a
    suspended machine wakes up on time."""

    def __init__(self, offset: timedelta = timedelta(0)):
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset

    def wait_until(self, moment: datetime, stop: threading.Event) -> None:
        while not stop.is_set():
            left = (moment - self.now()).total_seconds()
            if left <= 0:
                return
            # Short naps: a signal the kernel hands to another thread still reaches the main thread's handler soon.
            stop.wait(min(left, 1.0))

