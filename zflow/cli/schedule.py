"""`zflow schedule` and `zflow runs`: run recipes on their declared schedules, and show the run history."""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ..config import find_root
from ..dsl import shown_path
from ..errors import RecipeError, UsageError
from ..events import Emit, Event, NothingDue, RecipeErrorEvent
from .common import add_recipes_argument, display_for

if TYPE_CHECKING:  # the scheduler (and croniter) load only when a schedule command runs
    from ..schedule import JobSource, Scheduler


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schedule", help="run recipes on the schedules they declare (until Ctrl-C or SIGTERM)")
    add_recipes_argument(p)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--list", action="store_true",
                      help="show each schedule's next fire times, the scenes each will build, and its last run")
    mode.add_argument("--once", action="store_true",
                      help="run whatever is due now, then exit (for system cron, systemd timers and CI)")
    p.add_argument("--at", metavar="TIME", help="with --list or --once: act as if it were TIME "
                   "(ISO 8601, e.g. 2026-12-07T09:00+09:00; UTC when no offset is given)")
    p.add_argument("--count", type=int, default=3, metavar="N", help="with --list: fire times shown per job")
    p.add_argument("--json", action="store_true", help="print one JSON event per line")
    p.add_argument("-q", "--quiet", action="store_true", help="only run results and errors")
    p.set_defaults(run=run_schedule)

    p = sub.add_parser("runs", help="the history of scheduled runs, newest first")
    p.add_argument("--job", help="only this job (a series name, or series/export)")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="at most N runs (default 20)")
    p.add_argument("--outputs", action="store_true", help="list the files each run wrote under out/")
    p.add_argument("--json", action="store_true", help="print the runs as JSON")
    p.set_defaults(run=run_runs)


def run_schedule(args: argparse.Namespace) -> int:
    from ..schedule import JobSource, ProjectRunner, Scheduler, SystemClock
    from ..schedule.settings import read_settings
    from ..store.runs import Runs

    if args.at and not (args.list or args.once):
        raise UsageError("--at works with --list or --once")
    if args.count < 1:
        raise UsageError(f"--count {args.count}: give 1 or more")
    display = display_for(args)
    show = display if args.json else Lines(quiet=args.quiet)
    runner = ProjectRunner(find_root(Path(args.project) if args.project else Path.cwd()), forward=display)
    try:
        project = runner.project
        backoff, rescan = read_settings(project.config.extra.get("schedule") or {})
        source = JobSource(project.root, lambda: [p.resolve() for p in project.recipe_paths(args.recipes)])
        clock = SystemClock(parse_time(args.at) - datetime.now(timezone.utc) if args.at else timedelta(0))
        scheduler = Scheduler(_reporting(source, show), runner, Runs(project.store.index), clock, backoff, rescan,
                              emit=show)
        if args.list:
            return _list(scheduler, source, clock.now(), args, project.root)
        jobs = scheduler.jobs()
        if not jobs and not source.errors:
            raise UsageError("no recipe declares a schedule: add schedule=Schedule(\"0 9 * * MON\", tz=...) "
                             "to a Series or an export")
        with _stop_on_signals(scheduler, tell=not args.json):
            if args.once:
                results = scheduler.run_once()
                if not results:
                    show(NothingDue(event="nothing-due"))
            else:
                scheduler.serve()
                results = []
    finally:
        display.close()
        runner.close()
    if source.errors:
        return 2
    return 1 if any(r.outcome != "ok" for r in results) else 0


def _reporting(source: JobSource, show: Emit) -> Callable[[], list]:
    """The source's jobs, reporting each new recipe error once."""
    seen: set[str] = set()

    def jobs() -> list:
        found = source.jobs()
        for error in source.errors:
            if str(error) not in seen:
                seen.add(str(error))
                show(RecipeErrorEvent(event="recipe-error", error=error.message, file=error.file, line=error.line))
        return found
    return jobs


def _list(scheduler: Scheduler, source: JobSource, now: datetime, args: argparse.Namespace, root: Path) -> int:
    from ..schedule import upcoming

    rows = []
    for job in scheduler.jobs():
        last = scheduler.runs.last(job.name)
        zone = job.schedule.zone
        fires = upcoming(job.schedule, now, args.count)
        rows.append({
            "job": job.name, "recipe": shown_path(str(job.recipe)), "declared": str(job.where),
            "cron": job.schedule.cron, "tz": job.schedule.tz, "missed": job.schedule.missed,
            "next": [f.astimezone(zone).isoformat() for f in fires],
            "builds": [{"fire": f.astimezone(zone).isoformat(), **_scenes_of(job, f, root)} for f in fires],
            "last": None if last is None else {"fire": last.fire.astimezone(zone).isoformat(), "outcome": last.outcome},
        })
    if args.json:
        print(json.dumps({"jobs": rows}, ensure_ascii=False))
    elif not rows:
        print("no schedules declared")
    for row in [] if args.json else rows:
        last = row["last"]
        print(f"{row['job']}  {row['cron']} ({row['tz']}), missed: {row['missed']}  [{row['declared']}]")
        print(f"  last run: {'never' if last is None else last['outcome'] + ' for ' + _minutes(last['fire'])}")
        for build in row["builds"]:
            print(f"  next: {_minutes(build['fire'])}  {_built(build)}")
    return 2 if source.errors else 0


