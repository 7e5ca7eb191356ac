"""The project store: .zflow/ with content-addressed objects, an SQLite index, a lock, and out/ materialized."""
from __future__ import annotations

import hashlib
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from ..contracts import Artifact, Output
from ..errors import StoreError
from .index import Index
from .lock import ProjectLock
from .confine import check_confined
from .objects import Objects
from .storage import StorageError, storage_errors
from .temporaries import sweep_temporaries, sweep_work
from .outputs import Outputs, output_names

__all__ = ["STORE_DIR", "Store", "output_names"]

#: The store's folder inside a project.
STORE_DIR = ".zflow"
#: A file that exists while a build runs; found at the start of a build, it says the last one was killed.
MARKER = "building"


class Store:
    """Everything zflow keeps for one project. Artifacts are immutable; the index only ever points at whole ones."""

    def __init__(self, root: Path, out_dir: Path):
        self.root = root
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
        """Remove the temporary files older than now in .zflow/ (its objects too) and out/ (call under the lock)."""
        now = time.time()
        return sweep_temporaries(self.dir, now) + sweep_temporaries(self.outputs.folder, now)

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
        return Artifact(task_id, key, {name: self.objects.path(sha) for name, sha in files.items()}, meta)

    def put(self, task_id: str, kind: str, key: str, parts: dict[str, Any], output: Output,
            started: float, seconds: float) -> tuple[Artifact, dict[str, str]]:
        """Store a finished task: blobs first (atomic, idempotent), then one index transaction. Returns the artifact
        and its blobs by file name (what out/ is placed from)."""
        if not output.files:
            raise StoreError(f"{task_id}: the task produced no files")
        files = {name: self.objects.put(data) for name, data in output.files.items()}
        self.index.add_artifact(key, task_id, kind, files, output.meta, parts, started, seconds)
        self.keys().add(key)
        return Artifact(task_id, key, {n: self.objects.path(s) for n, s in files.items()}, output.meta), files

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
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
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
