"""A recipe built end to end through `zflow build` with every image stage on a tiny random Z-Image folder."""
from __future__ import annotations

import json

import pytest
from PIL import Image

from helpers import zimage_model
from helpers.ci import need_torch

need_torch()

pytestmark = [pytest.mark.zimage, pytest.mark.e2e, pytest.mark.slow]

RECIPE = '''\
from zflow import Character, Edit, Series, Style

mina = Character("mina", looks="barista, green apron")
warm = Style("warm", "warm film photo")
s = Series("s", style=warm, prompt="{{ cast }} {{ action }}, {{ style }}", size="64x64", drafts=2)
s.scene("b", cast=[mina], action="reads a book", edits=[Edit.inpaint("face", "a smile"), Edit.outpaint("80x64")])
'''


def test_recipe_builds_on_the_tiny_model_then_rebuilds_nothing(project, tmp_path):
    model = zimage_model.build_zimage(tmp_path / "tiny-random-z")
    stages = "".join(f'\n[stages.{s}]\nbackend = "zimage"\nmodel = "{model}"\noptions = {{ steps = 2 }}\n'
                     for s in ("draft", "refine", "edit"))
    project.write("zflow.toml", 'output = "out"\nbase_pixels = 4096\n' + stages)
    project.write("recipes/basic.py", RECIPE)
    env = {"HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    first = project.build(env=env)
    assert first.code == 0, first.stderr
    assert (first.summary["ran"], first.summary["failed"]) == (7, 0)
    outpainted = project.root / "out" / "s" / "b" / "edit-2-outpaint.png"
    with Image.open(outpainted) as image:
        assert image.size == (80, 64)
        meta = json.loads(image.text["zflow"])
    assert (meta["backend"], meta["stage"], meta["op"], meta["steps"]) == ("zimage", "edit", "outpaint", 2)
    assert meta["model"] == str(model) and meta["revision"].startswith("sha:")
    again = project.build(env=env)
    assert (again.summary["ran"], again.summary["cached"]) == (0, 7)
