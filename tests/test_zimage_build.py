"""Recipes built end to end through `zflow build` with every image stage on a tiny random Z-Image folder: the same
bytes whatever shares a call (full or partial builds, local or Ray)."""
from __future__ import annotations

import json

import pytest
from PIL import Image

from helpers import zimage_model
from helpers.ci import need_ray, need_torch
from helpers.project import ProjectDir

need_torch()

pytestmark = [pytest.mark.zimage, pytest.mark.e2e, pytest.mark.slow]

ENV = {"HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}

RECIPE = '''\
from zflow import Character, Edit, Series, Style

mina = Character("mina", looks="barista, green apron")
warm = Style("warm", "warm film photo")
s = Series("s", style=warm, prompt="{{ cast }} {{ action }}, {{ style }}", size="64x64", drafts=2)
s.scene("b", cast=[mina], action="reads a book", edits=[Edit.inpaint("face", "a smile"), Edit.outpaint("80x64")])
'''

#: Scenes whose prompts differ a lot in length, drafted in shared calls when batched by prompt-blind batching.
SHORT = 's.scene("short", action="a cup")\n'
LONG = 's.scene("long", action="' + "a rainy street at night with neon signs and puddles, " * 5 + 'a lone cyclist")\n'
SERIES = '''\
from zflow import Series

s = Series("s", prompt="{{ action }}", size="64x64", drafts=3, refine=False)
'''


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return zimage_model.build_zimage(tmp_path_factory.mktemp("models") / "tiny-random-z")


def zimage_config(model, extra: str = "", stages=("draft", "refine", "edit")) -> str:
    return 'output = "out"\nbase_pixels = 4096\n' + extra + "".join(
        f'\n[stages.{s}]\nbackend = "zimage"\nmodel = "{model}"\noptions = {{ steps = 2 }}\n' for s in stages)


def test_recipe_builds_on_the_tiny_model_then_rebuilds_nothing(project, tiny):
    project.write("zflow.toml", zimage_config(tiny))
    project.write("recipes/basic.py", RECIPE)
    first = project.build(env=ENV)
    assert first.code == 0, first.stderr
    assert (first.summary["ran"], first.summary["failed"]) == (7, 0)
    [load] = [e for e in first.events if e["event"] == "model-load"]  # one from_pretrained serves the 3 stages
    assert (load["model"], load["dtype"], load["device"]) == (str(tiny), "float32", "cpu") and load["memory"] > 0
    assert first.summary["loads"] == 1
    assert first.summary["written"] == len(project.out_files()) == 7  # 6 images and the contact sheet
    outpainted = project.root / "out" / "s" / "b" / "edit-2-outpaint.png"
    with Image.open(outpainted) as image:
        assert image.size == (80, 64)
        meta = json.loads(image.text["zflow"])
    assert (meta["backend"], meta["stage"], meta["op"], meta["steps"]) == ("zimage", "edit", "outpaint", 2)
    assert meta["model"] == str(tiny) and meta["revision"].startswith("sha:")
    again = project.build(env=ENV)
    assert (again.summary["ran"], again.summary["cached"]) == (0, 7)
    assert (again.summary["loads"], again.summary["written"]) == (0, 0)
    (project.root / "out" / "s" / "b" / "refine.png").unlink()
    fresh = project.build("--fresh", env=ENV)
    assert (fresh.summary["ran"], fresh.summary["loads"], fresh.summary["written"]) == (0, 0, 1)


def test_a_scene_built_with_others_or_alone_gives_the_same_bytes(tmp_path, tiny):
    together = ProjectDir(tmp_path / "together")
    together.write("zflow.toml", zimage_config(tiny, "batch_size = 8\n", ("draft",)))
    together.write("recipes/s.py", SERIES + LONG + SHORT)
    alone = ProjectDir(tmp_path / "alone")
    alone.write("zflow.toml", zimage_config(tiny, "batch_size = 8\n", ("draft",)))
    alone.write("recipes/s.py", SERIES + SHORT)
    for proj in (together, alone):
        result = proj.build(env=ENV)
        assert result.code == 0, [e for e in result.events if e["event"] == "task-failed"] or result.stderr
    short = {k: v for k, v in together.out_files().items() if k.startswith("s/short/draft")}
    assert len(short) == 3 and short == {k: v for k, v in alone.out_files().items() if k.endswith(".png")}


@pytest.mark.ray
def test_a_ray_build_equals_the_local_build_byte_for_byte(tmp_path, tiny):
    need_ray()
    ray_settings = ('\n[executors.ray]\nfake_gpus = 2\nnum_cpus = 2\nobject_store_mb = 80\n'
                    'start_timeout = 240\n')
    builds = {}
    for executor in ("local", "ray"):
        proj = ProjectDir(tmp_path / executor)
        proj.write("zflow.toml", zimage_config(tiny, "batch_size = 3\n") + ray_settings)
        proj.write("recipes/basic.py", RECIPE + LONG + SHORT)
        result = proj.zflow("build", "--json", "--executor", executor, env=ENV, timeout=600)
        assert result.code == 0, result.stderr
        assert result.summary["failed"] == 0
        loads = [e for e in result.events if e["event"] == "model-load"]  # the workers' come back to the driver
        assert result.summary["loads"] == len(loads) and len(loads) in ((1, 2) if executor == "ray" else (1,))
        builds[executor] = {k: v for k, v in proj.out_files().items() if k.endswith(".png")}  # the model's images
    assert len(builds["local"]) == 12 and builds["ray"] == builds["local"]


def test_the_stage_style_and_scene_negatives_combine_into_the_provenance(project, tiny):
    project.write("zflow.toml", zimage_config(tiny, stages=("draft",)).replace(
        "options = { steps = 2 }", 'options = { steps = 2, guidance = 2.0, negative = "blurry, watermark" }'))
    project.write("recipes/n.py", '''\
from zflow import Series, Style

noir = Style("noir", "film noir", negative="watermark, bright colours")
s = Series("s", style=noir, prompt="{{ action }}, {{ style }}", size="64x64", drafts=1, refine=False)
s.scene("a", action="a detective", negative="sepia")
''')
    result = project.build(env=ENV)
    assert result.code == 0, result.stderr
    with Image.open(project.root / "out" / "s" / "a" / "draft-1.png") as image:
        meta = json.loads(image.text["zflow"])
    assert meta["negative"] == "blurry, watermark, bright colours, sepia"


def test_two_models_load_once_each_and_the_summary_stays_the_last_event(project, tiny, tmp_path):
    other = zimage_model.build_zimage(tmp_path / "tiny-random-z-2", seed=1)
    refine = zimage_config(other, stages=("refine",)).split("\n\n", 1)[1]
    project.write("zflow.toml", zimage_config(tiny, "max_loaded_models = 1\n", ("draft",)) + "\n" + refine)
    project.write("recipes/two.py", SERIES.replace(", refine=False", "") + SHORT)
    result = project.build(env=ENV)
    assert result.code == 0, result.stderr
    loads = [e["model"] for e in result.events if e["event"] == "model-load"]
    assert loads == [str(tiny), str(other)] and result.summary["loads"] == 2
    assert result.events[-1]["event"] == "summary"  # what is dropped when the process ends is not reported after it
