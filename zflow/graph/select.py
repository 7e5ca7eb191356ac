"""Part of a graph: some tasks and everything they are made from (what ``zflow train CHARACTER`` builds)."""
from __future__ import annotations

from .model import Graph


def upstream(graph: Graph, ids: list[str]) -> Graph:
    """A graph of the tasks ``ids`` and all their inputs, transitively, in the full graph's order."""
    wanted: set[str] = set()
    todo = list(ids)
    while todo:
        task_id = todo.pop()
        if task_id not in wanted:
            wanted.add(task_id)
            todo.extend(graph.tasks[task_id].inputs)
    tasks = {i: t for i, t in graph.tasks.items() if i in wanted}
    return Graph(tasks=tasks, sizes={i: s for i, s in graph.sizes.items() if i in wanted}, units=list(tasks.values()),
                 options=graph.options, declared=graph.declared)
