"""Telling a Ctrl-C from a recipe that raises KeyboardInterrupt itself."""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Callable, Iterator


@contextmanager
def interrupts_from_the_user() -> Iterator[Callable[[], bool]]:
    """While the block runs, note whether SIGINT arrived; yields a function saying so. Where SIGINT does not raise
    KeyboardInterrupt by default (another thread, a custom handler), no KeyboardInterrupt can come from a Ctrl-C."""
    received = False
    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield lambda: False
        return

    def note(signum: int, frame: object) -> None:
        nonlocal received
        received = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, note)
    try:
        yield lambda: received
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
