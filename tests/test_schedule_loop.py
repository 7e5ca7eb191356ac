"""The scheduler loop driven through weeks of simulated time, building a real calendar recipe with the real engine."""
from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import pytest

from zflow.schedule import Backoff, Job, JobSource, ProjectRunner, Scheduler, last_fire
from zflow.store.runs import Runs

UTC = timezone.utc
KST = timezone(timedelta(hours=9))

CALENDAR = """\
n,date,action
1,2026-11-30,pours coffee
2,2026-12-03,reads a book
3,2026-12-07,waters plants
4,2026-12-14,closes the shop
"""

RECIPE = """\
from zflow import Schedule, Series

s = Series("weekly", size="64x64", drafts=1, refine=False, prompt="{{ action }} on {{ run.date | default('') }}",
           schedule=Schedule("CRON", tz="Asia/Seoul", missed="MISSED"))
for row in s.rows("data/cal.csv", due="date"):
    s.scene(f"ep{row.n}", action=row.action)
"""


class SimulatedClock:
    """Time that jumps to whatever the scheduler waits for; ``at(moment, action)`` runs an action on the way;
    reaching ``until`` stops the scheduler."""

    def __init__(self, start: datetime, until: datetime):
        self.moment = start.astimezone(UTC)
        self.until = until.astimezone(UTC)
        self.actions: list[tuple[datetime, Callable[[], None]]] = []

    def now(self) -> datetime:
        return self.moment

    def advance(self, span: timedelta) -> None:
        self.moment += span

    def at(self, moment: datetime, action: Callable[[], None]) -> None:
        self.actions.append((moment.astimezone(UTC), action))

    def wait_until(self, moment: datetime, stop: threading.Event) -> None:
        target = min(moment, self.until)
        for when, action in sorted((a for a in self.actions if a[0] <= target), key=lambda a: a[0]):
            self.moment = max(self.moment, when)
            action()
            self.actions.remove((when, action))
        self.moment = max(self.moment, target)
        if self.moment >= self.until:
            stop.set()


@pytest.fixture
def runner_for(project):
    """A real ProjectRunner on the calendar recipe with the given cron and missed policy."""
    made: list[ProjectRunner] = []

    def make(cron: str = "0 9 * * MON", missed: str = "run-once") -> ProjectRunner:
        project.write("recipes/data/cal.csv", CALENDAR)
        project.write("recipes/cal.py", RECIPE.replace("CRON", cron).replace("MISSED", missed))
        runner = ProjectRunner(project.root)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.close()


def scheduler(runner: ProjectRunner, clock: SimulatedClock, run=None, backoff: Backoff = Backoff()) -> Scheduler:
    source = JobSource(runner.project.root, runner.project.recipe_paths)
    return Scheduler(source.jobs, run or runner, Runs(runner.project.store.index), clock, backoff, rescan=None)


def history(sched: Scheduler) -> list:
    return list(reversed(sched.runs.history(limit=1000)))


def kst(day: int, hour: int = 9, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=KST)


def test_weekly_schedule_runs_each_fire_once_and_renders_only_that_weeks_rows(runner_for, project):
    runner = runner_for()
    clock = SimulatedClock(kst(29, 12), kst(20, 0, month=12))
    sched = scheduler(runner, clock)
    sched.serve()
    runs = history(sched)
    assert [r.fire.astimezone(KST) for r in runs] == [kst(23), kst(30), kst(7, month=12), kst(14, month=12)]
    assert [r.outcome for r in runs] == ["ok"] * 4
    assert [datetime.fromtimestamp(r.started, UTC) for r in runs[1:]] == [r.fire for r in runs[1:]]
    assert runs[0].outputs == ()
    assert {o.split("/")[1] for o in runs[1].outputs} == {"ep1", "ep2"}
    assert {o.split("/")[1] for o in runs[2].outputs} == {"ep3"}
    assert {o.split("/")[1] for o in runs[3].outputs} == {"ep4"}
    assert sorted(p.name for p in (project.root / "out/weekly").iterdir()) == ["ep1", "ep2", "ep3", "ep4"]


