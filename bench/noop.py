"""Benchmark: a no-op rebuild of a ~N-task recipe as a whole `zflow build` process, and a one-scene change.

Usage: python bench/noop.py --tasks 10000 [--tasks 100000 ...]; prints one JSON line per size, the last one last.
Targets (2-core box): no-op under 0.5 s at 10k tasks (ninja 0.11 s, doit 2.1-2.9 s, Snakemake 11.6-12.1 s on the same
graph shape); a changed prompt runs exactly that scene's downstream tasks; time scales linearly.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ZFLOW = str(Path(sys.executable).with_name("zflow"))
#: Measured as a user's installation runs: with Python's bytecode cache (some sandboxes turn it off).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
TASKS_PER_SCENE = 5  # draft-1, draft-2, contact, refine, edit-1-inpaint

RECIPE = '''\
from zflow import Character, Edit, Series, Style

mina = Character("mina", looks="barista, green apron")
film = Style("film", "35mm film photo, warm tones")
s = Series("bench", style=film, prompt="{{ cast }} {{ action }} at {{ place }}, {{ style }}", size="16x16", drafts=2)
for row in s.rows("calendar.csv"):
    s.scene(f"ep{row.n:06}", cast=[mina], action=row.action, place=row.place,
            edits=[Edit.inpaint([0.25, 0.25, 0.75, 0.75], "a smile")])
'''


def make_project(root: Path, scenes: int) -> None:
    (root / "recipes").mkdir(parents=True)
    (root / "zflow.toml").write_text('base_pixels = 256\nbatch_size = 16\n')
    (root / "recipes/bench.py").write_text(RECIPE)
    rows = "".join(f"{n},waves hello {n},a cafe\n" for n in range(scenes))
    (root / "recipes/calendar.csv").write_text("n,action,place\n" + rows)


def zflow_build(root: Path) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    proc = subprocess.run([ZFLOW, "build", "--json"], cwd=root, capture_output=True, text=True, env=ENV)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"zflow build failed: {proc.stderr}")
    return seconds, [json.loads(line) for line in proc.stdout.splitlines()]


def bench(tasks: int, repeats: int) -> dict:
    scenes = max(1, tasks // TASKS_PER_SCENE)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_project(root, scenes)
        first, events = zflow_build(root)
        total = events[-1]["tasks"]
        noop = [zflow_build(root)[0] for _ in range(repeats)]
        calendar = root / "recipes/calendar.csv"
        lines = calendar.read_text().splitlines()
        lines[1 + scenes // 2] = lines[1 + scenes // 2].replace("waves hello", "waves goodbye")
        calendar.write_text("\n".join(lines) + "\n")
        changed_seconds, events = zflow_build(root)
        ran = sorted(e["id"] for e in events if e["event"] == "task-done")
        scene = f"bench/ep{scenes // 2:06}/"
        expected = [f"{scene}{t}" for t in ("contact", "draft-1", "draft-2", "edit-1-inpaint", "refine")]
        return {
            "tasks": total, "first_build_seconds": round(first, 3),
            "noop_seconds": round(statistics.median(noop), 4), "noop_runs": [round(s, 4) for s in noop],
            "changed_seconds": round(changed_seconds, 3), "changed_ran": len(ran),
            "changed_expected": len(expected), "changed_exact": ran == expected,
            "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, action="append", help="graph size (repeatable)")
    parser.add_argument("--repeats", type=int, default=5, help="no-op runs per size (median reported)")
    args = parser.parse_args()
    for tasks in args.tasks or [10000]:
        print(json.dumps(bench(tasks, args.repeats)), flush=True)


if __name__ == "__main__":
    main()
