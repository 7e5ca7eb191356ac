"""`zflow build`: load, plan and run the stale tasks, materializing out/."""
from __future__ import annotations

import argparse

from .common import add_build_arguments, add_recipes_argument, display_for, open_project


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help="build the recipes, running only stale tasks")
    add_recipes_argument(p)
    add_build_arguments(p)
    p.add_argument("--fresh", action="store_true",
                   help="run the recipes even when nothing they read has changed since the last build")
    p.add_argument("--overwrite-edited", action="store_true",
                   help="replace outputs changed by hand since zflow wrote them (by default such a task fails)")
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
