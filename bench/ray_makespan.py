"""Benchmark: the Ray executor's makespan and model loads on a simulated multi-node cluster of this machine.

A Ray cluster of separate local nodes (ray.cluster_utils: a head without GPUs and one node per fake GPU, on
127.0.0.1, inside a loopback-only network namespace when run as root) runs a sleep-based backend standing in for GPU
time: loading a model sleeps --load seconds, each task --task seconds. --models models get --tasks-per-model one-task
batches each, all submitted at once, for 1, 2 and 4 workers. Makespan is compared with the ideal (total work, the
minimum loads included, over the workers), and loads with the minimum (one per model).
Targets: within 10 % of ideal at 4 workers; loads equal to the minimum when tasks per model exceed workers.
Usage: python bench/ray_makespan.py [--task 0.5] [--load 1.0] [--models 4] [--tasks-per-model 8]; ends with one JSON line.
"""
from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

from zflow.contracts import Batch, ModelRef, Request, Task
from zflow.engine.project import Project
from zflow_ray import make_executor

WORKERS = (1, 2, 4)
CLONE_NEWNET = 0x40000000

SLEEPY = '''
"""A backend whose only work is sleeping: --load seconds to load a model, --task seconds per task."""
import time

from zflow.contracts import Output
from zflow.hookspecs import hookimpl


class Sleepy:
    name = "sleepy"
    version = "1"
    kinds = frozenset({{"sheet", "draft", "refine", "edit"}})

    def identity(self, model):
        return "sleep"

    def load(self, model):
        time.sleep({load})
        return model

    def run(self, handle, requests):
        time.sleep({task} * len(requests))
        return [Output({{"image.png": b"z"}}, {{"model": handle.options["m"]}}) for _ in requests]

    def release(self, handle):
        return None


@hookimpl
def register_backends(register):
    register(Sleepy())
'''


@contextlib.contextmanager
def loopback_only() -> Iterator[bool]:
    """A network namespace with only ``lo`` up for this process and its children, when allowed (root)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if os.geteuid() != 0 or libc.unshare(CLONE_NEWNET) != 0:
        yield False
        return
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    yield True


def batches(models: int, per_model: int) -> list[Batch]:
    """One-task batches, model by model (the order a build's ready list has them)."""
    out = []
    for m in range(models):
        model = ModelRef("sleepy", options={"m": m})
        for t in range(per_model):
            task = Task(f"bench/m{m}/draft-{t}", "draft", {"prompt": f"p{t}", "seed": t, "size": [8, 8]})
            out.append(Batch("sleepy", model, [Request(task, f"k{m}-{t}", model, ())]))
    return out


def run(project: Project, loads: list[dict], workers: int, work: list[Batch]) -> tuple[float, int]:
    """Makespan (first submit to last result) and model loads of ``work`` on ``workers`` GPU workers."""
    executor = make_executor(project.runtime, {"actors": workers, "start_timeout": 300})
    try:
        loads.clear()
        start = time.perf_counter()
        for batch in work:
            executor.submit(batch)
        left = len(work)
        while left:
            for _, results in executor.wait():
                if not all(r.__class__.__name__ == "Output" for r in results):
                    raise SystemExit(f"a batch failed: {results}")
                left -= 1
        return time.perf_counter() - start, len(loads)
    finally:
        executor.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", type=float, default=0.5, help="seconds of one task")
    parser.add_argument("--load", type=float, default=1.0, help="seconds of one model load")
    parser.add_argument("--models", type=int, default=4)
    parser.add_argument("--tasks-per-model", type=int, default=8)
    args = parser.parse_args()
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    import ray
    from ray.cluster_utils import Cluster

    with loopback_only() as isolated, tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "plugins").mkdir()
        (root / "plugins" / "sleepy.py").write_text(SLEEPY.format(load=args.load, task=args.task))
        (root / "zflow.toml").write_text('[stages.draft]\nbackend = "sleepy"\n')
        started = time.perf_counter()
        node = {"object_store_memory": 80 * 2**20, "node_ip_address": "127.0.0.1"}
        cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "num_gpus": 0,
                                                                "include_dashboard": False, **node})
        for _ in range(max(WORKERS)):
            cluster.add_node(num_cpus=0, num_gpus=1, **node)
        ray.init(address=cluster.address, log_to_driver=False)
        cluster_seconds = time.perf_counter() - started
        loads: list[dict] = []
        project = Project(root, emit=lambda e: loads.append(e) if e["event"] == "model-load" else None)
        work = batches(args.models, args.tasks_per_model)
        project.runtime.route(work[0].requests[0].task)
        figures = {}
        for workers in WORKERS:
            makespan, count = run(project, loads, workers, work)
            ideal = (len(work) * args.task + args.models * args.load) / workers
            figures[workers] = {"makespan_s": round(makespan, 3), "ideal_s": round(ideal, 3),
                                "over_ideal": round(makespan / ideal - 1, 4), "loads": count,
                                "min_loads": args.models}
            print(f"{workers} worker(s): makespan {makespan:.2f} s, ideal {ideal:.2f} s "
                  f"({makespan / ideal - 1:+.1%}), loads {count} (minimum {args.models})")
        project.close()
        ray.shutdown()
        cluster.shutdown()
    print(json.dumps({
        "bench": "ray_makespan", "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                             "ray": ray.__version__, "loopback_namespace": isolated},
        "nodes": 1 + max(WORKERS), "cluster_start_s": round(cluster_seconds, 2), "task_s": args.task,
        "load_s": args.load, "models": args.models, "tasks_per_model": args.tasks_per_model,
        "workers": figures,
        "within_10pct_of_ideal_at_4": figures[4]["over_ideal"] <= 0.10,
        "loads_at_minimum": all(f["loads"] == f["min_loads"] for f in figures.values()),
    }))


if __name__ == "__main__":
    main()
