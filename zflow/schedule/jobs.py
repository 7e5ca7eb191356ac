"""Scheduled jobs: the series and exports of a project's recipes that declare a schedule, re-read when files change."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

from ..dsl import Location, shown_path
from ..dsl.schedule import Schedule
from ..errors import RecipeError
from ..load import load_file


@dataclass(frozen=True, slots=True)
class Job:
    """A schedule and the recipe file it builds: ``name`` is the series (``cafe-diaries``) or the export
    (``cafe-diaries/sns``) that declared it."""

    name: str
    recipe: Path
    schedule: Schedule

    @property
    def where(self) -> Location:
        return self.schedule.where

    def run_vars(self, fire: datetime) -> dict[str, Any]:
        """What templates see as ``run`` for this fire: its local date, time, ISO week number and weekday."""
        local = fire.astimezone(self.schedule.zone)
        return {"date": local.date().isoformat(), "time": local.isoformat(timespec="minutes"),
                "week": local.isocalendar().week, "year": local.year, "weekday": local.strftime("%A"),
                "job": self.name}


def jobs_of(registry: Any, recipe: Path) -> list[Job]:
    """The jobs one recipe load declared, in declaration order."""
    found = [Job(s.name, recipe, s.schedule) for s in registry.series.values() if s.schedule is not None]
    found += [Job(f"{e.series}/{e.name}", recipe, e.schedule) for e in registry.exports if e.schedule is not None]
    return found


class JobSource:
    """The jobs of the recipe files ``paths()`` names, loaded under the project's ``limits()`` (zflow.toml's
    [limits], as a build loads them). A recipe is loaded again only when it or a file its load read changed; while
    a recipe is broken its error is kept in ``errors`` and its last good jobs stay scheduled."""

    def __init__(self, root: Path, paths: Callable[[], list[Path]], limits: Callable[[], dict] = dict):
        self.root = root
        self.paths = paths
        self.limits = limits
        self._broken: dict[Path, RecipeError] = {}
        self._conflicts: list[RecipeError] = []
        self._loaded: dict[Path, tuple[tuple, list[Job]]] = {}

    @property
    def errors(self) -> list[RecipeError]:
        """What is wrong with the recipes as last read: load errors, and one job name scheduled twice."""
        return [*self._broken.values(), *self._conflicts]

    def jobs(self) -> list[Job]:
        found: dict[str, Job] = {}
        self._conflicts = []
        for path in (p.resolve() for p in self.paths()):
            for job in self._jobs_of(path):
                old = found.get(job.name)
                if old is not None and old.where != job.where:
                    self._conflicts.append(RecipeError(f"{job.name!r} is scheduled twice (first at {old.where})",
                                                       shown_path(job.where.file), job.where.line))
                    continue
                found.setdefault(job.name, job)
        return list(found.values())

    def _jobs_of(self, path: Path) -> list[Job]:
        cached = self._loaded.get(path)
        if cached is not None and cached[0] == _stamp(file for file, *_ in cached[0]):
            return cached[1]
        try:
            registry = load_file(path, self.root, limits=self.limits())
        except RecipeError as exc:
            self._broken[path] = exc
            return cached[1] if cached else []
        self._broken.pop(path, None)
        jobs = jobs_of(registry, path)
        self._loaded[path] = (_stamp(sorted(registry.files_read)), jobs)
        return jobs


def _stamp(files: Iterable[Path]) -> tuple[tuple[Path, int, int], ...]:
    """Each file with its modification time and size now (-1, -1 when it is gone)."""
    stamped = []
    for path in files:
        try:
            st = path.stat()
            stamped.append((path, st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            stamped.append((path, -1, -1))
    return tuple(stamped)
