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


def make_plan(graph: Graph, runtime: Runtime, store: Store, root: Path, previous: Plan | None = None) -> Plan:
    """Key every task (inputs first) and mark those with no artifact in the store as stale. Given the
    ``previous`` plan of this process (watch mode), a task whose key parts are all unchanged keeps its key
    without hashing it again."""
    plan = Plan()
    keys: dict[str, str] = {}
    present = store.keys()
    old_items = previous.items if previous is not None else {}
    for task in graph.tasks.values():
        runner, model = runtime.route(task)
        impl, identity = runtime.impl(runner), runtime.identity(runner, model)
        digests = {f: store.file_digest(root / f)[0] for f in task.files}
        old = old_items.get(task.id)
        if old is not None and old.task == task and _same_parts(old.parts, impl, identity, keys, digests):
            parts, key = old.parts, old.key
        else:
            parts = key_parts(task, impl, identity, keys, digests)
            key = key_of(parts)
        keys[task.id] = key
        plan.items[task.id] = Planned(task, runner, model, parts, key, key not in present)
    return plan


def _same_parts(parts: dict[str, Any], impl: str, identity: Any, keys: dict[str, str],
                digests: dict[str, str]) -> bool:
    """Whether a task equal to an old one also has the old one's implementation, model, inputs and files."""
    return (parts["impl"] == impl and parts["model"] == identity and parts["files"] == digests
            and all(keys[i] == k for i, k in parts["inputs"].items()))

