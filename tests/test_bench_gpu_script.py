"""bench/gpu.sh, the prepared run of every GPU benchmark, works: its --tiny form (each benchmark's CPU dry run) runs
them all in order and collects one JSON result each; a benchmark past its time limit is recorded as failed, the
next one still runs, and the script exits non-zero."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.zimage, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["zimage_gpu", "train", "controlnet", "upscale", "instruct_gpu"]


def run(tmp_path: Path, *args: str, limit: int = 300) -> tuple[subprocess.CompletedProcess, list[dict]]:
    env = {**os.environ, "OUT": str(tmp_path), "PYTHON": sys.executable, "LIMIT": str(limit),
           "OMP_NUM_THREADS": "1"}
    done = subprocess.run(["bash", str(ROOT / "bench" / "gpu.sh"), *args], env=env, capture_output=True, text=True,
                          timeout=900)
    lines = (tmp_path / "gpu.jsonl").read_text().splitlines()
    return done, [json.loads(line) for line in lines]


def test_the_tiny_run_of_every_gpu_benchmark_collects_a_result_each(tmp_path):
    done, results = run(tmp_path, "--tiny")
    assert done.returncode == 0, done.stdout + done.stderr
    assert [r["bench"] for r in results] == NAMES
    by_name = {r["bench"]: r["result"] for r in results}
    for size in by_name["zimage_gpu"]["sizes"].values():
        assert size["bad_images"] == 0 and size["zflow_img_s"] > 0 and size["plain_img_s"] > 0
    assert all(case["seconds"] > 0 for case in by_name["upscale"]["cases"])
    assert all((tmp_path / f"{name}.log").stat().st_size > 0 for name in NAMES)


def test_a_benchmark_past_its_limit_is_recorded_as_failed_and_the_next_still_runs(tmp_path):
    done, results = run(tmp_path, "--tiny", "zimage_gpu", "upscale", limit=1)  # importing torch alone takes longer
    assert done.returncode == 1
    assert results == [{"bench": "zimage_gpu", "failed": "exit 124, over 1 s"},
                       {"bench": "upscale", "failed": "exit 124, over 1 s"}]


def test_an_unknown_benchmark_name_stops_the_run_before_anything_runs(tmp_path):
    done = subprocess.run(["bash", str(ROOT / "bench" / "gpu.sh"), "--tiny", "nosuch"], capture_output=True,
                          text=True, env={**os.environ, "OUT": str(tmp_path), "PYTHON": sys.executable})
    assert done.returncode == 2 and "no benchmark bench/nosuch.py" in done.stderr
    assert not (tmp_path / "gpu.jsonl").exists()
