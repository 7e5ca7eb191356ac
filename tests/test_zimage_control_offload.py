"""`cpu_offload = true` on stages whose scenes use a ControlNet, through `zflow build` on the tiny Z-Image and tiny
ControlNet. On a machine without an accelerator the offload is skipped and says so on stderr (the weights are already
in CPU memory), and the images are the same bytes as without the option."""
from __future__ import annotations

import shutil

import pytest

from helpers.ci import need_torch
from helpers.zimage_control import configure, control_models  # noqa: F401

need_torch()

pytestmark = [pytest.mark.zimage, pytest.mark.e2e, pytest.mark.slow]

ENV = {"HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}

RECIPE = '''\
from zflow import Character, Control, Edit, Series

mina = Character("mina", looks="barista, green apron")
s = Series("s", prompt="{{ cast }} {{ action }}", size="64x64")
s.scene("a", cast=[mina], action="pours coffee", control=Control("pose", image="layout", scale=0.8),
        edits=[Edit.inpaint("face", "a smile")])
'''


def images(project) -> dict[str, bytes]:
    return {name: data for name, data in project.out_files().items() if name.endswith(".png")}


def test_cpu_offload_with_a_controlnet_on_the_cpu_is_skipped_clearly_and_changes_no_byte(project, control_models):
    model, controlnet, _ = control_models
    shutil.copytree(controlnet, project.root / "cn")
    project.write("recipes/r.py", RECIPE)
    configure(project, model, "cn", "cpu_offload = true")
    offloaded = project.build(env=ENV)
    assert offloaded.code == 0, offloaded.stderr
    assert offloaded.summary["failed"] == 0
    skipped = [line for line in offloaded.stderr.splitlines() if "cpu_offload" in line]
    assert skipped == ["zimage: skipped cpu_offload: the models run on cpu, where they already are (offloading "
                       "keeps weights in CPU memory between the uses of an accelerator)"]  # one load, one line
    with_offload = images(project)
    assert any("refine" in name for name in with_offload) and any("inpaint" in name for name in with_offload)

    shutil.rmtree(project.root / ".zflow")
    shutil.rmtree(project.root / "out")
    configure(project, model, "cn")
    plain = project.build(env=ENV)
    assert plain.code == 0, plain.stderr
    assert "cpu_offload" not in plain.stderr
    assert images(project) == with_offload
