"""A refine takes the scene's cast sheets (and reference images) after the picked draft: a reference-capable model
(tiny random-weight Qwen-Image-Edit-Plus) sends them, the preview ignores them, and a changed sheet rebuilds only the
refines of the scenes that cast it."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from zflow.contracts import ModelRef

from helpers import instruct_model
from helpers.ci import need_torch
from helpers.instruct_model import sheet
from helpers.preview import run as preview_run
from helpers.project import CONFIG, ProjectDir
from helpers.zimage import model_ref, photo_artifact, pixels, request, tiny_omni  # noqa: F401 (a fixture)

need_torch()

pytestmark = [pytest.mark.zimage]

ENV = {"HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
SMALL = {"reference_pixels": 4096}  # input images encoded at 64x64: a call takes about a second on one thread


@pytest.fixture(scope="module")
def qwen(tmp_path_factory):
    return instruct_model.build_qwen_edit_plus(tmp_path_factory.mktemp("models") / "tiny-qwen-image-edit-plus")


def test_a_refine_on_qwen_image_edit_sends_the_draft_then_the_cast_sheets(qwen, tmp_path, monkeypatch):
    from zflow_zimage import batching
    from zflow_zimage.backend import ZImageBackend
    from zflow_zimage.cache import PipelineCache

    seen = []
    real = batching.invoke
    monkeypatch.setattr(batching, "invoke", lambda pipe, kw: seen.append(kw) or real(pipe, kw))
    ref, backend = model_ref(qwen, **SMALL), ZImageBackend(PipelineCache())
    draft = photo_artifact(tmp_path, "draft-1")
    mina, jun = sheet(tmp_path, "mina", (30, 60, 200)), sheet(tmp_path, "jun", (200, 40, 40))
    refine = request("refine", {"prompt": "mina and jun at the counter", "strength": 0.4, "mode": "img2img"},
                     (draft, mina, jun), ref, task_id="s/a/refine")
    [out] = backend.run(backend.load(ref), [refine])
    assert not isinstance(out, BaseException), out
    [call] = seen
    assert len(call["image"]) == 3
    assert [np.asarray(i).tolist() for i in call["image"]] == [
        np.asarray(Image.open(a.main).convert("RGB")).tolist() for a in (draft, mina, jun)]
    assert call["prompt"] == [
        "Image 2 is the character sheet of mina. Image 3 is the character sheet of jun. Keep every character's face, "
        "hair and clothes exactly as in their sheet.\nImage 1 is a draft. Redraw it as a finished, detailed, "
        "high-quality image, keeping its composition, poses, characters and colours; change about 40% of it.\n"
        "mina and jun at the counter"]
    assert [r["key"] for r in out.meta["references"]] == ["key-draft-1", "key-mina", "key-jun"]


def test_a_kontext_refine_refines_the_draft_alone_and_records_the_sheets_it_could_not_send(tmp_path, monkeypatch):
    """FLUX Kontext takes one input image: a refine sends the draft (its cast reached it through the draft) and
    records the sheets left out, where a draft past that limit is an error."""
    from zflow_zimage import batching
    from zflow_zimage.backend import ZImageBackend
    from zflow_zimage.cache import PipelineCache

    kontext = instruct_model.build_flux_kontext(tmp_path / "tiny-flux-kontext")
    seen = []
    real = batching.invoke
    monkeypatch.setattr(batching, "invoke", lambda pipe, kw: seen.append(kw) or real(pipe, kw))
    ref, backend = model_ref(kontext, **SMALL), ZImageBackend(PipelineCache())
    draft, mina = photo_artifact(tmp_path, "draft-1"), sheet(tmp_path, "mina", (30, 60, 200))
    refine = request("refine", {"prompt": "mina at the counter", "strength": 0.4, "mode": "img2img"},
                     (draft, mina), ref, task_id="s/a/refine")
    [out] = backend.run(backend.load(ref), [refine])
    assert not isinstance(out, BaseException), out
    [call] = seen
    assert np.asarray(call["image"]).tolist() == np.asarray(Image.open(draft.main).convert("RGB")).tolist()
    assert "Image 2" not in call["prompt"][0]
    assert [r["key"] for r in out.meta["references"]] == ["key-draft-1"]
    assert out.meta["references_not_sent"] == ["characters/mina/sheet"]


def test_an_omni_refine_names_the_draft_and_sheets_and_without_sheets_stays_img2img(tiny_omni, tmp_path):
    from zflow_zimage.backend import ZImageBackend
    from zflow_zimage.cache import PipelineCache

    ref, backend = model_ref(tiny_omni), ZImageBackend(PipelineCache())
    draft, mina = photo_artifact(tmp_path, "draft-1"), sheet(tmp_path, "mina", (30, 60, 200))
    params = {"prompt": "mina at the counter", "strength": 0.4, "mode": "img2img"}
    cast, alone = backend.run(backend.load(ref), [request("refine", params, (draft, mina), ref, task_id="s/a/refine"),
                                                  request("refine", params, (draft,), ref, task_id="s/b/refine")])
    assert cast.meta["mode"] == "omni" and cast.meta["refine"] == "omni"
    assert cast.meta["prompt"].startswith("Image 2 is the character sheet of mina.")
    assert [r["key"] for r in cast.meta["references"]] == ["key-draft-1", "key-mina"]
    assert alone.meta["refine"] == "img2img" and alone.meta["strength"] == 0.4 and "references" not in alone.meta
    assert pixels(cast).shape == pixels(alone).shape == (64, 64, 3)


def test_a_preview_refine_draws_the_same_bytes_with_or_without_the_sheets(tmp_path):
    from zflow_preview import PreviewBackend

    backend = PreviewBackend()
    handle = backend.load(ModelRef("preview"))
    draft = photo_artifact(tmp_path, "draft-1", size=(64, 48), stage="draft")
    own = sheet(tmp_path, "mina", (30, 60, 200), stage="source", source="refs/mina.png")  # a reference-image sheet
    params = {"prompt": "mina pours coffee", "negative": "", "size": [64, 48], "seed": 3, "strength": 0.5,
              "mode": "img2img"}
    alone = preview_run(backend, handle, "refine", params, (draft,))
    with_sheets = preview_run(backend, handle, "refine", params, (draft, own))
    assert with_sheets.files["image.png"] == alone.files["image.png"]
    assert with_sheets.meta == alone.meta and "composite" not in alone.meta


RECIPE = '''\
from zflow import Character, Series

mina = Character("mina", looks="barista, short black bob", reference="../refs/mina.png")
jun = Character("jun", looks="courier, red cap", reference="../refs/jun.png")
s = Series("s", prompt="{{ cast }} {{ action }}", size="64x64", drafts=1)
s.scene("a", cast=[mina], action="pours coffee")
s.scene("b", cast=[jun], action="rides a bike")
s.scene("c", cast=[mina, jun], action="share a table")
'''


def qwen_refine(qwen, **options) -> str:
    shown = ", ".join(f"{k} = {v}" for k, v in {"steps": 2, "reference_pixels": 4096, **options}.items())
    return CONFIG + f'[stages.refine]\nbackend = "zimage"\nmodel = "{qwen}"\noptions = {{ {shown} }}\n'


@pytest.mark.e2e
@pytest.mark.slow
def test_a_changed_sheet_rebuilds_only_the_refines_of_the_scenes_that_cast_it(qwen, project: ProjectDir):
    project.write("zflow.toml", qwen_refine(qwen))
    project.write("recipes/s.py", RECIPE)
    (project.root / "refs").mkdir()
    for name, colour in (("mina", (30, 60, 200)), ("jun", (200, 40, 40))):
        Image.new("RGB", (48, 64), colour).save(project.root / "refs" / f"{name}.png")
    first = project.build(env=ENV)
    assert first.code == 0, [e for e in first.events if e["event"] == "task-failed"] or first.stderr
    with Image.open(project.root / "out" / "s" / "c" / "refine.png") as image:
        meta = json.loads(image.text["zflow"])
    assert [r["role"] for r in meta["references"]] == ["the draft to refine", "character sheet of mina",
                                                       "character sheet of jun"]
    Image.new("RGB", (48, 64), (0, 0, 0)).save(project.root / "refs" / "jun.png")
    again = project.build(env=ENV)
    assert again.code == 0, again.stderr
    assert {i for i in again.ids("task-done") if i.endswith("/refine")} == {"s/b/refine", "s/c/refine"}
    assert "characters/jun/sheet" in again.ids("task-done")
    assert not {"characters/mina/sheet", "s/a/draft-1"} & again.ids("task-done")


@pytest.mark.e2e
@pytest.mark.slow
def test_a_refine_past_the_models_image_limit_fails_at_its_scenes_line(qwen, project: ProjectDir):
    project.write("zflow.toml", qwen_refine(qwen, max_images=2))
    project.write("recipes/s.py", RECIPE)
    (project.root / "refs").mkdir()
    for name in ("mina", "jun"):
        Image.new("RGB", (48, 64), (90, 90, 90)).save(project.root / "refs" / f"{name}.png")
    done = project.build(env=ENV)
    assert done.code == 1
    [failed] = [e for e in done.events if e["event"] == "task-failed"]
    assert failed["id"] == "s/c/refine"
    assert ("recipes/s.py:8: s/c/refine: 3 input images (the draft to refine, character sheet of mina, character "
            "sheet of jun) but QwenImageEditPlusPipeline takes at most 2 (stages.refine.options.max_images)"
            ) in failed["error"]
    assert {"s/a/refine", "s/b/refine"} <= done.ids("task-done")
