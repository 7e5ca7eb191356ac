"""Shared pieces of the commands: opening the project with the right output."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..engine import Project
from ..config import find_root
from .display import Human, JsonLines


def open_project(args: argparse.Namespace, emit=None) -> Project:
    root = find_root(Path(args.project) if args.project else Path.cwd())
    return Project(root, emit=emit)


def display_for(args: argparse.Namespace):
    return JsonLines() if getattr(args, "json", False) else Human(quiet=getattr(args, "quiet", False))


def add_recipes_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("recipes", nargs="*", metavar="RECIPE", help="recipe files (default: the project's recipes)")


def add_build_arguments(p: argparse.ArgumentParser) -> None:
    """The options of a command that runs tasks: ``--json``, ``--executor``, ``--wait`` and ``--quiet``."""
    p.add_argument("--json", action="store_true", help="print one JSON event per line, ending with a summary")
    p.add_argument("--executor", help="executor to run tasks on (default from zflow.toml: local)")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait this long for another build of the project to finish (default: fail at once)")
    p.add_argument("-q", "--quiet", action="store_true", help="only the summary and errors")
