"""The project store: .zflow/ with content-addressed objects, an SQLite index, a lock, and out/ materialized."""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from ..contracts import Artifact, Output
from ..contracts.digests import sha256_of
from ..errors import StoreError
from .index import Index
from .lock import ProjectLock
from .confine import check_confined
from .objects import Objects
from .storage import StorageError, storage_errors
from .temporaries import STALE_SECONDS, sweep_temporaries, sweep_temporaries_of, sweep_work
from .outputs import Outputs, output_names

__all__ = ["STORE_DIR", "Finished", "Store", "output_names"]

#: The store's folder inside a project.
STORE_DIR = ".zflow"
#: A file that exists while a build runs; found at the start of a build, it says the last one was killed.
MARKER = "building"


@dataclass(frozen=True, slots=True)
class Finished:
    """A task that finished with an output, on its way into the store."""

    task_id: str
    kind: str
    key: str
    parts: dict[str, Any]
    output: Output
    started: float
    seconds: float


class Store:
    """Everything zflow keeps for one project. Artifacts are immutable; the index only ever points at whole ones."""

    def __init__(self, root: Path, out_dir: Path, beside: tuple[Path, ...] = ()):
        self.root = root
        self.beside = beside  # files kept outside the store (the picks file): their killed writers' temporaries go
        self.dir = root / STORE_DIR
        self.objects = Objects(self.dir / "objects", self.dir)
        for name in ("index.sqlite", "index.sqlite-wal", "index.sqlite-shm", "lock", MARKER, "objects"):
            check_confined(self.dir / name, self.dir)
        try:
            with storage_errors(self.dir):
                self.index = Index(self.dir / "index.sqlite")
        except StorageError:
            raise
        except Exception as exc:  # sqlite3.DatabaseError and OSError alike
            raise StoreError(f"cannot open the store index {self.dir / 'index.sqlite'}: {exc}") from None
        self.outputs = Outputs(out_dir, self.index, self.objects.path)
        self._keys: set[str] | None = None
        self._files: dict[str, tuple] | None = None
        self._version = self.index.data_version()

    def refresh(self) -> None:
        """Drop cached reads of the index when another process has written to it since they were read (call under
        the lock); out/ is always looked at afresh."""
        version = self.index.data_version()
        if version != self._version:
            self._keys = None
            self._files = None
            self._version = version
        self.outputs.refresh()

    def lock(self, wait: float = 0.0) -> ProjectLock:
        return ProjectLock(self.dir / "lock", wait)

    @contextmanager
    def building(self, wait: float = 0.0) -> Iterator[None]:
        """Hold the project lock for a build. A build that was killed leaves its marker behind: the next one
        first removes the temporary files it may have left in the store and in out/."""
        with self.lock(wait):
            marker = self.dir / MARKER
            if marker.exists():
                self.sweep_temporaries()
            marker.touch()
            try:
                yield
            finally:
                marker.unlink(missing_ok=True)

    def sweep_temporaries(self) -> int:
        """Remove the temporary files older than now in .zflow/ (its objects too) and out/ (call under the lock),
        and those of the files kept beside the store that no live writer can still be using."""
        now = time.time()
        beside = sum(sweep_temporaries_of(file, now - STALE_SECONDS) for file in self.beside)
        return sweep_temporaries(self.dir, now) + sweep_temporaries(self.outputs.folder, now) + beside

    def close(self) -> None:
        self.index.close()

    # artifacts -------------------------------------------------------------------------------------------------
    def keys(self) -> set[str]:
        """Keys with a complete artifact (cached for the life of this Store)."""
        if self._keys is None:
            self._keys = self.index.keys()
        return self._keys

    def artifact(self, key: str) -> Artifact | None:
        row = self.index.artifact_row(key)
        if row is None:
            return None
        task_id, files, meta = row
        return self._artifact(task_id, key, files, meta)

    def put(self, finished: list[Finished]) -> list[tuple[Artifact, list[str]] | StoreError]:
        """Store the finished tasks of one batch and place their files in out/: every blob first (atomic,
        idempotent), then one index transaction with their artifacts and their out/ paths claimed, then the out/
        files, written from the bytes in memory. Per task: its artifact and the out/ paths written, or the
        StoreError that stopped it (a task whose out/ path holds a file of the user's is stored, and fails)."""
        results: list = []
        rows, claims = [], []
        for done in finished:
            try:
                files = self._blobs(done.task_id, done.output)
            except StoreError as exc:
                results.append(exc)
                continue
            rows.append((done.key, done.task_id, done.kind, files, done.output.meta, done.parts, done.started,
                         done.seconds))
            artifact = self._artifact(done.task_id, done.key, files, done.output.meta)
            try:
                pending = self.outputs.pending(done.task_id, files)
            except StoreError as exc:
                results.append(exc)
                continue
            claims.extend(pending)
            results.append((artifact, pending, {files[n]: data for n, data in done.output.files.items()}))
        if rows:
            self.index.add_artifacts(rows, claims)
            self.keys().update(row[0] for row in rows)
        return [r if isinstance(r, StoreError) else (r[0], self.outputs.write(r[1], r[2])) for r in results]

    def _blobs(self, task_id: str, output: Output) -> dict[str, str]:
        """The output's files stored as blobs: file name -> content hash."""
        if not output.files:
            raise StoreError(f"{task_id}: the task produced no files")
        return {name: self.objects.put(data) for name, data in output.files.items()}

    def _artifact(self, task_id: str, key: str, files: dict[str, str], meta: dict[str, Any]) -> Artifact:
        return Artifact(task_id, key, {name: self.objects.path(sha) for name, sha in files.items()}, meta)

    def parts_of_last_build(self, task_id: str) -> dict[str, Any] | None:
        return self.index.parts_of_last_build(task_id)

    # external files ------------------------------------------------------------------------------------------------
    def file_digest(self, path: Path, dims: Callable[[Path], tuple[int, int]] | None = None
                    ) -> tuple[str, tuple[int, int] | None]:
        """SHA-256 of a file (and its image size when ``dims`` is given), cached by size and mtime."""
        if self._files is None:
            self._files = self.index.file_rows()
        st = path.stat()
        name = str(path)
        row = self._files.get(name)
        if row and row[0] == st.st_size and row[1] == st.st_mtime_ns and (dims is None or row[3] is not None):
            return row[2], (row[3], row[4]) if row[3] is not None else None
        sha = sha256_of(path)
        size = dims(path) if dims else None
        self.index.put_file_row(name, st.st_size, st.st_mtime_ns, sha, size)
        self._files[name] = (st.st_size, st.st_mtime_ns, sha, *(size or (None, None)))
        return sha, size

    # maintenance -----------------------------------------------------------------------------------------------
    def gc(self, keep: set[str]) -> dict[str, int]:
        """Drop artifacts whose key is not in ``keep`` and every blob no artifact references."""
        drop = self.keys() - keep
        self.index.drop_artifacts(drop)
        self._keys = None
        referenced = self.index.referenced_blobs() | {row[0] for row in self.index.outputs().values()}
        unreferenced = [d for d in self.objects.all() if d not in referenced]
        temporaries = self.sweep_temporaries()
        return {"artifacts": len(drop), "objects": self.objects.remove(unreferenced), "temporaries": temporaries,
                "work": sweep_work(self.root, keep)}
