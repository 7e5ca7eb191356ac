"""LoRA adapters in recipes and zflow.toml, through the CLI on the preview backend: every adapter's identity is in
the keys of the tasks that use it (a changed LoRA file rebuilds exactly its users), a character's trigger word is in
the prompt, the preview tags its frames, and mistakes are errors at their line."""
from __future__ import annotations

import pytest
from PIL import Image

from helpers.preview import adapter_tagged

pytestmark = [pytest.mark.e2e]

RECIPE = '''\
from zflow import Character, Lora, Series, Style
nabi = Character("nabi", looks="a grey cat", lora=Lora("loras/nabi.safetensors", weight=0.9), trigger="nabi_cat")
mina = Character("mina", looks="barista")
ink = Style("ink", "ink drawing", loras=[Lora("loras/ink.safetensors", weight=0.5)])
s = Series("s", prompt="{{ cast }} {{ action }}, {{ style }}", size="192x192", drafts=1, refine=False)
s.scene("cat", cast=[nabi], action="naps")
s.scene("barista", cast=[mina], action="pours")
s.scene("inked", cast=[mina], action="draws", style=ink)
s.scene("hub", cast=[mina], action="waves", loras=[Lora("owner/style-lora", weight_name="a.safetensors")])
'''


def _lora_project(project):
    project.write("recipes/loras/nabi.safetensors", "nabi weights v1")
    project.write("recipes/loras/ink.safetensors", "ink weights v1")
    project.write("recipes/r.py", RECIPE)
    return project


def test_a_changed_lora_file_rebuilds_exactly_the_scenes_that_use_it(project):
    _lora_project(project)
    first = project.build()
    assert first.code == 0, first.stderr
    every = first.ids("task-done")
    assert project.build().summary["ran"] == 0

    project.write("recipes/loras/nabi.safetensors", "nabi weights v2")
    again = project.build()
    assert again.code == 0, again.stderr
    assert again.ids("task-done") == {t for t in every if t.startswith(("s/cat/", "characters/nabi/"))}
    explained = project.zflow("explain", "s/cat/draft-1")
    assert explained.code == 0

    project.write("recipes/loras/ink.safetensors", "ink weights v2")
    assert project.build().ids("task-done") == {t for t in every if t.startswith("s/inked/")}

    project.write("recipes/r.py", RECIPE.replace('weight_name="a.safetensors"',
                                                 'weight_name="a.safetensors", revision="v2"'))
    assert project.build().ids("task-done") == {t for t in every if t.startswith("s/hub/")}
    project.write("recipes/r.py", RECIPE.replace("weight=0.5", "weight=0.6"))
    changed = project.build().ids("task-done")  # the hub adapter is back at its first revision: cached
    assert changed == {t for t in every if t.startswith("s/inked/")}


def test_the_trigger_word_is_in_the_prompt_and_the_preview_tags_adapters(project):
    _lora_project(project)
    assert project.build().code == 0
    with Image.open(project.root / "out/s/cat/draft-1.png") as image:
        assert image.info["parameters"].startswith("nabi_cat nabi (a grey cat) naps")
    assert adapter_tagged(project, "s/cat/draft-1.png") and adapter_tagged(project, "s/inked/draft-1.png")
    assert adapter_tagged(project, "s/hub/draft-1.png") and adapter_tagged(project, "characters/nabi/sheet.png")
    assert not adapter_tagged(project, "s/barista/draft-1.png")


def test_stage_loras_from_zflow_toml_apply_to_their_stage(project):
    project.write("loras/distill.safetensors", "distill")
    project.write("zflow.toml", 'output = "out"\nbase_pixels = 4096\n[stages.refine]\nbackend = "preview"\n'
                                'loras = [{ file = "loras/distill.safetensors", weight = 0.7 }]\n')
    project.write("recipes/r.py", 'from zflow import Series\ns = Series("s", prompt="a cup", size="192x192", '
                                  'drafts=1)\ns.scene("a")\n')
    assert project.build().code == 0
    assert adapter_tagged(project, "s/a/refine.png") and not adapter_tagged(project, "s/a/draft-1.png")
    project.write("loras/distill.safetensors", "distill v2")
    assert project.build().ids("task-done") == {"s/a/refine"}


def test_lora_mistakes_are_errors_at_their_line(project):
    cases = [
        ('from zflow import Lora, Series\ns = Series("s", prompt="x", size="64x64")\n'
         's.scene("a", loras=[Lora("gone.safetensors")])\n', "recipes/r.py:3: LoRA file recipes/gone.safetensors "
                                                            "not found"),
        ('from zflow import Lora, Style\nStyle("x", "y", loras=[Lora("a/b", weight="lots")])\n',
         "recipes/r.py:2: Lora('a/b'): weight must be a number, not 'lots'"),
        ('from zflow import Character\nCharacter("c", looks="x", lora="not a lora")\n',
         "recipes/r.py:2: Lora('not a lora'): not a weight file"),
    ]
    for recipe, message in cases:
        project.write("recipes/r.py", recipe)
        result = project.build()
        assert result.code != 0 and message in result.stderr, result.stderr
    project.write("recipes/r.py", 'from zflow import Series\nSeries("s", prompt="x", size="64x64").scene("a")\n')
    project.write("zflow.toml", 'output = "out"\n[stages.draft]\nbackend = "preview"\n'
                                'loras = [{ file = "missing.safetensors" }]\n')
    result = project.build()
    assert result.code != 0 and "zflow.toml:4:" in result.stderr and "missing.safetensors not found" in result.stderr
    project.write("zflow.toml", 'output = "out"\n[stages.draft]\nbackend = "preview"\n'
                                'loras = [{ hub = "a/b", weight = "x" }]\n')
    result = project.build()
    assert result.code != 0 and "zflow.toml:4:" in result.stderr and "weight: must be a number" in result.stderr


def test_a_watch_session_reuses_every_scene_but_the_lora_users_and_agrees_with_a_fresh_load(project):
    from zflow.engine import Project

    _lora_project(project)
    live = Project(project.root)
    try:
        first = live.load()
        live.plan(first)
        project.write("recipes/loras/ink.safetensors", "ink weights v2")
        loaded = live.load()
        plan = live.plan(loaded)
        rebuilt = {uid for uid, build in loaded.graph.builds.items() if first.graph.builds.get(uid) is not build}
        assert rebuilt == {"s/inked"}
        fresh = Project(project.root)
        try:
            fresh_plan = fresh.plan(fresh.load())
        finally:
            fresh.close()
        assert {i: p.key for i, p in plan.items.items()} == {i: p.key for i, p in fresh_plan.items.items()}
    finally:
        live.close()
