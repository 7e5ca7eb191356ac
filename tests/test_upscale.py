"""Upscale through the CLI on the preview backend: output sizes, what a change rebuilds, what exports take, the
upscale stage of zflow.toml and the mistakes a recipe can make."""
from __future__ import annotations

import json
import re

import pytest
from PIL import Image

pytestmark = [pytest.mark.e2e]

RECIPE = '''\
from zflow import Series, Upscale, sns

s = Series("s", prompt="a cat {{ action }}", size="64x48", drafts=1, upscale=Upscale(scale=2, tile=64, overlap=16))
s.scene("a", action="sits")
s.scene("b", action="runs", upscale=Upscale(size="192x144", strength=0.2, tile=96, overlap=32))
s.scene("c", action="naps", upscale=None)
s.scene("d", action="dreams", upscale=Upscale(scale=3, upscaler="models/esrgan.pth"))
s.scene("e", photo=s.scene("f", action="yawns"), action="stretches", upscale=Upscale(scale=4))
sns(s, "x_post")
'''


@pytest.fixture
def upscaling(project):
    (project.root / "recipes/models").mkdir(parents=True)
    (project.root / "recipes/models/esrgan.pth").write_bytes(b"weights one")
    project.write("recipes/r.py", RECIPE)
    result = project.build()
    assert result.code == 0, result.stdout + result.stderr
    return project


def _size(project, rel: str) -> tuple[int, int]:
    with Image.open(project.root / "out" / rel) as image:
        return image.size


def test_upscaled_images_have_exactly_the_size_asked_for(upscaling):
    assert _size(upscaling, "s/a/refine.png") == (64, 48)
    assert _size(upscaling, "s/a/upscale.png") == (128, 96)
    assert _size(upscaling, "s/b/upscale.png") == (192, 144)
    assert _size(upscaling, "s/d/upscale.png") == (192, 144)
    assert not (upscaling.root / "out/s/c/upscale.png").exists()
    with Image.open(upscaling.root / "out/s/a/upscale.png") as image:
        meta = json.loads(image.text["zflow"]) if "zflow" in image.text else None
        assert image.getpixel((image.width - 3, 3))[0] > 150  # the red PREVIEW badge in the corner
    assert meta is None or meta.get("stage") == "upscale"


def test_a_scene_starting_from_another_starts_from_its_image_before_the_upscale(upscaling):
    # f is upscaled x2 by its series (128x96); e starts from f's 64x48 image and upscales it x4
    assert _size(upscaling, "s/f/upscale.png") == (128, 96)
    assert _size(upscaling, "s/e/upscale.png") == (256, 192)


@pytest.mark.parametrize("change", [
    ('Upscale(size="192x144", strength=0.2,', 'Upscale(size="192x144", strength=0.35,'),
    ("tile=96, overlap=32", "tile=128, overlap=32"),
    ("tile=96, overlap=32", "tile=96, overlap=16"),
])
def test_changing_strength_or_tiles_rebuilds_only_that_scenes_upscale_and_the_exports(upscaling, change):
    upscaling.write("recipes/r.py", RECIPE.replace(*change))
    result = upscaling.build()
    assert result.code == 0, result.stderr
    assert result.ids("task-done") == {"s/b/upscale", "s/export/sns"}


def test_the_upscaler_files_content_is_in_the_key(upscaling):
    (upscaling.root / "recipes/models/esrgan.pth").write_bytes(b"weights two")
    result = upscaling.build()
    assert result.ids("task-done") == {"s/d/upscale", "s/export/sns"}


def test_exports_take_the_upscaled_image_and_plan_shows_the_upscale(upscaling):
    edges = _edges(upscaling.zflow("graph", "--format", "dot").stdout)
    into_export = {a for a, b in edges if b == "s/export/sns"}
    assert into_export == {"s/a/upscale", "s/b/upscale", "s/c/refine", "s/d/upscale", "s/e/upscale", "s/f/upscale"}
    assert ("s/f/refine", "s/e/upscale") in edges  # e starts from f's image before f's upscale
    upscaling.write("recipes/r.py", RECIPE.replace("scale=2, tile=64", "scale=3, tile=64"))
    plan = json.loads(upscaling.zflow("plan", "--json").stdout)
    stale = {t["id"]: t["stage"] for t in plan["tasks"] if t["stale"]}
    assert stale == {"s/a/upscale": "upscale", "s/f/upscale": "upscale", "s/export/sns": "export"}


def _edges(dot: str) -> set[tuple[str, str]]:
    """The (from, to) task ids of `zflow graph --format dot`."""
    labels = dict(re.findall(r'^\s*(t\d+) \[label="([^\\"]+)', dot, re.M))
    return {(labels[a], labels[b]) for a, b in re.findall(r"^\s*(t\d+) -> (t\d+);", dot, re.M)}


def test_the_upscale_stage_defaults_to_the_refine_model_and_can_be_set(upscaling):
    upscaling.write("zflow.toml", 'output = "out"\nbase_pixels = 4096\n[stages.upscale]\nbackend = "nowhere"\n')
    result = upscaling.zflow("plan")
    assert result.code == 2 and "stages.upscale.backend in" in result.stderr and "'nowhere'" in result.stderr
    # unset, it is the refine stage's: a backend that cannot upscale is named, with where it came from
    upscaling.write("plugins/refine_only.py", """
        from zflow import hookimpl

        class RefineOnly:
            name, version, kinds = "refine-only", "1", frozenset({"sheet", "draft", "refine"})

            def identity(self, model):
                return "refine-only"

        @hookimpl
        def register_backends(register):
            register(RefineOnly())
    """)
    upscaling.write("zflow.toml", 'output = "out"\nbase_pixels = 4096\n[stages.refine]\nbackend = "refine-only"\n')
    result = upscaling.zflow("plan")
    assert result.code == 2
    assert "stages.upscale.backend: backend 'refine-only' cannot serve 'upscale' tasks (the upscale stage takes " \
           "the refine stage's model" in result.stderr


