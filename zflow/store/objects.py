"""Content-addressed blobs under .zflow/objects, named by the SHA-256 of their bytes."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable, Iterator

from .atomic import write_atomic
from .confine import check_confined


class Objects:
    """A folder of immutable blobs; a blob's name is its content hash, so a write is idempotent."""

    def __init__(self, folder: Path, root: Path):
        self.folder = folder
        self.root = root
        self._folders: set[Path] = set()
        self._checked: set[Path] = set()

    def path(self, digest: str) -> Path:
        return self.folder / digest[:2] / digest[2:]

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.exists():
            check_confined(target, self.root, self._checked)
            write_atomic(target, data, self._folders)
        return digest

    def has(self, digest: str) -> bool:
        return self.path(digest).exists()

    def all(self) -> Iterator[str]:
        if not self.folder.is_dir():
            return
        for sub in os.scandir(self.folder):
            if sub.is_dir() and len(sub.name) == 2:
                for entry in os.scandir(sub.path):
                    if not entry.name.startswith("."):
                        yield sub.name + entry.name

    def remove(self, digests: Iterable[str]) -> int:
        count = 0
        for digest in digests:
            check_confined(self.path(digest), self.root, self._checked)
            try:
                self.path(digest).unlink()
                count += 1
            except FileNotFoundError:
                pass
        return count
