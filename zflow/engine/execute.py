"""Running a plan: ready tasks batched by (runner, model, kind, size), results stored as they finish, failures
contained to their downstream tasks, an event for everything."""
from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

from ..contracts import Artifact, Batch, Executor, Output, Request
from ..errors import StoreError
from ..events import Emit, Kept, TaskDone, TaskFailed, TaskSkipped, TaskStart
from ..store import Finished, Store, output_names
from .plan import Plan, Planned


def _batch_key(item: Planned) -> tuple:
    params = item.task.params
    return (item.runner, item.model.group, item.task.kind, str(params.get("size")), params.get("op"))


class BuildRun:
    """One execution of a plan's stale tasks through an executor."""

    def __init__(self, plan: Plan, store: Store, executor: Executor, hook: Any, emit: Emit, root: Path,
                 batch_size: int, cancelled: Callable[[], bool] = lambda: False):
        self.plan = plan
        self.store = store
        self.executor = executor
        self.hook = hook
        self.emit = emit
        self.root = root
        self.batch_size = max(1, batch_size)
        self.cancelled = cancelled
        self.failed: dict[str, str] = {}
        self.skipped: dict[str, str] = {}
        self.superseded = 0
        self.ran = 0
        self.written = 0

    def execute(self) -> None:
        stale = {p.task.id: p for p in self.plan.stale}
        waiting = {tid: sum(1 for i in p.task.inputs if i in stale) for tid, p in stale.items()}
        dependents: dict[str, list[str]] = defaultdict(list)
        for tid, p in stale.items():
            for i in p.task.inputs:
                if i in stale:
                    dependents[i].append(tid)
        ready = [stale[t] for t, n in waiting.items() if n == 0]
        in_flight = 0
        while ready or in_flight:
            if self.cancelled():
                # A newer request supersedes what has not started: let running work finish, start nothing more.
                ready = []
                in_flight -= len(self.executor.cancel())
                if not in_flight:
                    break
            for batch in self._batches(ready):
                self.executor.submit(batch)
                in_flight += 1
            ready = []
            for batch, results in self.executor.wait():
                in_flight -= 1
                items = [stale[request.task.id] for request in batch.requests]
                for item, finished in zip(items, self._finish(batch, items, results)):
                    tid = item.task.id
                    if finished:
                        for dep in dependents[tid]:
                            waiting[dep] -= 1
                            if waiting[dep] == 0 and dep not in self.skipped:
                                ready.append(stale[dep])
                    else:
                        self._skip_downstream(tid, dependents)
        self.superseded = len(stale) - self.ran - len(self.failed) - len(self.skipped)

    def _batches(self, ready: list[Planned]) -> list[Batch]:
        groups: dict[tuple, list[Planned]] = defaultdict(list)
        for item in ready:
            groups[_batch_key(item)].append(item)
        batches = []
        for items in groups.values():
            for start in range(0, len(items), self.batch_size):
                chunk = items[start:start + self.batch_size]
                requests = []
                for item in chunk:
                    self.hook.before_task(task=item.task, key=item.key)
                    self.emit(TaskStart(event="task-start", id=item.task.id, stage=item.task.kind))
                    requests.append(Request(item.task, item.key, item.model, self._inputs(item), self.root))
                batches.append(Batch(chunk[0].runner, chunk[0].model, requests))
        return batches

    def _inputs(self, item: Planned) -> tuple[Artifact, ...]:
        inputs = []
        for input_id in item.task.inputs:
            artifact = self.store.artifact(self.plan.items[input_id].key)
            if artifact is None:
                raise StoreError(f"{item.task.id}: input {input_id} has no artifact in the store")
            inputs.append(artifact)
        return tuple(inputs)

    def _finish(self, batch: Batch, items: list[Planned], results: list[Output | BaseException]) -> list[bool]:
        """Store a batch's outputs (one index transaction for all of them) and report each task: whether it
        finished."""
        share = batch.seconds / max(1, len(items))
        stored = iter(self.store.put([
            Finished(item.task.id, item.task.kind, item.key, item.parts, result, batch.started, share)
            for item, result in zip(items, results) if isinstance(result, Output)]))
        return [self._report(item, next(stored) if isinstance(result, Output) else result, share)
                for item, result in zip(items, results)]

    def _report(self, item: Planned, result: tuple[Artifact, list[str]] | BaseException, seconds: float) -> bool:
        task = item.task
        if not isinstance(result, BaseException):
            artifact, written = result
            self.ran += 1
            self.written += len(written)
            self.emit(TaskDone(event="task-done", id=task.id, stage=task.kind, seconds=round(seconds, 4),
                               files=written))
            self.hook.after_task(task=task, key=item.key, artifact=artifact, seconds=seconds)
            return True
        message = f"{type(result).__name__}: {result}" if not isinstance(result, StoreError) else str(result)
        self.failed[task.id] = message
        self.emit(TaskFailed(event="task-failed", id=task.id, stage=task.kind, error=message))
        self.hook.on_task_error(task=task, key=item.key, error=result)
        return False

    def _skip_downstream(self, failed_id: str, dependents: dict[str, list[str]]) -> None:
        todo = list(dependents[failed_id])
        while todo:
            tid = todo.pop()
            if tid in self.skipped:
                continue
            self.skipped[tid] = failed_id
            self.emit(TaskSkipped(event="task-skipped", id=tid, stage=self.plan.items[tid].task.kind,
                                  because=failed_id))
            todo.extend(dependents[tid])


def materialize(tasks: list[tuple[str, str, str]], store: Store, failed: set[str], prune_all: bool,
                emit: Emit) -> dict[str, Any]:
    """Make out/ hold the files of every built task in ``tasks`` (id, key, kind); remove zflow's own files that no
    task produces any more (a ``kept`` event for each one left in place, and why). A task whose output path is
    taken by a file zflow did not write is reported as failed."""
    desired: set[str] = set()
    written = 0
    conflicts = []
    files_by_key = store.index.files_of(key for _, key, _ in tasks)
    for tid, key, kind in tasks:
        files = files_by_key.get(key)
        if files is None or tid in failed:
            continue
        try:
            written += len(store.outputs.place(tid, files))
        except StoreError as exc:
            conflicts.append(tid)
            emit(TaskFailed(event="task-failed", id=tid, stage=kind, error=str(exc)))
        desired.update(output_names(tid, files))
    for rel, row in store.outputs.manifest.items():
        if row[1] in failed:
            desired.add(rel)
    removed, kept = store.outputs.prune(desired, None if prune_all else {t[0] for t in tasks})
    store.outputs.flush()
    for rel, reason in kept:
        emit(Kept(event="kept", path=rel, reason=reason))
    return {"written": written, "removed": removed, "kept": [rel for rel, _ in kept], "conflicts": conflicts}


def timer() -> Callable[[], float]:
    start = time.perf_counter()
    return lambda: time.perf_counter() - start