@pytest.mark.parametrize("upscale, message", [
    ("Upscale(scale=5)", "Upscale scale=5: use 2, 3 or 4"),
    ('Upscale(scale=2, size="128x96")', "scale= or size=, not both"),
    ("Upscale(strength=1.5)", "strength=1.5 must be from 0 to 1"),
    ("Upscale(tile=100)", "tile=100 must be a whole number of pixels, a multiple of 16"),
    ("Upscale(tile=128, overlap=64)", "overlap=64 must be under half the tile"),
    ('Upscale(size="130x96")', "130x96 is not a multiple of 16"),
    ('Upscale(size="3:4")', 'give pixels like "3840x2160" or a tier'),
    ('Upscale(size="128x128")', "has another aspect than the 64x48 image"),
    ('Upscale(size="48x32")', "has another aspect"),
    ('Upscale(size="32x16")', "has another aspect"),
    ("Upscale(upscaler='models/missing.pth')", "models/missing.pth not found"),
    ("'big'", "upscale must be Upscale(...) or None"),
])
def test_a_bad_upscale_is_refused_at_its_line(project, upscale, message):
    project.write("recipes/r.py", f'from zflow import Series, Upscale\ns = Series("s", size="64x48", drafts=1)\n'
                                  f's.scene("a", action="x",\n        upscale={upscale})\n')
    result = project.build()
    assert result.code == 2, result.stdout + result.stderr
    assert "recipes/r.py:" in result.stderr and message in result.stderr
    assert not (project.root / "out").exists()


def test_an_upscale_past_4096_a_side_names_what_fits(project):
    project.write("recipes/r.py", 'from zflow import Series, Upscale\n'
                                  's = Series("s", size="1360x768", drafts=1, upscale=Upscale(scale=4))\n'
                                  's.scene("a", action="x")\n')
    result = project.zflow("plan")
    assert result.code == 2
    assert "recipes/r.py:2: scene s/a: upscaling 1360x768 by 4 makes 5440x3072, over 4096 px a side; use scale=3" \
        in result.stderr


def test_a_smaller_size_is_refused(project):
    project.write("recipes/r.py", 'from zflow import Series, Upscale\n'
                                  's = Series("s", size="64x48", drafts=1, upscale=Upscale(size="48x36"))\n'
                                  's.scene("a", action="x")\n')
    assert "48x36 is not a multiple of 16" in project.zflow("plan").stderr
    project.write("recipes/r.py", 'from zflow import Series, Upscale\n'
                                  's = Series("s", size="128x96", drafts=1, upscale=Upscale(size="64x48"))\n'
                                  's.scene("a", action="x")\n')
    result = project.zflow("plan")
    assert result.code == 2 and "upscale size 64x48 is smaller than the 128x96 image" in result.stderr


def test_a_4k_tier_is_the_same_area_as_4096_squared_within_4096_a_side(project):
    project.write("recipes/r.py", 'from zflow import Series, Upscale\n'
                                  's = Series("s", size="64x48", drafts=1, refine=False, upscale=Upscale(size="2K"))\n'
                                  's.scene("a", action="x")\n'
                                  's.scene("b", size="64x64", action="y")\n')
    assert project.build().code == 0
    assert _size(project, "s/a/upscale.png") == (2352, 1760)  # 2048 * sqrt(4/3) x 2048 * sqrt(3/4), to 16s
    assert _size(project, "s/b/upscale.png") == (2048, 2048)


def test_a_scene_beyond_the_direct_range_is_generated_smaller_then_upscaled_and_plan_says_so(project):
    project.write("recipes/r.py", 'from zflow import Series, Upscale, sns\n'
                                  's = Series("s", size="2560x1440", drafts=1, refine=False)\n'
                                  's.scene("a", action="x")\n'
                                  's.scene("b", action="y", upscale=Upscale(strength=0.2, tile=512, overlap=64))\n'
                                  's.scene("c", size="1024x576", action="z")\n'
                                  'sns(s, "yt_banner")\n')
    result = project.zflow("plan")
    assert result.code == 0, result.stderr
    assert "run s/a/upscale  2048x1152 -> 2560x1440  (never built)" in result.stdout
    assert "run s/b/upscale  2048x1152 -> 2560x1440" in result.stdout and "s/c/upscale" not in result.stdout
    rows = {r["id"]: r for r in json.loads(project.zflow("plan", "--json").stdout)["tasks"]}
    assert rows["s/a/upscale"]["upscale"] == "2048x1152 -> 2560x1440"
    built = project.build()
    assert built.code == 0, built.stderr
    assert _size(project, "s/a/draft-1.png") == (2048, 1152) and _size(project, "s/a/upscale.png") == (2560, 1440)
    # the limit is a setting: 4096 generates every size directly
    project.write("zflow.toml", 'output = "out"\nbase_pixels = 4096\ndirect_max_side = 4096\n')
    assert "upscale" not in project.zflow("plan").stdout
