"""The project lock: one build at a time per project, the second waits or fails with a clear message."""
from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from ..errors import StoreError


class ProjectLock:
    """An exclusive flock on .zflow/lock, released when the holder exits (even by kill -9)."""

    def __init__(self, path: Path, wait: float = 0.0):
        self.path = path
        self.wait = wait
        self._fd: int | None = None

    def __enter__(self) -> "ProjectLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
                    os.close(fd)
                    raise StoreError(
                        f"another zflow process (pid {holder}) is building this project ({self.path} is locked); "
                        "wait for it to finish or pass --wait SECONDS") from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
