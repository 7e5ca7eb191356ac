"""The stage's ControlNet in task keys and settings, through a real project's runtime: its identity keys only the
tasks with control (changing its folder re-keys exactly them), control on a stage without a ControlNet stops the plan
naming the stage and the option, and a wrong ``controlnet`` setting is refused at its zflow.toml line."""
from __future__ import annotations

import shutil

import pytest

from helpers.ci import need_torch
from helpers.zimage_control import configure, control_models  # noqa: F401
from zflow.contracts import Task
from zflow.contracts.settings import SettingError
from zflow.engine.project import Project
from zflow.errors import PluginError
from zflow.graph.keys import key_of, key_parts

need_torch()

pytestmark = [pytest.mark.zimage]


TASKS = [
    Task("s/a/draft-1", "draft", {"prompt": "a cat", "seed": 1, "size": [64, 64]}),
    Task("s/a/draft-2", "draft", {"prompt": "a cat", "seed": 2, "size": [64, 64],
                                  "control": {"type": "pose", "scale": 0.8}}),
    Task("s/b/edit-1", "edit", {"op": "inpaint", "prompt": "a smile", "size": [64, 64],
                                "control": {"type": "canny", "scale": 0.5}}),
    Task("s/b/edit-2", "edit", {"op": "restyle", "prompt": "ink", "size": [64, 64]}),
]


def keys(root, tasks=TASKS) -> dict[str, str]:
    """Each task's key as the plan computes it (no inputs, no files)."""
    runtime = Project(root, env={}).runtime
    out = {}
    for task in tasks:
        runner, model = runtime.route(task)
        parts = key_parts(task, runtime.impl(runner), runtime.task_identity(runner, model, task), {}, {})
        out[task.id] = key_of(parts)
    return out


def test_the_controlnet_keys_only_the_tasks_with_control(project, control_models):
    model, controlnet, other = control_models
    project_cn = project.root / "models" / "cn"
    shutil.copytree(controlnet, project_cn)
    configure(project, model, None)
    bare = keys(project.root, [t for t in TASKS if "control" not in t.params])
    configure(project, model, "models/cn")  # relative to zflow.toml
    first = keys(project.root)
    assert {t: first[t] for t in bare} == bare  # configuring a ControlNet rebuilds nothing without control
    shutil.rmtree(project_cn)
    shutil.copytree(other, project_cn)  # another ControlNet in the same folder
    second = keys(project.root)
    assert {t for t in first if first[t] != second[t]} == {"s/a/draft-2", "s/b/edit-1"}


def test_control_on_a_stage_without_a_controlnet_stops_the_plan_naming_the_option(project, control_models):
    configure(project, control_models[0], None)
    with pytest.raises(PluginError) as refused:
        keys(project.root)
    assert ("s/a/draft-2: pose control needs a ControlNet on the draft stage: set stages.draft.options.controlnet "
            "in zflow.toml") in str(refused.value)


def test_a_missing_controlnet_folder_is_refused_at_its_zflow_toml_line(project, control_models):
    configure(project, control_models[0], "./models/nowhere")  # ./: a folder, not a hub id
    with pytest.raises(SettingError) as refused:
        keys(project.root)
    message = str(refused.value)
    assert message.startswith(f"{project.root / 'zflow.toml'}:7: [stages.draft.options] controlnet: folder ")
    assert "models/nowhere not found" in message


def test_a_controlnet_of_the_wrong_type_is_refused_at_its_line(project, control_models):
    project.write("zflow.toml", f'output = "out"\n[stages.draft]\nbackend = "zimage"\nmodel = "{control_models[0]}"\n'
                  f'options = {{ controlnet = 3 }}\n')
    with pytest.raises(SettingError) as refused:
        keys(project.root)
    assert str(refused.value).endswith("zflow.toml:5: [stages.draft.options] controlnet: must be text, got 3")
