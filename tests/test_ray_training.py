"""Character training resumed under the Ray executor, on the session's real local Ray cluster (conftest's ``lab``)
and the tiny random-weight Z-Image, through real `zflow build --executor ray` processes: a training whose build is
SIGKILLed, or whose Ray worker is SIGKILLed, after a checkpoint resumes from that checkpoint, kept in the project's
work folder (not the worker's own working directory); the step count goes on, the loss history is kept, the LoRA
and its loss curve equal an uninterrupted run's, and nothing half-written is left."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from helpers.ci import need_ray, need_torch
from helpers.project import ZFLOW, ProjectDir, Result
from helpers.ray_lab import Lab
from helpers.training import ENV, TRAIN_ID, meta_of, tensors, train_progress, training_project

need_ray()
need_torch()

from helpers.zimage import offline_one_thread, tiny_zimage  # noqa: E402,F401
from zflow_ray.worker import SCRATCH  # noqa: E402

pytestmark = [pytest.mark.ray, pytest.mark.zimage, pytest.mark.e2e, pytest.mark.slow]

STEPS, EVERY = 40, 4
OUT = Path("out/characters/nabi/train")


def ray_project(folder: Path, model: Path, lab: Lab) -> ProjectDir:
    settings = f'\n[executors.ray]\naddress = "{lab.cluster.address}"\nactors = 1\nstart_timeout = 120\n'
    return training_project(ProjectDir(folder), model, STEPS, EVERY, settings)


@pytest.fixture(scope="module")
def whole(lab: Lab, tiny_zimage, tmp_path_factory) -> ProjectDir:
    """The same training on Ray, never interrupted."""
    built = ray_project(tmp_path_factory.mktemp("whole") / "proj", tiny_zimage, lab)
    result = built.build("--executor", "ray", env=ENV)
    assert result.code == 0, result.stderr
    assert meta_of(built, TRAIN_ID)["resumed_from"] == 0
    return built


def live_workers() -> set[int]:
    """The process ids of this machine's running zflow Ray workers (each keeps a scratch folder named by its pid)."""
    pids = {int(p.name.removeprefix(SCRATCH).split("-", 1)[0]) for p in Path(tempfile.gettempdir()).glob(f"{SCRATCH}*")}
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()}


def start_build(project: ProjectDir) -> subprocess.Popen:
    return subprocess.Popen([ZFLOW, "build", "--json", "--executor", "ray"], cwd=project.root,
                            env={**os.environ, **ENV}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def first_checkpoint(project: ProjectDir, build: subprocess.Popen) -> Path:
    """The training's checkpoint file, as soon as one is there."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        found = list((project.root / ".zflow/work").glob("*/checkpoint.pt"))
        if found:
            return found[0]
        assert build.poll() is None, f"the build ended before a checkpoint: {build.communicate()}"
        time.sleep(0.02)
    raise AssertionError("no checkpoint within 240 s")


def step_of(checkpoint: Path) -> int:
    import torch

    return int(torch.load(checkpoint, map_location="cpu", weights_only=True)["step"])


def wait_gone(pid: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{pid}").exists(), f"Ray worker {pid} still runs {timeout:g} s after its build died"


def assert_resumed(project: ProjectDir, result: Result, seen: int, whole: ProjectDir) -> None:
    """The build trained on from ``seen`` (or a later checkpoint) and made what the uninterrupted one made."""
    assert result.code == 0, result.stderr
    assert result.summary["failed"] == 0
    meta = meta_of(project, TRAIN_ID)
    resumed = meta["resumed_from"]
    assert seen <= resumed < STEPS and resumed % EVERY == 0
    assert meta["steps_run"] == STEPS - resumed
    steps = [e["step"] for e in train_progress(result.events)]
    assert steps[0] == resumed + 1 and steps[-1] == STEPS  # the step count goes on from the checkpoint
    mine, theirs = tensors(project.root / OUT / "lora.safetensors"), tensors(whole.root / OUT / "lora.safetensors")
    assert mine.keys() == theirs.keys() and all(np.array_equal(mine[k], theirs[k]) for k in theirs)
    # the loss curve is drawn from every step's loss: the same picture means the history before the kill was kept
    assert (project.root / OUT / "loss.png").read_bytes() == (whole.root / OUT / "loss.png").read_bytes()
    assert not any((project.root / ".zflow/work").iterdir())  # the finished training's work folder is gone
    assert not [p for p in project.root.rglob("*") if p.name.endswith((".tmp", ".part"))]


def test_a_training_whose_build_is_killed_resumes_on_the_next_ray_build(lab, tiny_zimage, whole, tmp_path):
    project = ray_project(tmp_path / "proj", tiny_zimage, lab)
    before = live_workers()
    build = start_build(project)
    try:
        checkpoint = first_checkpoint(project, build)
        [worker] = live_workers() - before
        assert Path(f"/proc/{worker}/cwd").resolve() != project.root  # the worker runs elsewhere
        os.kill(build.pid, signal.SIGKILL)  # a real kill -9 of the build, mid-training
    finally:
        build.communicate(timeout=120)
    assert build.returncode == -signal.SIGKILL
    wait_gone(worker)  # Ray ends the dead build's worker: no orphan goes on writing checkpoints
    seen = step_of(checkpoint)
    assert 0 < seen < STEPS
    assert_resumed(project, project.build("--executor", "ray", env=ENV), seen, whole)


def test_a_training_whose_ray_worker_is_killed_resumes_on_a_new_worker(lab, tiny_zimage, whole, tmp_path):
    project = ray_project(tmp_path / "proj", tiny_zimage, lab)
    before = live_workers()
    build = start_build(project)
    try:
        checkpoint = first_checkpoint(project, build)
        [worker] = live_workers() - before
        os.kill(worker, signal.SIGKILL)  # the worker dies mid-training; the build goes on
        seen = step_of(checkpoint)
    finally:
        stdout, stderr = build.communicate(timeout=300)
    events = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    assert 0 < seen < STEPS
    assert_resumed(project, Result(build.returncode, stdout, stderr, events), seen, whole)
    assert live_workers() - before == set()  # the build's workers, the replacement too, are gone with it
