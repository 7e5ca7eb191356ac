"""Instruction edits and reference-conditioned drafts on tiny random-weight Qwen-Image-Edit-Plus and FLUX.1 Kontext
folders (diffusers' own test configurations), loaded with from_pretrained through the zimage backend and zflow.toml."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import instruct_model
from helpers.ci import need_torch
from helpers.instruct_model import sheet
from helpers.project import CONFIG, ProjectDir
from helpers.zimage import model_ref, photo_artifact, pixels, request, stored
from helpers.zimage_model import build_zimage

need_torch()

pytestmark = [pytest.mark.zimage]

ENV = {"HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
#: Input images encoded at 64x64: the tiny models then run in about a second on one CPU thread.
SMALL = {"reference_pixels": 4096}


@pytest.fixture(scope="module")
def qwen(tmp_path_factory):
    return instruct_model.build_qwen_edit_plus(tmp_path_factory.mktemp("models") / "tiny-qwen-image-edit-plus")


@pytest.fixture(scope="module")
def kontext(tmp_path_factory):
    return instruct_model.build_flux_kontext(tmp_path_factory.mktemp("models") / "tiny-flux-kontext")


@pytest.fixture
def backend():
    from zflow_zimage.backend import ZImageBackend
    from zflow_zimage.cache import PipelineCache

    return ZImageBackend(PipelineCache())


def instruct(prompt: str) -> dict:
    return {"op": "instruct", "prompt": prompt, "strength": None, "references": [], "scene_prompt": "a cafe"}


@pytest.mark.parametrize("model", ["qwen", "kontext"])
def test_an_instruction_edit_changes_the_image_as_its_instruction_says(model, request_fixture, backend, tmp_path):
    folder = request_fixture(model)
    ref = model_ref(folder, **SMALL)
    photo = photo_artifact(tmp_path)
    handle = backend.load(ref)
    smile, hat = backend.run(handle, [request("edit", instruct("make her smile"), (photo,), ref, task_id="s/a/e"),
                                      request("edit", instruct("give her a red hat"), (photo,), ref,
                                              task_id="s/b/e")])
    original = np.asarray(Image.open(photo.main).convert("RGB"), dtype=np.int16)
    assert np.abs(pixels(smile) - original).mean() > 10  # the model redrew the image
    assert np.abs(pixels(smile) - pixels(hat)).max() > 0  # and the instruction steered it
    assert smile.meta["mode"] == "instruct" and smile.meta["op"] == "instruct"
    assert smile.meta["references"] == [{"task": "photo", "key": "key-photo", "role": "the image to edit"}]
    assert smile.meta["pipeline"] == {"qwen": "QwenImageEditPlusPipeline", "kontext": "FluxKontextPipeline"}[model]


@pytest.fixture
def request_fixture(request):
    return request.getfixturevalue


def test_the_cast_sheets_arrive_as_the_input_images_of_one_call_each(qwen, backend, tmp_path, monkeypatch):
    from zflow_zimage import batching

    seen = []
    real = batching.invoke
    monkeypatch.setattr(batching, "invoke", lambda pipe, kw: seen.append(kw) or real(pipe, kw))
    ref = model_ref(qwen, **SMALL)
    mina, jun = sheet(tmp_path, "mina", (30, 60, 200)), sheet(tmp_path, "jun", (200, 40, 40))
    cast = [{"name": "mina", "looks": "barista"}, {"name": "jun", "looks": "courier"}]
    both = request("draft", {"cast": cast, "prompt": "mina and jun share a coffee"}, (mina, jun), ref, task_id="s/a/d")
    alone = request("draft", {"cast": cast[1:], "prompt": "jun rides"}, (jun,), ref, task_id="s/b/d")
    outputs = backend.run(backend.load(ref), [both, alone])
    assert all(not isinstance(o, BaseException) for o in outputs), outputs
    assert len(seen) == 2  # never one call for two reference sets
    images = seen[0]["image"]
    assert [np.asarray(i).tolist() for i in images] == [np.asarray(Image.open(a.main)).tolist() for a in (mina, jun)]
    assert seen[0]["prompt"] == ["Image 1 is the character sheet of mina. Image 2 is the character sheet of jun. Keep "
                                 "every character's face, hair and clothes exactly as in their sheet.\n"
                                 "mina and jun share a coffee"]
    assert np.asarray(seen[1]["image"]).tolist() == np.asarray(Image.open(jun.main)).tolist()
    assert outputs[0].meta["references"] == [
        {"task": "characters/mina/sheet", "key": "key-mina", "role": "character sheet of mina"},
        {"task": "characters/jun/sheet", "key": "key-jun", "role": "character sheet of jun"}]


def test_more_images_than_the_model_takes_fail_naming_each_image(kontext, qwen, backend, tmp_path):
    ref = model_ref(kontext, **SMALL)
    photo = stored(backend.run(backend.load(ref), [request("draft", {}, (), ref)])[0], tmp_path, "draft")
    edit = request("edit", instruct("make her smile"), (photo, sheet(tmp_path, "mina", (1, 2, 3))), ref)
    [error] = backend.run(backend.load(ref), [edit])
    assert isinstance(error, ValueError)
    assert ("2 input images (the image to edit, character sheet of mina) but FluxKontextPipeline takes at most 1 "
            "(stages.edit.options.max_images)") in str(error)
    strong = request("edit", {**instruct("smile"), "strength": 0.5}, (photo,), model_ref(qwen, **SMALL))
    [error] = backend.run(backend.load(model_ref(qwen, **SMALL)), [strong])
    assert "has no strength" in str(error)


def test_a_refine_on_an_instruction_edit_model_redraws_the_draft_it_is_given(kontext, backend, tmp_path):
    ref = model_ref(kontext, **SMALL)
    draft = photo_artifact(tmp_path, "draft-1")
    refine = request("refine", {"prompt": "a barista at the counter", "strength": 0.4, "mode": "img2img"}, (draft,),
                     ref, task_id="s/a/refine")
    [out] = backend.run(backend.load(ref), [refine])
    assert out.meta["mode"] == "instruct" and out.meta["prompt"] == (
        "Image 1 is a draft. Redraw it as a finished, detailed, high-quality image, keeping its composition, poses, "
        "characters and colours; change about 40% of it.\na barista at the counter")
    assert out.meta["references"] == [{"task": "draft-1", "key": "key-draft-1", "role": "the draft to refine"}]
    assert pixels(out).shape == (64, 64, 3)


RECIPE = '''\
from zflow import Character, Edit, Series

mina = Character("mina", looks="barista, short black bob", reference="../refs/mina.png")
jun = Character("jun", looks="courier, red cap", reference="../refs/jun.png")
s = Series("s", prompt="{{ cast }} {{ action }}", size="64x64", drafts=1, refine=False)
s.scene("a", cast=[mina], action="pours coffee", edits=[Edit.instruct("make her smile", references=[jun])])
s.scene("b", cast=[jun], action="rides a bike")
s.scene("c", cast=[mina, jun], action="share a table")
'''


@pytest.mark.e2e
@pytest.mark.slow
def test_a_recipe_on_qwen_image_edit_rebuilds_only_the_scenes_of_a_changed_sheet(qwen, project: ProjectDir):
    project.write("zflow.toml", CONFIG + "".join(
        f'[stages.{stage}]\nbackend = "zimage"\nmodel = "{qwen}"\noptions = {{ steps = 2, reference_pixels = 4096 }}\n'
        for stage in ("draft", "edit")))
    project.write("recipes/s.py", RECIPE)
    for name, colour in (("mina", (30, 60, 200)), ("jun", (200, 40, 40))):
        (project.root / "refs").mkdir(exist_ok=True)
        Image.new("RGB", (48, 64), colour).save(project.root / "refs" / f"{name}.png")
    first = project.build(env=ENV)
    assert first.code == 0, [e for e in first.events if e["event"] == "task-failed"] or first.stderr
    assert first.summary["loads"] == 1  # one from_pretrained serves both stages
    with Image.open(project.root / "out" / "s" / "a" / "edit-1-instruct.png") as image:
        meta = json.loads(image.text["zflow"])
    assert [r["role"] for r in meta["references"]] == ["the image to edit", "character sheet of mina",
                                                       "character sheet of jun"]
    Image.new("RGB", (48, 64), (0, 0, 0)).save(project.root / "refs" / "jun.png")
    again = project.build(env=ENV)
    assert again.ids("task-done") == {"characters/jun/sheet", "s/a/edit-1-instruct", "s/b/draft-1", "s/b/contact",
                                      "s/c/draft-1", "s/c/contact"}


@pytest.mark.e2e
@pytest.mark.slow
def test_a_scene_past_the_models_image_limit_fails_at_its_line_and_others_build(kontext, project: ProjectDir):
    project.write("zflow.toml", CONFIG + f'[stages.draft]\nbackend = "zimage"\nmodel = "{kontext}"\n'
                                         f'options = {{ steps = 2, reference_pixels = 4096 }}\n')
    project.write("recipes/s.py", RECIPE.replace(', edits=[Edit.instruct("make her smile", references=[jun])]', ""))
    for name in ("mina", "jun"):
        (project.root / "refs").mkdir(exist_ok=True)
        Image.new("RGB", (48, 64), (90, 90, 90)).save(project.root / "refs" / f"{name}.png")
    done = project.build(env=ENV)
    assert done.code == 1
    [failed] = [e for e in done.events if e["event"] == "task-failed"]
    assert failed["id"] == "s/c/draft-1"
    assert "recipes/s.py:8: s/c/draft-1: 2 input images (character sheet of mina, character sheet of jun) but " \
           "FluxKontextPipeline takes at most 1" in failed["error"]
    assert {"s/a/draft-1", "s/b/draft-1"} <= done.ids("task-done")
    project.write("zflow.toml", CONFIG + f'[stages.draft]\nbackend = "zimage"\nmodel = "{kontext}"\n'
                                         f'options = {{ max_images = 0 }}\n')
    refused = project.build(env=ENV)
    assert refused.code == 2 and "max_images" in refused.stderr and "zflow.toml:6" in refused.stderr


@pytest.mark.e2e
@pytest.mark.slow
def test_the_example_recipe_switches_to_real_models_by_zflow_toml_alone(qwen, tmp_path, project: ProjectDir):
    """recipes/flower_shop.py as shipped, with the zflow.toml lines its docstring gives (tiny folders for hub ids)."""
    repo = Path(__file__).resolve().parents[1] / "recipes"
    for name in ("flower_shop.py", "_brand.py", "assets/mug.png"):
        (project.root / "recipes" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(repo / name, project.root / "recipes" / name)
    turbo = build_zimage(tmp_path / "tiny-z")
    project.write("zflow.toml", CONFIG + f'''[stages.draft]
backend = "zimage"
model = "{turbo}"
options = {{ steps = 2 }}
[stages.edit]
backend = "zimage"
model = "{qwen}"
options = {{ steps = 2, reference_pixels = 4096, cpu_offload = true }}
''')
    done = project.build(env=ENV)
    assert done.code == 0, [e for e in done.events if e["event"] == "task-failed"] or done.stderr
    roles = {}
    for scene in ("delivery", "bouquet", "ride"):
        with Image.open(project.root / "out" / "petal-and-post" / "ep01" / scene / "edit-1-instruct.png") as image:
            meta = json.loads(image.text["zflow"])
        assert (meta["backend"], meta["pipeline"], meta["mode"]) == ("zimage", "QwenImageEditPlusPipeline", "instruct")
        roles[scene] = [r["role"] for r in meta["references"]]
    assert roles == {
        "delivery": ["the image to edit", "character sheet of sora", "character sheet of ren"],
        "bouquet": ["the image to edit", "character sheet of sora", "character sheet of ren"],
        "ride": ["the image to edit", "character sheet of ren", "reference image recipes/assets/mug.png"],
    }


def test_core_edits_on_instruction_edit_models_are_served_by_from_pipe_or_refused_when_planned(qwen, kontext, backend,
                                                                                              tmp_path):
    from zflow.contracts import Task

    def refusal(folder, op):
        params = {"op": op, "prompt": "a hat", "size": [64, 64]}
        return backend.refusal(model_ref(folder), Task("s/a/edit-1", "edit", params), tmp_path)

    assert refusal(qwen, "instruct") is None and refusal(kontext, "instruct") is None
    assert refusal(kontext, "inpaint") is None and refusal(kontext, "outpaint") is None
    assert "has no restyle pipeline: write it as Edit.instruct" in refusal(kontext, "restyle")
    assert "(QwenImageEditPlusPipeline) edits by instruction and has no inpaint pipeline" in refusal(qwen, "inpaint")
    ref = model_ref(kontext, **SMALL)
    inpaint = {"op": "inpaint", "region": [0, 0, 0.5, 0.5], "prompt": "a hat", "strength": 1.0, "scene_prompt": "x"}
    [out] = backend.run(backend.load(ref), [request("edit", inpaint, (photo_artifact(tmp_path),), ref)])
    assert out.meta["pipeline"] == "FluxKontextInpaintPipeline"  # from_pipe: the loaded Kontext's weights
    assert backend.cache.loads == 1
