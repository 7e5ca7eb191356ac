"""`zflow train CHARACTER`: build just a character's LoRA (and the sheets it trains on)."""
from __future__ import annotations

import argparse
from dataclasses import replace

from ..errors import UsageError
from ..graph.select import upstream
from .common import add_build_arguments, add_recipes_argument, display_for, open_project


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a character's LoRA (its train task and what it needs), nothing else")
    p.add_argument("character", help="the name of a character declared with train=Train(...)")
    add_recipes_argument(p)
    add_build_arguments(p)
    p.set_defaults(run=run_train)


def run_train(args: argparse.Namespace) -> int:
    display = display_for(args)
    project = open_project(args, emit=display)
    try:
        loaded = project.load(args.recipes)
        task_id = f"characters/{args.character}/train"
        if task_id not in loaded.graph.tasks:
            trained = sorted(c.name for c in loaded.recipe.characters.values() if c.train is not None)
            raise UsageError(f"no character {args.character!r} with train=Train(...) in the recipes "
                             f"(characters that train: {', '.join(trained) or 'none'})")
        part = replace(loaded, graph=upstream(loaded.graph, [task_id]))
        summary = project.build(part, executor=args.executor, all_recipes=False, wait=args.wait)
    finally:
        display.close()
        project.close()
    return 1 if summary["failed"] else 0
