"""Planning: the key of every task, which are stale, and why (compared with each task's last build)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..contracts import ModelRef
from ..graph import Graph, SceneBuild
from ..graph.keys import changes, key_of, key_parts
from ..contracts import Task
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
    """Every task of a graph in dependency order, keyed; and, for the next plan of a watch session, each scene's
    planned tasks with the store's key set they were checked against."""

    items: dict[str, Planned] = field(default_factory=dict)
    scenes: dict[str, "ScenePlan"] = field(default_factory=dict)
    present: set[str] | None = None

    @property
    def stale(self) -> list[Planned]:
        return [p for p in self.items.values() if p.stale]

    def reasons(self, store: Store, task_id: str) -> list[str]:
        item = self.items[task_id]
        if not item.stale:
            return []
        return changes(store.parts_of_last_build(task_id), item.parts)


@dataclass(slots=True)
class ScenePlan:
    """The planned tasks of one scene build whose artifacts are all in the store (while the store only gains keys,
    none can become stale), and the tasks outside it they take as inputs."""

    build: SceneBuild
    items: dict[str, Planned]
    outside: frozenset[str]


def make_plan(graph: Graph, runtime: Runtime, store: Store, root: Path, previous: Plan | None = None) -> Plan:
    """Key every task (inputs first) and mark those with no artifact in the store as stale. Given the
    ``previous`` plan of this process (watch mode): a scene the graph reused keeps its whole plan while all its
    artifacts were there, the store has only gained keys since and no task it takes from outside was re-keyed; the
    very same task object keeps its key, route and parts while no input was re-keyed and its files are unchanged."""
    present = store.keys()
    plan = Plan(present=present)
    items = plan.items
    old_items = previous.items if previous is not None else {}
    old_scenes = previous.scenes if previous is not None and previous.present is present else {}
    rekeyed: set[str] = set()  # tasks whose key differs from the previous plan's (or that it did not have)
    digests: dict[str, str] = {}

    def plan_task(task: Task) -> None:
        task_id = task.id
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
            return
        runner, model = runtime.route(task)
        impl, identity = runtime.impl(runner), runtime.task_identity(runner, model, task)
        parts = key_parts(task, impl, identity, {i: items[i].key for i in task.inputs}, files)
        key = key_of(parts)
        if old is None or old.key != key:
            rekeyed.add(task_id)
        items[task_id] = Planned(task, runner, model, parts, key, key not in present)

    for unit in graph.units:
        if isinstance(unit, Task):
            plan_task(unit)
            continue
        uid = unit.nodes.uid
        kept = old_scenes.get(uid)
        if kept is not None and kept.build is unit and rekeyed.isdisjoint(kept.outside):
            items.update(kept.items)
            plan.scenes[uid] = kept
            continue
        for task in unit.tasks.values():
            plan_task(task)
        own = {i: items[i] for i in unit.tasks}
        if not any(p.stale for p in own.values()):
            outside = frozenset(i for t in unit.tasks.values() for i in t.inputs).difference(own)
            plan.scenes[uid] = ScenePlan(unit, own, outside)
    return plan
