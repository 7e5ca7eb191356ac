"""`zflow schedule`: run recipes on their declared schedules (`zflow runs`, their history, is in ``runs``)."""
from __future__ import annotations

import argparse
import json
import os
import signal
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ..config import find_root
from ..dsl import shown_path
from ..errors import RecipeError, UsageError
from ..events import Emit, NothingDue, RecipeErrorEvent
from .common import add_recipes_argument, display_for
from .runs import run_runs
from .schedule_lines import Lines, minutes

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
        source = JobSource(project.root, lambda: [p.resolve() for p in project.recipe_paths(args.recipes)],
                           lambda: runner.project.config.limits)
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
        print(f"  last run: {'never' if last is None else last['outcome'] + ' for ' + minutes(last['fire'])}")
        for build in row["builds"]:
            print(f"  next: {minutes(build['fire'])}  {_built(build)}")
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
