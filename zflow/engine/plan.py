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
    ``previous`` plan of this process (watch mode), the very same task object (from a scene the graph reused)
    keeps its key, route and parts while no input was re-keyed and its files are unchanged."""
    plan = Plan()
    items = plan.items
    present = store.keys()
    old_items = previous.items if previous is not None else {}
    rekeyed: set[str] = set()  # tasks whose key differs from the previous plan's (or that it did not have)
    digests: dict[str, str] = {}
    for task_id, task in graph.tasks.items():
        files = {}
        if task.files:
            for f in task.files:
                if f not in digests:
                    digests[f] = store.file_digest(root / f)[0]
                files[f] = digests[f]
        old = old_items.get(task_id)
        if (old is not None and old.task is task and rekeyed.isdisjoint(task.inputs)
                and (not files or old.parts["files"] == files)):
            stale = old.key not in present
            items[task_id] = old if old.stale == stale else Planned(task, old.runner, old.model, old.parts,
                                                                     old.key, stale)
            continue
        runner, model = runtime.route(task)
        impl, identity = runtime.impl(runner), runtime.identity(runner, model)
        parts = key_parts(task, impl, identity, {i: items[i].key for i in task.inputs}, files)
        key = key_of(parts)
        if old is None or old.key != key:
            rekeyed.add(task_id)
        items[task_id] = Planned(task, runner, model, parts, key, key not in present)
    return plan
