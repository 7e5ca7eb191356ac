"""Reading what a CLI build of a project with layouts and control maps stored: a task's meta and its inputs."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from zflow.engine import Project
from zflow.graph import Graph
from zflow.store.index import Index

LAYOUT_RECIPE = '''\
from zflow import Character, Control, Series

mina = Character("mina", looks="barista, green apron")
jun = Character("jun", looks="pilot, blue jacket")
s = Series("s", prompt="{{ cast }} {{ action }}", size="256x192", drafts=2)
s.scene("a", cast=[mina, jun], action="pours coffee", layouts=3, control=Control("pose", image="layout"))
s.scene("b", cast=[mina], action="reads a book", layouts=2)
'''


def built(root: Path, task_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The meta and key parts of ``task_id``'s last build in the project at ``root``."""
    index = Index(root / ".zflow" / "index.sqlite")
    try:
        key = index.last_keys()[task_id]
        _, _, meta = index.artifact_row(key)
        return meta, index.parts_of_last_build(task_id) or {}
    finally:
        index.close()


def key_of(root: Path, task_id: str) -> str:
    """The key of ``task_id``'s last build in the project at ``root``."""
    index = Index(root / ".zflow" / "index.sqlite")
    try:
        return index.last_keys()[task_id]
    finally:
        index.close()


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB")).astype(int)


def centroid(rgb: np.ndarray, colour: tuple[int, int, int]) -> tuple[float, float] | None:
    """The mean (x, y) of the pixels exactly ``colour``; None when there are none."""
    ys, xs = np.nonzero((rgb == np.array(colour)).all(axis=2))
    return (float(xs.mean()), float(ys.mean())) if len(xs) else None


def graph_of(root: Path) -> Graph:
    """The task graph a fresh load of the project at ``root`` makes."""
    project = Project(root)
    try:
        return project.load().graph
    finally:
        project.close()
