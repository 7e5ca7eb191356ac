"""`zflow plan`, `zflow explain`, `zflow graph`, `zflow plugins`: look without building."""
from __future__ import annotations

import argparse
import difflib
import json
from collections import Counter
from typing import Any

from ..errors import UsageError
from ..graph.diff import differences, marked
from .common import add_recipes_argument, open_project


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plan", help="what a build would run, and why")
    add_recipes_argument(p)
    p.add_argument("--json", action="store_true", help="print the tasks as JSON (id, stage, stale, reasons)")
    p.add_argument("--all", action="store_true", help="list up-to-date tasks too")
    p.set_defaults(run=run_plan)

    p = sub.add_parser("explain", help="which key parts of a task changed since its last build, old and new")
    p.add_argument("task", help="task id, e.g. cafe-diaries/ep01/opening/draft-2")
    p.add_argument("--json", action="store_true",
                   help="print id, stale, key, reasons and changes (part, name, change, old, new, words)")
    p.set_defaults(run=run_explain, recipes=[])

    p = sub.add_parser("graph", help="print the task graph as Mermaid or DOT")
    add_recipes_argument(p)
    p.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    p.set_defaults(run=run_graph)

    p = sub.add_parser("plugins", help="list the plugins and what they provide")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_plugins)


def run_plan(args: argparse.Namespace) -> int:
    project = open_project(args)
    try:
        plan = project.plan(project.load(args.recipes))
        rows = [{"id": tid, "stage": item.task.kind, "stale": item.stale,
                 "reasons": plan.reasons(project.store, tid)} | _upscale(item.task)
                for tid, item in plan.items.items() if item.stale or args.all or args.json]
        cost = project.cost(plan)
    finally:
        project.close()
    stale = [r for r in rows if r["stale"]]
    if args.json:
        print(json.dumps({"tasks": rows, "total": len(plan.items), "stale": len(stale), "cost": cost},
                         ensure_ascii=False))
        return 0
    for row in rows:
        mark = "run " if row["stale"] else "ok  "
        why = f"  ({'; '.join(row['reasons'])})" if row["reasons"] else ""
        sizes = f"  {row['upscale']}" if "upscale" in row else ""
        print(f"{mark}{row['id']}{sizes}{why}")
    by_stage = Counter(r["stage"] for r in stale)
    detail = ", ".join(f"{n} {stage}" for stage, n in sorted(by_stage.items()))
    print(f"{len(stale)} of {len(plan.items)} tasks to run" + (f": {detail}" if detail else ""))
    if cost["priced"] or cost["unpriced"] or cost["budget"] is not None:
        unpriced = f", {cost['unpriced']} on models with no price" if cost["unpriced"] else ""
        budget = f" (budget ${cost['budget']:.2f})" if cost["budget"] is not None else ""
        print(f"estimated cost: ${cost['total']:.2f} for {cost['priced']} tasks on priced models{unpriced}{budget}")
    return 0


def _upscale(task: Any) -> dict[str, str]:
    """What an upscale task makes of what: ``{"upscale": "2048x1152 -> 4096x2304"}`` (nothing for other tasks)."""
    if task.kind != "upscale":
        return {}
    (w, h), (sw, sh) = task.params["size"], task.params["source_size"]
    return {"upscale": f"{sw}x{sh} -> {w}x{h}"}


def run_explain(args: argparse.Namespace) -> int:
    project = open_project(args)
    try:
        plan = project.plan(project.load())
        item = plan.items.get(args.task)
        if item is None:
            near = difflib.get_close_matches(args.task, list(plan.items), n=3)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise UsageError(f"no task {args.task!r}{hint}")
        reasons = plan.reasons(project.store, args.task)
        found = differences(project.store.parts_of_last_build(args.task), item.parts) if item.stale else []
    finally:
        project.close()
    if args.json:
        print(json.dumps({"id": args.task, "stale": item.stale, "key": item.key, "reasons": reasons,
                          "changes": found}, ensure_ascii=False, default=str))
    elif item.stale:
        print(f"{args.task} is stale:")
        for reason in reasons if not found else ():
            print(f"  - {reason}")
        for change in found:
            print(f"  - {_described(change)}")
    else:
        print(f"{args.task} is up to date (key {item.key[:12]})")
    return 0


def _described(change: dict) -> str:
    """One change as a line: "param prompt changed: a [-red-] {+blue+} cat", "param seed changed: 7 -> 8"."""
    what = f"{change['part']} {change['name']}".strip()
    old, new = _shown(change, "old"), _shown(change, "new")
    if change["change"] == "removed":
        return f"{what} removed (was {old})"
    if change["change"] == "added":
        return f"{what} added: {new}"
    if "words" in change and change["part"] == "param":
        return f"{what} changed: {marked(change['words'])}"
    return f"{what} changed: {old} -> {new}"


def _shown(change: dict, side: str) -> str:
    """The old or new value of a change, short: keys and digests by their first 12 digits, values to 80 characters."""
    value = change[side]
    if change["part"] in ("input", "file"):
        return str(value)[:12]
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:79] + "…"


def run_graph(args: argparse.Namespace) -> int:
    project = open_project(args)
    try:
        graph = project.load(args.recipes).graph
    finally:
        project.close()
    ids = {tid: f"t{n}" for n, tid in enumerate(graph.tasks)}
    if args.format == "dot":
        print("digraph zflow {\n  rankdir=LR;")
        for tid, task in graph.tasks.items():
            print(f'  {ids[tid]} [label="{tid}\\n({task.kind})"];')
            for i in task.inputs:
                print(f"  {ids[i]} -> {ids[tid]};")
        print("}")
    else:
        print("flowchart LR")
        for tid, task in graph.tasks.items():
            print(f'  {ids[tid]}["{tid}<br/>{task.kind}"]')
            for i in task.inputs:
                print(f"  {ids[i]} --> {ids[tid]}")
    return 0


def run_plugins(args: argparse.Namespace) -> int:
    project = open_project(args)
    try:
        p = project.plugins
        data = {
            "plugins": p.describe(),
            "backends": {n: sorted(b.kinds) for n, b in sorted(p.backends.items())},
            "exporters": sorted(p.exporters), "edit_ops": sorted(p.edit_ops), "executors": sorted(p.executors),
            "filters": sorted(p.filters),
        }
    finally:
        project.close()
    if args.json:
        print(json.dumps(data, indent=2, default=str))
        return 0
    for plugin in data["plugins"]:
        origin = f"{plugin['distribution']} {plugin['version']}".strip()
        print(f"{plugin['name']:<14} {origin:<20} {plugin['module']:<28} {', '.join(plugin['hooks'])}")
    print(f"backends:  {', '.join(f'{n} ({chr(47).join(k)})' for n, k in data['backends'].items()) or '-'}")
    for label in ("exporters", "edit_ops", "executors", "filters"):
        print(f"{label.replace('_', ' ')}: {', '.join(data[label]) or '-'}")
    return 0
