"""Materialize artifacts into out/: write what changed, and remove only files zflow itself wrote there."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Mapping

from ..errors import StoreError
from .atomic import write_atomic
from .index import Index


def output_names(task_id: str, files: Mapping[str, str]) -> dict[str, str]:
    """Paths under out/ for a task's files: ``id.png`` for a single image, ``id/<name>`` for several."""
    if len(files) == 1:
        name = next(iter(files))
        stem, dot, ext = name.rpartition(".")
        if dot and stem == "image":
            return {f"{task_id}.{ext}": files[name]}
    return {f"{task_id}/{name}": sha for name, sha in files.items()}


class Outputs:
    """The out/ folder and its manifest in the index (path -> content hash, size, mtime)."""

    def __init__(self, folder: Path, index: Index, blob_path):
        self.folder = folder
        self.index = index
        self.blob_path = blob_path
        self._manifest: dict[str, tuple] | None = None
        self._unconfirmed: list[tuple[int, int, str]] = []
        self._folders: set[Path] = set()

    def refresh(self) -> None:
        """Forget the cached manifest and folders (another process or the user may have changed them)."""
        self._manifest = None
        self._folders.clear()

    @property
    def manifest(self) -> dict[str, tuple]:
        if self._manifest is None:
            self._manifest = self.index.outputs()
        return self._manifest

    def place(self, task_id: str, files: Mapping[str, str]) -> list[str]:
        """Make out/ hold this task's files; returns the paths written (unchanged files are left alone)."""
        written = []
        for rel, sha in output_names(task_id, files).items():
            target = os.path.join(self.folder, rel)
            if self._is_current(rel, sha, target):
                continue
            norm = os.path.normpath(rel)
            if os.path.isabs(norm) or norm == ".." or norm.startswith("../"):
                raise StoreError(f"{task_id}: output path {rel!r} escapes the output folder")
            target = self.folder / norm
            if rel not in self.manifest and target.exists() and _sha(target) != sha:
                raise StoreError(f"{self._shown(target)} exists and was not written by zflow; "
                                 "move it away so zflow can write its output there")
            self.index.claim_output(rel, sha, task_id)
            write_atomic(target, self.blob_path(sha).read_bytes(), self._folders)
            st = target.stat()
            self._unconfirmed.append((st.st_size, st.st_mtime_ns, rel))
            self.manifest[rel] = (sha, task_id, st.st_size, st.st_mtime_ns)
            written.append(rel)
        return written

    def flush(self) -> None:
        """Record the size and mtime of the files written since the last flush (until then a file counts as not
        yet checked, and is compared by content)."""
        if self._unconfirmed:
            self.index.confirm_outputs(self._unconfirmed)
            self._unconfirmed = []

    def _is_current(self, rel: str, sha: str, target: str) -> bool:
        row = self.manifest.get(rel)
        if row is None or row[0] != sha:
            return False
        try:
            st = os.stat(target)
        except FileNotFoundError:
            return False
        return (st.st_size, st.st_mtime_ns) == (row[2], row[3])

    def intact(self, task_ids: set[str]) -> bool:
        """Whether out/ holds exactly these tasks' files, each as zflow wrote it (nothing to place or prune)."""
        rows = self.manifest
        if {row[1] for row in rows.values()} != task_ids:
            return False
        folder = str(self.folder)
        for rel, (sha, _, size, mtime) in rows.items():
            try:
                st = os.stat(os.path.join(folder, rel))
            except FileNotFoundError:
                return False
            if (st.st_size, st.st_mtime_ns) != (size, mtime):
                return False
        return True

    def prune(self, keep: set[str], owned_by: set[str] | None = None) -> list[str]:
        """Remove manifest files not in ``keep`` (of tasks in ``owned_by``, if given) that still hold what zflow
        wrote; a file the user changed is left in place and forgotten."""
        removed = []
        for rel, (sha, task_id, size, mtime) in list(self.manifest.items()):
            if rel in keep or (owned_by is not None and task_id not in owned_by):
                continue
            target = self.folder / rel
            try:
                st = target.stat()
                if (st.st_size, st.st_mtime_ns) == (size, mtime) or _sha(target) == sha:
                    target.unlink()
                    removed.append(rel)
                    _remove_empty_parents(target.parent, self.folder)
                    self._folders.clear()
            except FileNotFoundError:
                pass
            self.index.forget_output(rel)
            del self.manifest[rel]
        return removed

    def _shown(self, target: Path) -> str:
        return os.path.relpath(target)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    stop = stop.resolve()
    folder = folder.resolve()
    while folder != stop and folder.is_relative_to(stop):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
