"""Replacing a file in out/ by swapping names: atomic, nothing left behind, a folder in the way left alone."""
from __future__ import annotations

import os
import sys

import pytest

from zflow.store import swap
from zflow.store.atomic import write_atomic


def test_a_swap_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "a.png"
    target.write_bytes(b"old bytes")
    old_inode = target.stat().st_ino
    written = write_atomic(target, b"new bytes, longer", swap=True)
    assert target.read_bytes() == b"new bytes, longer"
    assert target.stat().st_ino != old_inode  # a new file took the name: a reader holding the old one keeps it
    assert (written.st_size, written.st_mtime_ns) == (target.stat().st_size, target.stat().st_mtime_ns)
    assert os.listdir(tmp_path) == ["a.png"]
    assert sys.platform != "linux" or swap._SWAP == [swap._SWAP[0]] and swap._SWAP[0] is not None  # swapped, not
    # renamed: this file system swaps names


def test_a_swap_onto_nothing_is_a_plain_write(tmp_path):
    write_atomic(tmp_path / "new.png", b"bytes", swap=True)
    assert (tmp_path / "new.png").read_bytes() == b"bytes" and os.listdir(tmp_path) == ["new.png"]


def test_a_folder_in_the_way_is_left_in_place_and_refused(tmp_path):
    folder = tmp_path / "a.png"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    with pytest.raises(IsADirectoryError):
        write_atomic(folder, b"bytes", swap=True)
    assert (folder / "keep.txt").read_text() == "mine" and os.listdir(tmp_path) == ["a.png"]
