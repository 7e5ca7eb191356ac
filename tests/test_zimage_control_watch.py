"""A ControlNet folder given new weights while `zflow watch --json` keeps its models loaded: the rebuild that follows
serves the new ControlNet, so its images equal, byte for byte, those a fresh `zflow build` makes with the new weights
(the loaded ControlNet is kept under its identity, the one in the task keys, not under its folder's path)."""
from __future__ import annotations

import shutil

import pytest

from helpers.ci import need_torch
from helpers.watch import WatchProcess
from helpers.zimage_control import configure, control_models  # noqa: F401

need_torch()

pytestmark = [pytest.mark.zimage, pytest.mark.e2e, pytest.mark.slow]

RECIPE = '''\
from zflow import Character, Control, Series

mina = Character("mina", looks="barista, green apron")
s = Series("s", prompt="{{ cast }} {{ action }}", size="64x64")
s.scene("a", cast=[mina], action="pours coffee", control=Control("pose", image="layout", scale=0.8))
'''


def images(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if name.endswith(".png")}


def test_new_controlnet_weights_in_a_watched_project_give_a_fresh_builds_images(project, control_models):
    model, controlnet, other = control_models
    project.env.update({"HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"})
    shutil.copytree(controlnet, project.root / "cn")
    configure(project, model, "cn")
    project.write("recipes/r.py", RECIPE)
    watch = WatchProcess(project)
    first = watch.until(lambda e: e["event"] == "watching")
    assert next(e for e in first if e["event"] == "summary")["failed"] == 0
    old = images(project.out_files())

    shutil.rmtree(project.root / "cn")
    shutil.copytree(other, project.root / "cn")  # new weights, same folder
    project.write("zflow.toml", (project.root / "zflow.toml").read_text() + "# the ControlNet was retrained\n")
    rebuild = watch.rebuild()
    assert watch.stop() == 0
    assert rebuild[-1]["event"] == "summary" and rebuild[-1]["failed"] == 0
    ran = {e["id"] for e in rebuild if e["event"] == "task-done"}
    assert {"s/a/draft-1", "s/a/refine"} <= ran
    assert [e for e in rebuild if e["event"] == "model-load"] == []  # the pipeline stayed loaded across the builds
    watched = images(project.out_files())
    changed = {name for name in watched if watched[name] != old.get(name)}
    assert changed  # the controlled images changed

    shutil.rmtree(project.root / ".zflow")
    shutil.rmtree(project.root / "out")
    fresh = project.build(env=project.env)
    assert fresh.code == 0, fresh.stderr
    assert images(project.out_files()) == watched
