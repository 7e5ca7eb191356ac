"""`zflow runs`: the history of scheduled runs, newest first, in each job's time zone."""
from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..config import find_root
from ..errors import UsageError
from .schedule_lines import minutes


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
        started = minutes(datetime.fromtimestamp(r.started, zone).isoformat())
        print(f"#{r.id} {r.job} fire {minutes(r.fire.astimezone(zone).isoformat())}  attempt {r.attempt}  "
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
    from ..dsl import add_edit_constructors
    from ..plugins import Plugins, make_plugin_manager
    from ..schedule import JobSource

    try:
        config = load_config(root)
        paths = config.recipe_files()
    except UsageError:
        return {}
    add_edit_constructors(Plugins.collect(make_plugin_manager(root)).edit_ops)  # Edit.inpaint(...) in the recipes
    return {job.name: job.schedule.zone for job in JobSource(root, lambda: paths, lambda: config.limits).jobs()}


def _record(r: Any, zone: Any) -> dict[str, Any]:
    return {"id": r.id, "job": r.job, "recipe": r.recipe, "fire": r.fire.astimezone(zone).isoformat(),
            "attempt": r.attempt, "started": r.started, "ended": r.ended, "outcome": r.outcome, "counts": r.counts,
            "outputs": list(r.outputs), "error": r.error}
