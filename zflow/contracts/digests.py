"""The sha256 of a file a task key depends on but no recipe names (detector weights, a LoRA, an upscaler), read
again only when the file's size or modification time changes. Within a process the digests are kept in memory;
given the project root, they are also kept in the project store's index, in the ``files`` table where the store
keeps the digests of the files recipes read (``Store.file_digest``), so a fresh ``zflow build`` does not read
unchanged weights again. The contract imports nothing of the store: it reads and writes that table with sqlite3."""
from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

#: The store's index inside a project (zflow.store: STORE_DIR / "index.sqlite").
INDEX = Path(".zflow") / "index.sqlite"

#: (path, size, mtime_ns) -> sha256 of the files seen by this process.
_SEEN: dict[tuple[str, int, int], str] = {}
#: (index path, process id) -> its connection, or None where the index cannot be opened.
_INDEXES: dict[tuple[Path, int], sqlite3.Connection | None] = {}


def file_digest(path: Path, root: Path | None = None) -> str:
    """The sha256 (hex) of ``path``'s bytes; with ``root``, remembered in that project's store index. OSError when
    the file cannot be stat'ed, or read when its digest is not known for its size and mtime."""
    stat = path.stat()
    seen = (str(path), stat.st_size, stat.st_mtime_ns)
    db = _index(root / INDEX) if root is not None else None
    sha = _SEEN.get(seen)
    stored = _stored(db, seen) if db is not None else None
    if sha is None:
        sha = stored or sha256_of(path)
        _SEEN[seen] = sha
    if db is not None and stored != sha:
        _store(db, seen, sha)
    return sha


def sha256_of(path: Path) -> str:
    """The sha256 (hex) of a file's bytes, read a megabyte at a time (a weight file need not fit in memory)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _index(path: Path) -> sqlite3.Connection | None:
    """This process's connection to a store index (a forked process opens its own); None when there is none yet
    (the store creates it on the first build) or it cannot be opened."""
    key = (path, os.getpid())
    if key not in _INDEXES:
        if not path.is_file():
            return None
        try:
            _INDEXES[key] = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
        except sqlite3.Error:
            _INDEXES[key] = None
    return _INDEXES[key]


def _stored(db: sqlite3.Connection, seen: tuple[str, int, int]) -> str | None:
    """The digest the index holds for the file at this size and mtime, or None."""
    try:
        row = db.execute("SELECT sha FROM files WHERE path=? AND size=? AND mtime_ns=?", seen).fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def _store(db: sqlite3.Connection, seen: tuple[str, int, int], sha: str) -> None:
    """Remember a digest in the index (a row the store's own file digests read alike; the image size the store may
    keep beside it is unknown here). An index that cannot be written only costs a later read of the file."""
    try:
        db.execute("INSERT OR REPLACE INTO files VALUES (?,?,?,?,NULL,NULL)", (*seen, sha))
    except sqlite3.Error:
        pass