def test_missed_fires_after_downtime_run_once_on_start_not_in_a_burst(runner_for):
    runner = runner_for()
    scheduler(runner, SimulatedClock(kst(2, 9, 30), kst(2, 10))).serve()
    sched = scheduler(runner, SimulatedClock(kst(25, 12), kst(26, 0)))
    sched.serve()
    runs = history(sched)
    assert [r.fire.astimezone(KST) for r in runs] == [kst(2), kst(23)]
    assert runs[1].started == kst(25, 12).timestamp()


def test_missed_fires_after_downtime_are_skipped_when_declared(runner_for):
    runner = runner_for(missed="skip")
    scheduler(runner, SimulatedClock(kst(2, 9, 30), kst(2, 10))).serve()
    sched = scheduler(runner, SimulatedClock(kst(25, 12), kst(30, 10)))
    sched.serve()
    runs = history(sched)
    assert [(r.fire.astimezone(KST), r.outcome) for r in runs] == [(kst(2), "ok"), (kst(23), "skipped"),
                                                                   (kst(30), "ok")]
    assert "missed by 2d 3h" in runs[1].error


def test_skip_policy_still_runs_a_fire_that_is_late_by_less_than_its_grace(runner_for):
    runner = runner_for(missed="skip")
    sched = scheduler(runner, SimulatedClock(kst(23, 9, 40), kst(23, 10)))
    sched.serve()
    assert [(r.fire.astimezone(KST), r.outcome) for r in history(sched)] == [(kst(23), "ok")]


def test_runs_never_overlap_and_fires_during_a_run_collapse_into_one(runner_for):
    runner = runner_for(cron="*/10 * * * *")
    clock = SimulatedClock(kst(30, 9, 0), kst(30, 11, 0))

    def slow(job: Job, fire: datetime, cancelled) -> object:
        result = runner(job, fire, cancelled)
        clock.advance(timedelta(minutes=25))
        if clock.now() >= clock.until:  # always behind: without a stop it would run back to back for ever
            sched.stop()
        return result

    sched = scheduler(runner, clock, run=slow)
    sched.serve()
    runs = history(sched)
    assert len(runs) == 5
    for before, after in zip(runs, runs[1:]):
        assert after.started >= before.ended
        assert after.fire > before.fire
    for run in runs:
        started = datetime.fromtimestamp(run.started, UTC)
        assert run.fire == last_fire(sched.jobs()[0].schedule, started)
    assert [r.fire.astimezone(KST).strftime("%H:%M") for r in runs] == ["09:00", "09:20", "09:50", "10:10", "10:40"]


def break_prompt(project) -> Callable[[], None]:
    """Make the recipe's builds fail (its prompt names a run variable no run has); returns the repair."""
    recipe = project.root / "recipes/cal.py"
    good = recipe.read_text()
    recipe.write_text(good.replace("{{ action }}", "{{ action }} {{ run.mood }}"))
    return lambda: recipe.write_text(good)


def test_failing_run_is_retried_with_doubling_backoff_and_never_stops_the_scheduler(runner_for, project):
    runner = runner_for()
    repair = break_prompt(project)
    clock = SimulatedClock(kst(30, 9, 0), kst(7, 10, month=12))
    clock.at(kst(30, 10), repair)
    backoff = Backoff(retries=3, first=timedelta(minutes=1), limit=timedelta(minutes=3))
    sched = scheduler(runner, clock, backoff=backoff)
    sched.serve()
    runs = history(sched)
    started = [datetime.fromtimestamp(r.started, KST).strftime("%m-%d %H:%M") for r in runs]
    assert started == ["11-30 09:00", "11-30 09:01", "11-30 09:03", "11-30 09:06", "12-07 09:00"]
    assert [(r.attempt, r.outcome) for r in runs] == [(1, "error"), (2, "error"), (3, "error"), (4, "error"),
                                                      (1, "ok")]
    assert "undefined template variable" in runs[0].error and "mood" in runs[0].error
    assert {o.split("/")[1] for o in runs[-1].outputs} == {"ep3"}


