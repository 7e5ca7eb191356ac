"""Runs one fire of a job through the normal engine: load its recipe with the fire's run variables, then build."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from ..engine import Project
from ..events import Emit, Event, ignore
from .jobs import Job
from .loop import RunResult

COUNTS = ("tasks", "ran", "cached", "failed", "skipped", "superseded", "written", "removed")


class ProjectRunner:
    """Builds jobs in one long-lived Project (plugins and loaded models stay between runs), noting the files each
    run writes under out/; every engine event also goes to ``forward``."""

    def __init__(self, root: Path, forward: Emit | None = None,
                 executor: str | None = None, wait: float = 0.0):
        self.forward: Emit = forward or ignore
        self.executor = executor
        self.wait = wait
        self._written: list[str] = []
        self._errors: list[str] = []
        self.project = Project(root, emit=self._event)

    def __call__(self, job: Job, fire: datetime, cancelled: Callable[[], bool]) -> RunResult:
        self._written, self._errors = [], []
        loaded = self.project.load([str(job.recipe)], run=job.run_vars(fire))
        summary = self.project.build(loaded, executor=self.executor, all_recipes=False, wait=self.wait,
                                     cancelled=cancelled)
        counts = {name: int(summary.get(name, 0)) for name in COUNTS}
        outcome = "failed" if counts["failed"] else "cancelled" if counts["superseded"] else "ok"
        error = f"{counts['failed']} task(s) failed; first: {self._errors[0]}" if self._errors else ""
        return RunResult(outcome, counts, tuple(self._written), error)

    def close(self) -> None:
        self.project.close()

    def _event(self, event: Event) -> None:
        if event.get("event") == "task-done":
            self._written.extend(event.get("files", ()))
        elif event.get("event") == "task-failed":
            self._errors.append(f"{event['id']}: {event['error']}")
        self.forward(event)