def _scenes_of(job: Any, fire: datetime, root: Path) -> dict[str, Any]:
    """The scenes the job builds when its recipe is loaded for ``fire`` (the due rows of its series, or those of
    them an export takes), or the recipe error that keeps it from loading."""
    from ..load import load_file

    series, _, export = job.name.partition("/")
    try:
        registry = load_file(job.recipe, root, job.run_vars(fire))
    except RecipeError as exc:
        return {"scenes": [], "error": str(exc)}
    taken = next((e.scenes for e in registry.exports if e.series == series and e.name == export), None)
    return {"scenes": [{"id": scene.id, "title": scene.title} for scene in registry.scenes
                       if scene.series == series and (taken is None or scene.id in taken)]}


def _built(build: dict[str, Any]) -> str:
    """What one fire builds, in words: "2 scenes: ep1 (The map), ep2"."""
    if build.get("error"):
        return f"cannot tell: {build['error']}"
    scenes = build["scenes"]
    if not scenes:
        return "builds no scene (no row is due)"
    names = ", ".join(f"{s['id']} ({s['title']})" if s["title"] else s["id"] for s in scenes[:6])
    more = f", +{len(scenes) - 6} more" if len(scenes) > 6 else ""
    return f"builds {len(scenes)} scene{'s' if len(scenes) != 1 else ''}: {names}{more}"


def run_runs(args: argparse.Namespace) -> int:
    from ..store.index import Index
    from ..store.runs import Runs

    root = find_root(Path(args.project) if args.project else Path.cwd())
    path = root / ".zflow" / "index.sqlite"
    if not path.is_file():
        records = []
    else:
        index = Index(path)
        try:
            records = Runs(index).history(job=args.job, limit=args.limit)
        finally:
            index.close()
    zones = _zones(root) if records else {}
    if args.json:
        print(json.dumps({"runs": [_record(r, zones.get(r.job, timezone.utc)) for r in records]}, ensure_ascii=False))
        return 0
    if not records:
        print("no runs recorded" + (f" for {args.job}" if args.job else ""))
    for r in records:
        zone = zones.get(r.job, timezone.utc)
        took = f"{r.ended - r.started:.1f}s" if r.ended is not None else "-"
        counts = ", ".join(f"{r.counts.get(k, 0)} {k}" for k in ("ran", "cached", "failed")) if r.counts else ""
        started = _minutes(datetime.fromtimestamp(r.started, zone).isoformat())
        print(f"#{r.id} {r.job} fire {_minutes(r.fire.astimezone(zone).isoformat())}  attempt {r.attempt}  "
              f"{r.outcome}  started {started}, took {took}"
              + (f"; {counts}; {len(r.outputs)} outputs" if counts else ""))
        if r.error:
            print(f"    {r.error}")
        for name in r.outputs if args.outputs else ():
            print(f"    {name}")
    return 0


def _zones(root: Path) -> dict[str, Any]:
    """Each scheduled job's time zone, read from the recipes as they are now (a job whose recipe cannot be read
    shows UTC)."""
    from ..config import load_config
    from ..schedule import JobSource

    try:
        paths = load_config(root).recipe_files()
    except UsageError:
        return {}
    return {job.name: job.schedule.zone for job in JobSource(root, lambda: paths).jobs()}


def _record(r: Any, zone: Any) -> dict[str, Any]:
    return {"id": r.id, "job": r.job, "recipe": r.recipe, "fire": r.fire.astimezone(zone).isoformat(),
            "attempt": r.attempt, "started": r.started, "ended": r.ended, "outcome": r.outcome, "counts": r.counts,
            "outputs": list(r.outputs), "error": r.error}


def parse_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--at {text!r}: give an ISO 8601 time such as 2026-12-07T09:00+09:00") from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


@contextmanager
def _stop_on_signals(scheduler: Scheduler, tell: bool) -> Iterator[None]:
    """SIGINT and SIGTERM ask the scheduler to stop after the running batch; a second SIGINT aborts. The handler
    writes with os.write, never through a Python stream another event may be half-way through."""
    def handler(signum: int, frame: Any) -> None:
        name = signal.Signals(signum).name
        scheduler.stop(name)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if tell:
            os.write(2, f"{name}: stopping after the running batch (Ctrl-C again aborts)\n".encode())

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def _minutes(iso: str) -> str:
    """An ISO time without seconds: 2026-12-07 09:00+09:00."""
    moment = datetime.fromisoformat(iso)
    return moment.strftime("%Y-%m-%d %H:%M") + moment.strftime("%z")[:3] + ":" + moment.strftime("%z")[3:]


class Lines:
    """Scheduler events as short lines on stderr, for people."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet

    def __call__(self, event: Event) -> None:
        kind = event["event"]
        if kind == "run-done":
            retry = f"; retry at {_minutes(event['retry_at'])}" if event["retry_at"] else ""
            error = f": {event['error']}" if event["error"] else ""
            self._say(f"{event['job']}: run #{event['run']} {event['outcome']}{error} "
                      f"({event['outputs']} outputs){retry}")
        elif kind == "recipe-error":
            self._say(f"error: {RecipeError(event['error'], event['file'], event['line'])}")
        elif self.quiet:
            return
        elif kind == "schedule-start":
            for job in event["jobs"]:
                self._say(f"{job['job']}: next run {_minutes(job['next'])}")
            self._say("scheduler running; Ctrl-C or SIGTERM stops it")
        elif kind == "run-start":
            vars_ = event["run_vars"]
            self._say(f"{event['job']}: run #{event['run']} for {vars_['date']} (week {vars_['week']}), "
                      f"attempt {event['attempt']}")
        elif kind == "run-skipped":
            self._say(f"{event['job']}: skipped the fire of {_minutes(event['fire'])}: {event['reason']}")
        elif kind == "nothing-due":
            self._say("nothing due")
        elif kind == "schedule-stop":
            self._say("scheduler stopped" + (f" ({event['reason']})" if event["reason"] else ""))

    @staticmethod
    def _say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)