def test_retry_succeeds_once_the_cause_is_fixed(runner_for, project):
    runner = runner_for()
    clock = SimulatedClock(kst(30, 9, 0), kst(30, 12))
    clock.at(kst(30, 9, 2), break_prompt(project))
    sched = scheduler(runner, clock, backoff=Backoff(retries=3, first=timedelta(minutes=1)))
    sched.serve()
    assert [(r.attempt, r.outcome) for r in history(sched)] == [(1, "error"), (2, "error"), (3, "ok")]


def test_stop_during_a_build_lets_the_running_batch_finish_then_returns(runner_for, project):
    runner = runner_for(cron="*/10 * * * *")
    clock = SimulatedClock(kst(30, 9, 0), kst(30, 12, 0))
    sched = scheduler(runner, clock)
    runner.forward = lambda event: sched.stop() if event["event"] == "task-done" else None
    sched.serve()
    runs = history(sched)
    assert [r.outcome for r in runs] == ["cancelled"]
    assert runs[0].counts["ran"] == 2 and runs[0].counts["superseded"] == 2
    assert clock.now() == kst(30, 9, 0)
    assert sorted(p.name for p in (project.root / "out/weekly/ep1").iterdir()) == ["draft-1.png"]


def test_cancelled_run_is_run_again_when_the_scheduler_restarts(runner_for):
    runner = runner_for()
    sched = scheduler(runner, SimulatedClock(kst(30, 9, 0), kst(30, 10)))
    runner.forward = lambda event: sched.stop() if event["event"] == "task-done" else None
    sched.serve()
    runner.forward = lambda event: None
    again = scheduler(runner, SimulatedClock(kst(30, 9, 5), kst(30, 10)))
    again.serve()
    assert [(r.fire.astimezone(KST), r.outcome) for r in history(again)] == [(kst(30), "cancelled"),
                                                                             (kst(30), "ok")]


def test_run_history_lives_beside_the_index_tables_without_touching_them(runner_for, project):
    runner = runner_for()
    scheduler(runner, SimulatedClock(kst(30, 9, 0), kst(30, 10))).serve()
    db = runner.project.store.index.db
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"artifacts", "tasks", "files", "outputs", "runs"} <= tables
    assert db.execute("SELECT COUNT(*) FROM artifacts").fetchone()[0] == 4
    assert Runs(runner.project.store.index).last("weekly").outcome == "ok"
    assert Path(project.root / ".zflow/index.sqlite").is_file()


def test_edited_recipe_is_read_again_and_a_broken_one_keeps_its_last_good_schedule(runner_for, project):
    runner = runner_for()
    recipe = project.root / "recipes/cal.py"
    source = JobSource(project.root, runner.project.recipe_paths)
    assert [j.schedule.cron for j in source.jobs()] == ["0 9 * * MON"]

    def edit(text: str, mtime: int) -> None:
        recipe.write_text(text)
        os.utime(recipe, ns=(mtime, mtime))  # a later edit, whatever the file system's timestamp granularity

    edit(recipe.read_text().replace("0 9 * * MON", "30 8 * * TUE"), 2_000_000_000_000_000_000)
    assert [j.schedule.cron for j in source.jobs()] == ["30 8 * * TUE"] and source.errors == []
    edit(recipe.read_text().replace("Series(", "Series(oops, "), 2_000_000_001_000_000_000)
    assert [j.schedule.cron for j in source.jobs()] == ["30 8 * * TUE"]
    assert [e.line for e in source.errors] == [3] and "oops" in source.errors[0].message
