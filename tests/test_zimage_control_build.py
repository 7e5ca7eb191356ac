"""`Control(...)` in a recipe built end to end through `zflow build` with the draft, refine and edit stages on a tiny
random Z-Image and a tiny random ZImageControlNetModel folder: the picked layout's pose map drives the real draft,
refine and inpaint; changing the ControlNet folder rebuilds exactly the controlled tasks; control on a stage without
a ControlNet stops the build at the plan, naming the stage and the option."""
from __future__ import annotations

import shutil

import pytest

from helpers.ci import need_torch
from helpers.zimage_control import configure, control_models  # noqa: F401
from helpers.layouts import built

need_torch()

pytestmark = [pytest.mark.zimage, pytest.mark.e2e, pytest.mark.slow]

ENV = {"HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}

RECIPE = '''\
from zflow import Character, Control, Edit, Series

mina = Character("mina", looks="barista, green apron")
s = Series("s", prompt="{{ cast }} {{ action }}", size="64x64", drafts=2)
s.scene("a", cast=[mina], action="pours coffee", layouts=2, control=Control("pose", image="layout", scale=0.8),
        edits=[Edit.inpaint("face", "a smile")])
s.scene("b", cast=[mina], action="reads a book")
'''


def test_the_picked_layouts_pose_map_drives_the_real_draft_refine_and_inpaint(project, control_models):
    model, controlnet, other = control_models
    shutil.copytree(controlnet, project.root / "cn")
    configure(project, model, "cn")
    project.write("recipes/r.py", RECIPE)
    first = project.build(env=ENV)
    assert first.code == 0, first.stderr
    assert first.summary["failed"] == 0
    loads = [e for e in first.events if e["event"] == "model-load" and e["backend"] == "zimage"]
    assert [e["model"] for e in loads] == [str(model)]  # one load serves the stages; the ControlNet rides on it
    for task_id, pipeline in (("s/a/draft-1", "ZImageControlNetPipeline"),
                              ("s/a/refine", "ZImageControlNetImg2ImgPipeline"),
                              ("s/a/edit-1-inpaint", "ZImageControlNetInpaintPipeline")):
        meta, parts = built(project.root, task_id)
        assert meta["pipeline"] == pipeline
        assert (meta["control"]["type"], meta["control"]["scale"]) == ("pose", 0.8)
        assert meta["control"]["map"] == parts["inputs"]["s/a/control-pose"]  # the map's key
        assert parts["model"]["side"]["controlnet"].startswith("folder:cn@sha:")
    plain, parts = built(project.root, "s/b/draft-1")
    assert plain["pipeline"] == "ZImagePipeline" and "control" not in plain and "side" not in parts["model"]
    control_task, _ = built(project.root, "s/a/control-pose")
    assert control_task["role"] == "control"

    shutil.rmtree(project.root / "cn")
    shutil.copytree(other, project.root / "cn")  # another ControlNet in the same folder
    second = project.build(env=ENV)
    assert second.code == 0, second.stderr
    ran = second.ids("task-done")
    assert {"s/a/draft-1", "s/a/draft-2", "s/a/refine", "s/a/edit-1-inpaint"} <= ran
    assert not {i for i in ran if i.startswith("s/b/")}  # no control: not rebuilt
    assert not {i for i in ran if "/layout-" in i or "/control-" in i}  # the maps do not depend on the ControlNet


def test_control_on_a_stage_without_a_controlnet_stops_the_build_naming_the_option(project, control_models):
    configure(project, control_models[0], None)
    project.write("recipes/r.py", RECIPE)
    result = project.build(env=ENV)
    assert result.code == 2
    assert ("pose control needs a ControlNet on the draft stage: set stages.draft.options.controlnet in zflow.toml"
            in result.stderr)
    assert not (project.root / "out").exists()
