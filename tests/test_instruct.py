"""Edit.instruct through `zflow build`: its references as input tasks, the preview's marked placeholder, the Gemini
backend serving it, and a stage whose model cannot serve it refused before anything runs."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from helpers.gemini import KEY, FakeGemini
from helpers.project import CONFIG, ProjectDir
from helpers.zimage_model import build_zimage

pytestmark = [pytest.mark.e2e]

RECIPE = '''\
from zflow import Character, Edit, Series

mina = Character("mina", looks="barista, short black bob", reference="../refs/mina.png")
jun = Character("jun", looks="courier, red cap", reference="../refs/jun.png")
s = Series("s", prompt="{{ cast }} {{ action }}", size="64x64", drafts=1, refine=False)
s.scene("a", cast=[mina], action="pours coffee",
        edits=[Edit.instruct("make her smile, keep everything else", references=[jun, "../refs/cup.png"])])
s.scene("b", cast=[jun], action="rides a bike")
'''


def references(project: ProjectDir) -> None:
    for name, colour in (("mina", (30, 60, 200)), ("jun", (200, 40, 40)), ("cup", (20, 180, 90))):
        path = project.root / "refs" / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (48, 64), colour).save(path)


def inputs_of(project: ProjectDir, task_id: str) -> set[str]:
    """The tasks ``zflow graph --format dot`` draws an edge from into ``task_id``."""
    dot = project.zflow("graph", "--format", "dot").stdout
    names = dict(re.findall(r'(t\d+) \[label="([^"\\]+)', dot))
    return {names[a] for a, b in re.findall(r"(t\d+) -> (t\d+);", dot) if names[b] == task_id}


@pytest.fixture
def instructed(project: ProjectDir) -> ProjectDir:
    project.write("zflow.toml", CONFIG)
    project.write("recipes/s.py", RECIPE)
    references(project)
    return project


def test_an_instruction_edit_takes_its_references_as_inputs_and_rebuilds_when_one_changes(instructed):
    plan = instructed.zflow("plan", "--json")
    assert plan.code == 0, plan.stderr
    first = instructed.build()
    assert first.code == 0, first.stderr
    assert "s/a/edit-1-instruct" in first.ids("task-done")
    assert inputs_of(instructed, "s/a/edit-1-instruct") == {"s/a/draft-1", "characters/mina/sheet",
                                                            "characters/jun/sheet", "references/refs-cup"}
    Image.new("RGB", (48, 64), (250, 250, 0)).save(instructed.root / "refs" / "cup.png")
    again = instructed.build()
    assert again.ids("task-done") == {"references/refs-cup", "s/a/edit-1-instruct"}


def test_a_changed_character_sheet_rebuilds_exactly_the_scenes_that_cast_or_reference_it(instructed):
    assert instructed.build().code == 0
    Image.new("RGB", (48, 64), (0, 0, 0)).save(instructed.root / "refs" / "jun.png")
    again = instructed.build()
    assert again.ids("task-done") == {"characters/jun/sheet", "s/a/edit-1-instruct", "s/b/draft-1", "s/b/contact"}


def test_the_preview_shows_a_marked_placeholder_with_the_instruction_and_its_references(instructed):
    assert instructed.build().code == 0
    out = instructed.root / "out" / "s" / "a"
    with Image.open(out / "draft-1.png") as before, Image.open(out / "edit-1-instruct.png") as edited:
        assert edited.size == before.size == (64, 64)
        assert "make her smile, keep everything else" in edited.text["parameters"]
        drawn = ImageChops.difference(before.convert("RGB"), edited.convert("RGB")).getbbox()
        colours = {c for _, c in edited.convert("RGB").getcolors(1 << 16)}
    assert drawn is not None  # the instruction strip, the thumbnails and the mark are drawn on the unchanged image
    assert (200, 40, 40) in colours and (20, 180, 90) in colours  # jun's sheet and the cup, as thumbnails
    assert (200, 30, 40) in colours  # the PREVIEW mark


def test_a_stage_whose_model_cannot_edit_by_instruction_is_refused_at_plan_time(instructed, tmp_path):
    pytest.importorskip("diffusers")
    tiny = build_zimage(tmp_path / "tiny-z")
    instructed.write("zflow.toml", CONFIG + f'[stages.edit]\nbackend = "zimage"\nmodel = "{tiny}"\n')
    for command in (("plan",), ("build",)):
        done = instructed.zflow(*command)
        assert done.code == 2, done.stdout + done.stderr
        assert "recipes/s.py:7" in done.stderr and "stages.edit" in done.stderr
        assert "ZImagePipeline" in done.stderr and "QwenImageEditPlusPipeline" in done.stderr
        assert "nanobanana" in done.stderr
    assert not (instructed.root / "out").exists()


def test_the_gemini_backend_serves_the_instruction_with_its_images_named(instructed):
    fake = FakeGemini()
    try:
        instructed.write("zflow.toml", CONFIG + f'''[stages.edit]
backend = "nanobanana"
model = "gemini-3-pro-image"
options = {{ base_url = "{fake.url}", rpm = 0, retries = 1, backoff = 0.01, timeout = 20 }}
''')
        done = instructed.build(env={"GEMINI_API_KEY": KEY})
        assert done.code == 0, done.stderr
        [call] = fake.calls
    finally:
        fake.close()
    assert len(call.images) == 4  # the draft, mina's sheet (cast), jun's sheet and the cup (the edit's references)
    sent = [Image.open(io.BytesIO(data)).convert("RGB").getpixel((5, 5)) for _, data in call.images[1:]]
    assert sent == [(30, 60, 200), (200, 40, 40), (20, 180, 90)]
    assert ("Image 2 is the character sheet of mina. Image 3 is the character sheet of jun. Image 4 is the reference "
            "image refs/cup.png.") in call.text
    assert "Edit image 1: make her smile, keep everything else" in call.text


def test_references_that_are_neither_files_nor_characters_are_refused_at_their_line(project: ProjectDir):
    project.write("zflow.toml", CONFIG)
    project.write("recipes/s.py", RECIPE.replace('references=[jun, "../refs/cup.png"]', 'references=["nobody"]'))
    references(project)
    done = project.build()
    assert done.code == 2
    assert "recipes/s.py:7" in done.stderr and "'nobody' is no character (known: jun, mina)" in done.stderr
