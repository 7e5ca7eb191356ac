"""The SQLite index of the store: artifacts by key, each task's last build, file digests and out/'s manifest."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Iterable

SCHEMA = """
CREATE TABLE IF NOT EXISTS artifacts (
    key TEXT PRIMARY KEY, task_id TEXT NOT NULL, kind TEXT NOT NULL, files TEXT NOT NULL, meta TEXT NOT NULL,
    parts TEXT NOT NULL, started REAL NOT NULL, seconds REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (task_id TEXT PRIMARY KEY, key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, sha TEXT NOT NULL,
    width INTEGER, height INTEGER);
CREATE TABLE IF NOT EXISTS outputs (
    path TEXT PRIMARY KEY, sha TEXT NOT NULL, task_id TEXT NOT NULL, size INTEGER, mtime_ns INTEGER);
"""

#: Most keys ``files_of`` looks up one by one (an ``IN`` list; SQLite allowed 999 variables before 3.32); for more,
#: one pass over the table is faster.
_LOOKUPS = 900


class Index:
    """A thin layer over one SQLite file; every multi-row change is one transaction."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def data_version(self) -> int:
        """A number that changes whenever another connection commits to the file (never for our own writes)."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    def transaction(self) -> "sqlite3.Connection":
        """``with index.transaction() as db:`` commits on success and rolls back on error."""
        return _Transaction(self.db)

    # artifacts
    def keys(self) -> set[str]:
        return {k for (k,) in self.db.execute("SELECT key FROM artifacts")}

    def artifact_row(self, key: str) -> tuple[str, dict[str, str], dict[str, Any]] | None:
        row = self.db.execute("SELECT task_id, files, meta FROM artifacts WHERE key=?", (key,)).fetchone()
        return None if row is None else (row[0], json.loads(row[1]), json.loads(row[2]))

    def add_artifacts(self, rows: list[tuple], claims: list[tuple[str, str, str]] = ()) -> None:
        """Record finished tasks' artifacts, rows of (key, task_id, kind, files, meta, parts, started, seconds),
        and claim the out/ paths they are about to write, (path, blob, task id), in one transaction."""
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO artifacts VALUES (?,?,?,?,?,?,?,?)",
                           [(key, task_id, kind, json.dumps(files), json.dumps(meta, default=str),
                             json.dumps(parts, default=str), started, seconds)
                            for key, task_id, kind, files, meta, parts, started, seconds in rows])
            db.executemany("INSERT OR REPLACE INTO tasks VALUES (?,?)", [(row[1], row[0]) for row in rows])
            _claim(db, claims)

    def files_of(self, keys: Iterable[str]) -> dict[str, dict[str, str]]:
        """The files (name -> blob) of the artifacts with these keys, by key (a key without one is left out). A few
        keys are looked up in the key index, so a small build does not pay for what the store keeps beside it; many
        are picked out of one pass over the table, decoding only theirs (cheaper than as many lookups)."""
        wanted = set(keys)
        if len(wanted) > _LOOKUPS:
            rows = ((k, f) for k, f in self.db.execute("SELECT key, files FROM artifacts") if k in wanted)
        else:
            marks = ",".join("?" * len(wanted))
            rows = self.db.execute(f"SELECT key, files FROM artifacts WHERE key IN ({marks})", list(wanted))
        return {k: json.loads(f) for k, f in rows}

    def parts_of_last_build(self, task_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT a.parts FROM tasks t JOIN artifacts a ON a.key=t.key WHERE t.task_id=?",
                              (task_id,)).fetchone()
        return None if row is None else json.loads(row[0])

    def last_keys(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT task_id, key FROM tasks"))

    def drop_artifacts(self, keys: Iterable[str]) -> None:
        with self.transaction() as db:
            db.executemany("DELETE FROM artifacts WHERE key=?", ((k,) for k in keys))
            db.execute("DELETE FROM tasks WHERE key NOT IN (SELECT key FROM artifacts)")

    def referenced_blobs(self) -> set[str]:
        blobs = set()
        for (files,) in self.db.execute("SELECT files FROM artifacts"):
            blobs.update(json.loads(files).values())
        return blobs

    # file digests
    def file_rows(self) -> dict[str, tuple[int, int, str, int | None, int | None]]:
        return {r[0]: r[1:] for r in self.db.execute("SELECT path, size, mtime_ns, sha, width, height FROM files")}

    def put_file_row(self, path: str, size: int, mtime_ns: int, sha: str, dims: tuple[int, int] | None) -> None:
        w, h = dims if dims else (None, None)
        self.db.execute("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?)", (path, size, mtime_ns, sha, w, h))

    # out/ manifest
    def outputs(self) -> dict[str, tuple[str, str, int | None, int | None]]:
        return {r[0]: r[1:] for r in self.db.execute("SELECT path, sha, task_id, size, mtime_ns FROM outputs")}

    def claim_outputs(self, claims: list[tuple[str, str, str]]) -> None:
        """Claim out/ paths before writing them, (path, blob, task id), in one transaction."""
        if claims:
            with self.transaction() as db:
                _claim(db, claims)

    def confirm_outputs(self, rows: list[tuple[int, int, str]]) -> None:
        """Record (size, mtime_ns, path) of written outputs, in one transaction."""
        with self.transaction() as db:
            db.executemany("UPDATE outputs SET size=?, mtime_ns=? WHERE path=?", rows)

    def forget_output(self, path: str) -> None:
        self.db.execute("DELETE FROM outputs WHERE path=?", (path,))


def _claim(db: sqlite3.Connection, claims: list[tuple[str, str, str]]) -> None:
    db.executemany("INSERT OR REPLACE INTO outputs VALUES (?,?,?,NULL,NULL)", claims)


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
