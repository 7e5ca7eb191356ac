"""Materialize artifacts into out/: write what changed, and remove only files zflow itself wrote there."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Mapping

from ..errors import StoreError
from .atomic import write_atomic
from .confine import check_confined
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
        self._checked: set[Path] = set()
        #: Replace outputs the user changed since zflow wrote them (``zflow build --overwrite-edited``).
        self.overwrite_edited = False

    def refresh(self) -> None:
        """Forget the cached manifest and folders (another process or the user may have changed them)."""
        self._manifest = None
        self._folders.clear()
        self._checked.clear()

    @property
    def manifest(self) -> dict[str, tuple]:
        if self._manifest is None:
            self._manifest = self.index.outputs()
        return self._manifest

    def place(self, task_id: str, files: Mapping[str, str]) -> list[str]:
        """Make out/ hold this task's files (copied from their blobs); returns the paths written (unchanged files
        are left alone). A file in the way that zflow did not write, or changed since it wrote it, is the user's:
        StoreError (unless ``overwrite_edited`` is set for the changed ones)."""
        pending = self.pending(task_id, files)
        self.index.claim_outputs(pending)
        return self.write(pending)

    def pending(self, task_id: str, files: Mapping[str, str]) -> list[tuple[str, str, str]]:
        """The (path, blob, task id) of this task's files that out/ does not hold yet, each checked as ``place``
        says; they are claimed in the index (``Index.claim_outputs``) before ``write`` writes them, so a build
        killed in between leaves files the next one knows as zflow's."""
        pending = []
        for rel, sha in output_names(task_id, files).items():
            if self._is_current(rel, sha, os.path.join(self.folder, rel)):
                continue
            norm = os.path.normpath(rel)
            if os.path.isabs(norm) or norm == ".." or norm.startswith("../"):
                raise StoreError(f"{task_id}: output path {rel!r} escapes the output folder")
            target = self.folder / norm
            check_confined(target, self.folder, self._checked)
            self._check_not_the_users(rel, sha, target)
            pending.append((rel, sha, task_id))
        return pending

    def write(self, pending: list[tuple[str, str, str]], contents: Mapping[str, bytes] | None = None) -> list[str]:
        """Write claimed files into out/: from ``contents`` (blob -> bytes, what a task just made) when it has them,
        else from their blobs. Returns their paths."""
        for rel, sha, task_id in pending:
            data = contents.get(sha) if contents else None
            target = self.folder / os.path.normpath(rel)
            st = write_atomic(target, self.blob_path(sha).read_bytes() if data is None else data, self._folders)
            self._unconfirmed.append((st.st_size, st.st_mtime_ns, rel))
            self.manifest[rel] = (sha, task_id, st.st_size, st.st_mtime_ns)
        return [rel for rel, _, _ in pending]

    def _check_not_the_users(self, rel: str, sha: str, target: Path) -> None:
        """Refuse to replace a file zflow did not write, or one whose content changed since zflow wrote it (its
        bytes are no artifact zflow made: a hand edit)."""
        try:
            st = target.stat()
        except FileNotFoundError:
            return
        row = self.manifest.get(rel)
        if row is None:
            if _sha(target) != sha:
                raise StoreError(f"{self._shown(target)} exists and was not written by zflow; "
                                 "move it away so zflow can write its output there")
            return
        if (st.st_size, st.st_mtime_ns) == (row[2], row[3]) or self.overwrite_edited:
            return
        found = _sha(target)
        if found != sha and found != row[0] and not self.blob_path(found).exists():
            raise StoreError(f"{self._shown(target)} was changed since zflow wrote it, so it is yours now; move it "
                             "away so zflow can write its output there (or build with --overwrite-edited)")

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

    def prune(self, keep: set[str], owned_by: set[str] | None = None) -> tuple[list[str], list[tuple[str, str]]]:
        """Remove manifest files not in ``keep`` (of tasks in ``owned_by``, if given) that still hold what zflow
        wrote. Returns the paths removed and the (path, reason) of those kept: a file the user changed is left in
        place and forgotten; one behind a link leading out of out/ is left alone and stays in the manifest."""
        removed, kept = [], []
        for rel, (sha, task_id, size, mtime) in list(self.manifest.items()):
            if rel in keep or (owned_by is not None and task_id not in owned_by):
                continue
            target = self.folder / rel
            try:
                check_confined(target, self.folder, self._checked)
            except StoreError as exc:
                kept.append((rel, str(exc)))
                continue
            try:
                st = target.stat()
                if (st.st_size, st.st_mtime_ns) == (size, mtime) or _sha(target) == sha:
                    target.unlink()
                    removed.append(rel)
                    _remove_empty_parents(target.parent, self.folder)
                    self._folders.clear()
                    self._checked.clear()
                else:
                    kept.append((rel, "changed since zflow wrote it, so it is yours now: left in place"))
            except FileNotFoundError:
                pass
            self.index.forget_output(rel)
            del self.manifest[rel]
        return removed, kept

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
