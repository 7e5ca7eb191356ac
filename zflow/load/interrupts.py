"""Telling a Ctrl-C from a recipe that raises KeyboardInterrupt itself."""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Callable, Iterator


@contextmanager
def interrupts_from_the_user() -> Iterator[Callable[[], bool]]:
    """While the block runs, note whether a Ctrl-C (SIGINT) arrived; yields a function saying so. Only the main
    thread receives signals, and only the default handler turns them into KeyboardInterrupt: elsewhere (another
    thread, a handler of zflow's own such as watch's) a KeyboardInterrupt comes from the code that raised it, unless
    the handler was put back to the default meanwhile."""
    entry = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    if entry is not signal.default_int_handler:
        yield lambda: signal.getsignal(signal.SIGINT) is not entry
        return
    received = False

    def note(signum: int, frame: object) -> None:
        nonlocal received
        received = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, note)
    try:
        yield lambda: received
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
