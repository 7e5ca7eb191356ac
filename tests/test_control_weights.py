"""Detector weights are read only when they change: a weights file's digest is kept in the project store's index by
size and mtime, so a fresh `zflow build` or `zflow plan` keys the map without reading the file, and a changed file
changes the key of only the map its detector makes. (The tests run as root, whom chmod 000 does not stop, so "not
read" is shown by other bytes of the same size under the same mtime: a read would see them.)"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys

import pytest

from helpers.annotators import ENV, setup, write_detector
from helpers.layouts import key_of, pixels
from zflow.contracts.digests import INDEX, file_digest
from zflow.store import STORE_DIR, Store

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MAP = "s/a/control-mlsd"


def stale(project) -> dict[str, list[str]]:
    """``zflow plan --json`` in a fresh process: the stale tasks and why."""
    result = project.zflow("plan", "--json", env=ENV)
    assert result.code == 0, result.stderr
    return {t["id"]: t["reasons"] for t in json.loads(result.stdout)["tasks"] if t["stale"]}


def test_a_fresh_build_keys_unchanged_weights_without_reading_them_and_new_bytes_rebuild_the_map(project):
    setup(project, "mlsd", "weights")
    weights = write_detector("mlsd", project.root / "weights", seed=0)
    assert project.build(env=ENV).code == 0
    key, drawn = key_of(project.root, MAP), pixels(project.root / f"out/{MAP}.png")
    row = sqlite3.connect(project.root / INDEX).execute("SELECT size, sha FROM files WHERE path=?",
                                                        (str(weights),)).fetchone()
    assert row is not None and row[0] == weights.stat().st_size  # kept where the store keeps recipe files' digests

    before = weights.stat()
    write_detector("mlsd", project.root / "weights", seed=1)  # other weights, the same size
    os.utime(weights, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert weights.stat().st_size == before.st_size
    assert stale(project) == {}  # planned in a new process: the digest came from the index, not the file
    again = project.build(env=ENV)
    assert again.code == 0 and again.ids("task-done") == set()
    assert key_of(project.root, MAP) == key

    os.utime(weights, ns=(before.st_atime_ns, before.st_mtime_ns + 10 ** 9))  # now the change shows
    changed = stale(project)
    assert MAP in changed and all(t.startswith("s/a/") for t in changed)  # the map and what it drives
    rebuilt = project.build(env=ENV)
    assert rebuilt.code == 0, rebuilt.stderr
    assert rebuilt.ids("task-done") == set(changed)  # scene b and its Canny map keep their keys
    assert key_of(project.root, MAP) != key and (pixels(project.root / f"out/{MAP}.png") != drawn).any()


def test_a_digest_is_read_once_per_size_and_mtime_and_shared_by_processes(tmp_path):
    Store(tmp_path, tmp_path / "out").close()  # the project's store, as a first build makes it
    path = tmp_path / "weights.bin"
    path.write_bytes(b"a" * 1000)
    first = file_digest(path, tmp_path)
    stat = path.stat()
    path.write_bytes(b"b" * 1000)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    code = "import sys; from pathlib import Path; from zflow.contracts.digests import file_digest\n" \
           "print(file_digest(Path(sys.argv[1]), Path(sys.argv[2])))"
    other = subprocess.run([sys.executable, "-c", code, str(path), str(tmp_path)], capture_output=True, text=True)
    assert other.returncode == 0, other.stderr
    assert first == other.stdout.strip() == file_digest(path, tmp_path)  # nobody read the new bytes
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert file_digest(path, tmp_path) == hashlib.sha256(b"b" * 1000).hexdigest() != first


def test_the_index_is_the_stores():
    assert INDEX.parts == (STORE_DIR, "index.sqlite")
