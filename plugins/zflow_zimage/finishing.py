"""Made images turned into task outputs (PNG with provenance) as soon as their pipeline call returns. When the
pipeline runs on an accelerator this happens on background threads, so an image's encoding overlaps the next call
(the CPU waits on the device then); on the CPU the call itself keeps the cores (and, for a small model, the GIL)
busy, so the encoding runs inline."""
from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

_POOL: list[ThreadPoolExecutor] = []


class Finishing:
    """The outputs of one batch's images, each started with ``start`` as its call returns, collected in order."""

    def __init__(self, make: Callable[[int, Any], Any], background: bool):
        self.make = make  # (index, image) -> Output
        self.background = background
        self._started: dict[int, Any] = {}

    def start(self, index: int, image: Any) -> None:
        """Make (or, in the background, begin making) the output of job ``index``; an exception instead of an image
        is kept as it is."""
        if isinstance(image, BaseException):
            self._started[index] = image
        elif self.background:
            self._started[index] = _pool().submit(self.make, index, image)
        else:
            try:
                self._started[index] = self.make(index, image)
            except Exception as exc:
                self._started[index] = exc

    def result(self, index: int) -> Any:
        """The output of job ``index``, or the exception that stopped its call or its encoding."""
        started = self._started.pop(index)
        if not isinstance(started, Future):
            return started
        try:
            return started.result()
        except Exception as exc:
            return exc


def _pool() -> ThreadPoolExecutor:
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="zimage-png"))
    return _POOL[0]
