"""Planning: the key of every task, which are stale, and why (compared with each task's last build)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..contracts import ModelRef
from ..graph import Graph
from ..graph.keys import changes, key_of, key_parts
from ..graph.task import Task
from ..store import Store
from .runtime import Runtime


@dataclass(slots=True)
class Planned:
    """One task with its runner, model, key parts and key, and whether its artifact is missing."""

    task: Task
    runner: str
    model: ModelRef
    parts: dict[str, Any]
    key: str
    stale: bool


@dataclass(slots=True)
class Plan:
    """Every task of a graph in dependency order, keyed."""

    items: dict[str, Planned] = field(default_factory=dict)

    @property
    def stale(self) -> list[Planned]:
        return [p for p in self.items.values() if p.stale]

    def reasons(self, store: Store, task_id: str) -> list[str]:
        item = self.items[task_id]
        if not item.stale:
            return []
        return changes(store.parts_of_last_build(task_id), item.parts)


def make_plan(graph: Graph, runtime: Runtime, store: Store, root: Path) -> Plan:
    """Key every task (inputs first) and mark those with no artifact in the store as stale."""
    plan = Plan()
    keys: dict[str, str] = {}
    present = store.keys()
    for task in graph.tasks.values():
        runner, model = runtime.route(task)
        digests = {f: store.file_digest(_resolve(root, f))[0] for f in task.files}
        parts = key_parts(task, runtime.impl(runner), runtime.identity(runner, model), keys, digests)
        key = keys[task.id] = key_of(parts)
        plan.items[task.id] = Planned(task, runner, model, parts, key, key not in present)
    return plan


def _resolve(root: Path, rel: str) -> Path:
    path = Path(rel)
    return path if path.is_absolute() else root / path
