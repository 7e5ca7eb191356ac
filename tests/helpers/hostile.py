"""Hostile-input checks: the project's out/ and .zflow/ as bytes, to prove a refused input changed nothing."""
from __future__ import annotations

import os
from pathlib import Path


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every file under out/ and .zflow/ (bytes) and every link (its target), by path relative to ``root``. The
    project lock's file is left out: it is emptied whenever a process lets go of it."""
    found: dict[str, bytes | str] = {}
    for top in ("out", ".zflow"):
        base = root / top
        if not base.exists():
            continue
        for folder, dirs, files in os.walk(base):
            for name in dirs + files:
                path = Path(folder) / name
                rel = path.relative_to(root).as_posix()
                if rel == ".zflow/lock":
                    continue
                if path.is_symlink():
                    found[rel] = "-> " + os.readlink(path)
                elif path.is_file():
                    found[rel] = path.read_bytes()
    return found


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (a folder outside the project a link points at) by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
