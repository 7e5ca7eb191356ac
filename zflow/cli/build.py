"""`zflow build`: load, plan and run the stale tasks, materializing out/."""
from __future__ import annotations

import argparse

from .common import add_recipes_argument, display_for, open_project


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help="build the recipes, running only stale tasks")
    add_recipes_argument(p)
    p.add_argument("--json", action="store_true", help="print one JSON event per line, ending with a summary")
    p.add_argument("--executor", help="executor to run tasks on (default from zflow.toml: local)")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait this long for another build of the project to finish (default: fail at once)")
    p.add_argument("--fresh", action="store_true",
                   help="run the recipes even when nothing they read has changed since the last build")
    p.add_argument("--overwrite-edited", action="store_true",
                   help="replace outputs changed by hand since zflow wrote them (by default such a task fails)")
    p.add_argument("-q", "--quiet", action="store_true", help="only the summary and errors")
    p.set_defaults(run=run_build)


def run_build(args: argparse.Namespace) -> int:
    display = display_for(args)
    project = open_project(args, emit=display)
    try:
        project.overwrite_edited = args.overwrite_edited
        summary = project.build_recipes(args.recipes, executor=args.executor, wait=args.wait, fresh=args.fresh)
    finally:
        display.close()
        project.close()
    return 1 if summary["failed"] else 0
