"""Character training on the tiny random-weight Z-Image through `zflow build`: the train task trains a LoRA (with
progress events and a loss curve) that loads and changes the image; a build killed with SIGKILL mid-training
resumes from its last checkpoint and ends with the very LoRA an uninterrupted build makes."""
from __future__ import annotations

import json
import os
import signal
import subprocess

import numpy as np
import pytest
from PIL import Image

from helpers.ci import need_torch
from helpers.project import ZFLOW, ProjectDir
from helpers.training import ENV, RECIPE, meta_of, tensors, train_progress, training_project

need_torch()

from helpers.zimage import model_ref, offline_one_thread, pixels, request, tiny_zimage  # noqa: E402,F401

pytestmark = [pytest.mark.zimage, pytest.mark.e2e, pytest.mark.slow]

def test_the_train_task_trains_a_lora_that_loads_and_changes_the_image(project, tiny_zimage):
    from zflow_zimage.backend import ZImageBackend
    from zflow_zimage.cache import PipelineCache

    training_project(project, tiny_zimage, steps=12, every=4)
    result = project.build(env=ENV)
    assert result.code == 0, result.stderr
    assert {"characters/nabi/train", "s/cat/draft-1", "s/cup/draft-1"} <= result.ids("task-done")
    progress = train_progress(result.events)
    assert progress[0]["step"] == 1 and progress[-1]["step"] == 12
    assert [e["step"] for e in progress if e["checkpoint"]] == [4, 8]
    assert all(e["id"] == "characters/nabi/train" and e["loss"] > 0 for e in progress)
    out = project.root / "out/characters/nabi/train"
    with Image.open(out / "loss.png") as curve:
        assert curve.size == (640, 360)
    meta = meta_of(project, "characters/nabi/train")
    assert (meta["role"], meta["steps"], meta["resumed_from"], meta["steps_run"]) == ("lora", 12, 0, 12)
    assert [i["source"] for i in meta["images"]] == [f"recipes/nabi/{i}.png" for i in range(3)]
    assert meta_of(project, "s/cat/draft-1")["adapters"] == [{"lora": "nabi", "weight": 1.0}]
    assert "adapters" not in meta_of(project, "s/cup/draft-1")
    assert not any((project.root / ".zflow/work").iterdir())  # the finished training's work folder is gone

    backend = ZImageBackend(PipelineCache())
    handle = backend.load(model_ref(tiny_zimage))
    lora = {"lora": "nabi", "weight": 1.0, "file": "out/characters/nabi/train/lora.safetensors"}
    plain, trained = backend.run(handle, [
        request("draft", {"prompt": "nabi_cat naps", "seed": 3, **params}, root=project.root, model=handle.model,
                task_id=f"s/d{i}") for i, params in enumerate(({}, {"adapters": [lora]}))])
    assert np.abs(pixels(trained) - pixels(plain)).max() > 0  # the trained LoRA loads and changes the image


