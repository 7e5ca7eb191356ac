"""Made images turned into task outputs (PNG with provenance) on background threads as soon as their pipeline call
returns, so an image's encoding overlaps the next call (zlib and the pipeline's kernels both let go of the GIL)."""
from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

_POOL: list[ThreadPoolExecutor] = []


class Finishing:
    """The outputs of one batch's images, each started with ``start`` as its call returns, collected in order."""

    def __init__(self, make: Callable[[int, Any], Any]):
        self.make = make  # (index, image) -> Output, run on a pool thread
        self._started: dict[int, Future | BaseException] = {}

    def start(self, index: int, image: Any) -> None:
        """Begin making the output of job ``index`` (an exception instead of an image is kept as it is)."""
        self._started[index] = image if isinstance(image, BaseException) else _pool().submit(self.make, index, image)

    def result(self, index: int) -> Any:
        """The output of job ``index``, or the exception that stopped its call or its encoding."""
        started = self._started.pop(index)
        if isinstance(started, BaseException):
            return started
        try:
            return started.result()
        except Exception as exc:
            return exc


def _pool() -> ThreadPoolExecutor:
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="zimage-png"))
    return _POOL[0]
