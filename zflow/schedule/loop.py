"""The scheduler loop: each job's due fire runs once, one run at a time, with a missed-run policy and retries."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from ..events import Emit, RunDone, RunSkipped, RunStart, ScheduleStart, ScheduleStop, ignore
from ..store.runs import Runs
from .clock import Clock, SystemClock
from .fires import last_fire, next_fire
from .jobs import Job

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunResult:
    """How one run ended: ``ok``, ``failed`` (some tasks failed), ``error`` (the run could not build) or
    ``cancelled`` (stopped between batches); the build's counts and the out/ files it wrote."""

    outcome: str
    counts: dict[str, int] = field(default_factory=dict)
    outputs: tuple[str, ...] = ()
    error: str = ""


#: Runs one fire of a job; the third argument turns true when the scheduler is asked to stop.
Runner = Callable[[Job, datetime, Callable[[], bool]], RunResult]


@dataclass(frozen=True, slots=True)
class Backoff:
    """Retries of a failed run: up to ``retries`` more attempts, waiting ``first``, then twice as long each time,
    never more than ``limit``."""

    retries: int = 3
    first: timedelta = timedelta(minutes=1)
    limit: timedelta = timedelta(hours=1)

    def delay(self, failures: int) -> timedelta:
        return min(self.first * 2 ** (failures - 1), self.limit)


@dataclass(frozen=True, slots=True)
class _Retry:
    fire: datetime
    attempt: int
    at: datetime


class Scheduler:
    """Runs jobs' fires through ``runner``, recording each run in ``runs``.

    Runs never overlap: one job runs at a time, and fires that pass during a run collapse into one run after it.
    A fire that passed before the scheduler started, by more than its schedule's grace, follows the schedule's
    missed policy: ``run-once`` runs it (only the latest), ``skip`` records it skipped. A failed run is retried with
    back-off until it succeeds, the retries run out, or a newer fire supersedes it. ``stop()`` lets a running build
    finish its batch, then returns from ``serve()``.
    """

    def __init__(self, jobs: Callable[[], list[Job]], runner: Runner, runs: Runs, clock: Clock | None = None,
                 backoff: Backoff = Backoff(), rescan: timedelta | None = timedelta(minutes=1),
                 emit: Emit | None = None):
        self.jobs = jobs
        self.runner = runner
        self.runs = runs
        self.clock = clock or SystemClock()
        self.backoff = backoff
        self.rescan = rescan
        self.emit: Emit = emit or ignore
        self._stop = threading.Event()
        self._stop_reason = ""
        self._retries: dict[str, _Retry] = {}
        self._handled: dict[str, datetime] = {}

    def stop(self, reason: str = "") -> None:
        """Ask the loop to stop: no new run starts, a running build finishes its batch. Safe in a signal handler."""
        self._stop_reason = self._stop_reason or reason
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def serve(self) -> None:
        """Run due fires until ``stop()``; between them, sleep until the next fire, retry or rescan."""
        started = self.clock.now()
        jobs = self.jobs()
        self.emit(ScheduleStart(event="schedule-start", jobs=[
            {"job": j.name, "next": next_fire(j.schedule, started).astimezone(j.schedule.zone).isoformat()}
            for j in jobs]))
        while not self._stop.is_set():
            if self.run_due(jobs, started):
                continue  # fires that passed during these runs are due now: one run each, at once
            self.clock.wait_until(self._next_wake(jobs, self.clock.now()), self._stop)
            if not self._stop.is_set():
                jobs = self.jobs()
        self.emit(ScheduleStop(event="schedule-stop", reason=self._stop_reason))

    def run_once(self) -> list[RunResult]:
        """Run whatever is due now, one attempt each (for system cron, systemd timers and CI)."""
        now = self.clock.now()
        return self.run_due(self.jobs(), now, retry=False)

    def run_due(self, jobs: list[Job], alive_since: datetime, retry: bool = True) -> list[RunResult]:
        """Run each job's due fire, one after another; ``alive_since`` is when this scheduler started watching."""
        results = []
        for job in jobs:
            if self._stop.is_set():
                break
            due = self._due(job, self.clock.now(), alive_since)
            if due is not None:
                results.append(self._attempt(job, *due, retry=retry))
        return results

    def _due(self, job: Job, now: datetime, alive_since: datetime) -> tuple[datetime, int] | None:
        """The fire and attempt number to run now, or None."""
        fire = last_fire(job.schedule, now)
        pending = self._retries.get(job.name)
        if pending is not None and pending.fire >= fire:
            return (pending.fire, pending.attempt) if pending.at <= now else None
        self._retries.pop(job.name, None)
        settled = [t for t in (self.runs.settled_through(job.name), self._handled.get(job.name)) if t is not None]
        if settled and max(settled) >= fire:
            return None
        late = now - fire
        if fire < alive_since and late > job.schedule.grace and job.schedule.missed == "skip":
            reason = f"missed by {_shown(late)} while no scheduler ran (missed=\"skip\")"
            self.runs.skipped(job.name, str(job.recipe), fire, now.timestamp(), reason)
            self._handled[job.name] = fire
            self.emit(RunSkipped(event="run-skipped", job=job.name, fire=fire.isoformat(), reason=reason))
            return None
        return fire, 1

    def _attempt(self, job: Job, fire: datetime, attempt: int, retry: bool) -> RunResult:
        run_id = self.runs.start(job.name, str(job.recipe), fire, attempt, self.clock.now().timestamp())
        self.emit(RunStart(event="run-start", run=run_id, job=job.name, fire=fire.isoformat(), attempt=attempt,
                           run_vars=job.run_vars(fire)))
        try:
            result = self.runner(job, fire, self._stop.is_set)
        except Exception as exc:  # a failing run is recorded and retried; it never stops the scheduler
            log.info("run of %s for %s failed", job.name, fire, exc_info=True)
            result = RunResult("error", error=f"{type(exc).__name__}: {exc}")
        ended = self.clock.now()
        self.runs.finish(run_id, ended.timestamp(), result.outcome, result.counts, list(result.outputs), result.error)
        retry_at = None
        if result.outcome in ("failed", "error") and retry and attempt <= self.backoff.retries:
            retry_at = ended + self.backoff.delay(attempt)
            self._retries[job.name] = _Retry(fire, attempt + 1, retry_at)
        else:
            self._retries.pop(job.name, None)
            self._handled[job.name] = fire
        self.emit(RunDone(event="run-done", run=run_id, job=job.name, fire=fire.isoformat(), attempt=attempt,
                          outcome=result.outcome, counts=result.counts, outputs=len(result.outputs),
                          error=result.error, retry_at=retry_at.isoformat() if retry_at else None))
        return result

    def _next_wake(self, jobs: list[Job], now: datetime) -> datetime:
        names = {j.name for j in jobs}
        wakes = [next_fire(j.schedule, now) for j in jobs]
        wakes += [r.at for name, r in self._retries.items() if name in names]
        if self.rescan is not None:
            wakes.append(now + self.rescan)
        return min(wakes, default=now + timedelta(days=1))


def _shown(span: timedelta) -> str:
    """A duration rounded for people: 3d 4h, 2h 5m, 40m."""
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {mins}m" if hours else f"{mins}m"