def test_a_training_killed_with_sigkill_resumes_from_its_last_checkpoint(project, tiny_zimage, tmp_path):
    training_project(project, tiny_zimage, steps=30, every=3)
    env = {**os.environ, **ENV}
    proc = subprocess.Popen([ZFLOW, "build", "--json"], cwd=project.root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    seen = 0
    try:
        for line in proc.stdout:
            event = json.loads(line) if line.startswith("{") else {}
            if event.get("event") == "train-progress" and event["checkpoint"] and event["step"] >= 6:
                seen = event["step"]
                os.kill(proc.pid, signal.SIGKILL)  # a real kill -9, mid-training
                break
    finally:
        proc.wait(timeout=120)
    assert seen and proc.returncode == -signal.SIGKILL
    [work] = list((project.root / ".zflow/work").iterdir())
    assert (work / "checkpoint.pt").is_file()

    again = project.build(env=ENV)
    assert again.code == 0, again.stderr
    progress = train_progress(again.events)
    meta = meta_of(project, "characters/nabi/train")
    resumed = meta["resumed_from"]
    assert resumed >= seen and resumed % 3 == 0 and resumed < 30
    assert progress[0]["step"] == resumed + 1 and progress[-1]["step"] == 30
    assert meta["steps_run"] == 30 - resumed  # steps run in all: the first build's `resumed`, then the rest

    whole = training_project(ProjectDir(tmp_path / "uninterrupted"), tiny_zimage, steps=30, every=3)
    done = whole.build(env=ENV)
    assert done.code == 0, done.stderr
    resumed_lora, whole_lora = (tensors(p / "out/characters/nabi/train/lora.safetensors")
                                for p in (project.root, whole.root))
    assert resumed_lora.keys() == whole_lora.keys()
    assert all(np.array_equal(resumed_lora[k], whole_lora[k]) for k in whole_lora)  # it resumed exactly


def test_a_training_adapter_is_merged_while_training_and_left_out_of_the_lora(project, tiny_zimage):
    from helpers.zimage_lora import make_lora

    training_project(project, tiny_zimage, steps=4, every=10)
    make_lora(tiny_zimage, project.root / "adapters/v1", seed=5, rank=2)
    project.write("recipes/r.py", RECIPE.format(steps=4, every=10).replace(
        "checkpoint_every=10)", 'checkpoint_every=10, adapter=Lora("../adapters/v1/pytorch_lora_weights.safetensors"))'
    ).replace("import Character,", "import Character, Lora,"))
    first = project.build(env=ENV)
    assert first.code == 0, first.stderr
    lora = tensors(project.root / "out/characters/nabi/train/lora.safetensors")
    assert lora and all(v.shape[0] == 4 for k, v in lora.items() if "lora_A" in k)  # rank 4: the adapter (2) is not
    assert meta_of(project, "characters/nabi/train")["steps_run"] == 4
    make_lora(tiny_zimage, project.root / "adapters/v1", seed=6, rank=2)  # a new adapter file: trained again
    assert "characters/nabi/train" in project.build(env=ENV).ids("task-done")


def test_a_generated_turnaround_set_is_drawn_then_trained_on(project, tiny_zimage):
    training_project(project, tiny_zimage, steps=2, every=10)
    project.write("recipes/r.py", RECIPE.format(steps=2, every=10).replace('images="nabi/*.png"',
                                                                           "images=Sheets(n=2)").replace(
        "import Character,", "import Character, Sheets,"))
    result = project.zflow("train", "nabi", "--json", env=ENV)
    assert result.code == 0, result.stderr
    assert result.ids("task-done") == {"characters/nabi/train", "characters/nabi/turnaround-01",
                                       "characters/nabi/turnaround-02"}
    images = meta_of(project, "characters/nabi/train")["images"]
    assert [(i["source"], i["caption"]) for i in images] == [
        ("characters/nabi/turnaround-01", "nabi_cat, a grey cat, front view"),
        ("characters/nabi/turnaround-02", "nabi_cat, a grey cat, side view")]


def test_a_training_first_evicts_cached_pipelines_that_leave_it_too_little_room(tiny_zimage, tmp_path):
    from zflow.contracts import Request, Task
    from zflow_zimage.backend import ZImageBackend
    from zflow_zimage.cache import PipelineCache

    backend = ZImageBackend(PipelineCache(free_bytes=lambda device: 0))  # a device with no room to spare
    events: list[dict] = []
    backend.emit = events.append
    handle = backend.load(model_ref(tiny_zimage))
    [draft] = backend.run(handle, [request("draft", {}, model=handle.model, root=tmp_path)])
    assert not isinstance(draft, BaseException), draft
    Image.new("RGB", (64, 64), (90, 120, 150)).save(tmp_path / "a.png")
    settings = {"steps": 2, "rank": 4, "alpha": 4.0, "lr": 1e-3, "resolution": 64, "batch_size": 1, "seed": 0,
                "checkpoint_every": 10}
    params = {"name": "nabi", "trigger": "nabi_cat", "base": "train", "settings": settings,
              "images": [{"file": "a.png", "caption": "nabi_cat, a grey cat"}], "training_adapters": []}
    train = Request(Task("characters/nabi/train", "train", params), "key-train", handle.model, (), tmp_path)
    [lora] = backend.run(handle, [train])
    assert not isinstance(lora, BaseException), lora
    kinds = [(e["event"], e.get("reason")) for e in events if e["event"] in ("model-load", "model-release")]
    assert kinds == [("model-load", None), ("model-release", "memory"), ("model-load", None),
                     ("model-release", "trained")]
    assert lora.meta["role"] == "lora" and lora.meta["steps_run"] == 2
