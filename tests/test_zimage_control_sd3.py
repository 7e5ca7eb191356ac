"""Stable Diffusion 3 with an SD3ControlNetModel through the zimage backend's stage options, on a tiny random SD3
(two CLIP encoders and a T5, every tokenizer made offline) and a tiny random SD3 ControlNet saved to folders: drafts
go through StableDiffusion3ControlNetPipeline, control changes the image and scale 0 equals no control; a refine or
inpaint with control, which diffusers has no SD3 ControlNet pipeline for, fails saying so; and a `zflow build` with
`Control("pose", image="layout")` drives the SD3 draft with the layout's pose map."""
from __future__ import annotations

import numpy as np
import pytest

from helpers import zimage_model
from helpers.ci import need_torch
from helpers.zimage import model_ref, offline_one_thread, picture, pixels, request, stored  # noqa: F401
from zflow.contracts import Artifact

need_torch()

from zflow_zimage.backend import ZImageBackend  # noqa: E402
from zflow_zimage.cache import PipelineCache  # noqa: E402

pytestmark = [pytest.mark.zimage, pytest.mark.slow]

SIZE = [32, 32]


@pytest.fixture(scope="module")
def sd3(tmp_path_factory):
    """A tiny SD3 folder and an SD3 ControlNet folder for it."""
    folder = tmp_path_factory.mktemp("sd3")
    return zimage_model.build_sd3(folder / "sd3"), zimage_model.build_sd3_controlnet(folder / "sd3-controlnet")


def control_map(folder) -> Artifact:
    path = folder / "pose.png"
    picture(tuple(SIZE), seed=3).save(path)
    return Artifact("s/control-pose", "key-pose", {"image.png": path}, {"role": "control"})


def control(scale=0.8) -> dict:
    return {"control": {"type": "pose", "scale": scale}}


def run(backend, handle, *jobs, kind="draft"):
    reqs = [request(kind, {"seed": 3, "size": SIZE, **params}, inputs, model=handle.model, task_id=f"s/{kind}{i}")
            for i, (params, inputs) in enumerate(jobs)]
    return backend.run(handle, reqs)


def test_sd3_drafts_run_their_controlnet_and_scale_0_is_no_control(sd3, tmp_path):
    model, controlnet = sd3
    backend = ZImageBackend(PipelineCache())
    handle = backend.load(model_ref(model, controlnet=str(controlnet)))
    pose = control_map(tmp_path)
    outs = run(backend, handle, ({}, ()), (control(), (pose,)), (control(scale=0.0), (pose,)))
    assert not [o for o in outs if isinstance(o, BaseException)], outs
    plain, guided, zero = outs
    assert (plain.meta["pipeline"], guided.meta["pipeline"]) == ("StableDiffusion3Pipeline",
                                                                 "StableDiffusion3ControlNetPipeline")
    assert guided.meta["control"]["controlnet"].startswith("folder:sd3-controlnet@sha:")
    assert np.abs(pixels(guided) - pixels(plain)).max() > 20  # the map steers the image
    assert np.array_equal(pixels(zero), pixels(plain))
    [entry] = backend.cache._entries.values()
    [net] = [v for k, v in entry.variants.items() if k[0] == "controlnet"]
    assert type(net).__name__ == "SD3ControlNetModel"


def test_sd3_refines_and_inpaints_with_control_are_refused_saying_diffusers_has_no_such_pipeline(sd3, tmp_path):
    model, controlnet = sd3
    backend = ZImageBackend(PipelineCache())
    handle = backend.load(model_ref(model, controlnet=str(controlnet)))
    pose = control_map(tmp_path)
    [plain] = run(backend, handle, ({}, ()))
    before = stored(plain, tmp_path, "before")
    inpaint = {"op": "inpaint", "region": [0.25, 0.25, 0.75, 0.75], "prompt": "a smile"}
    [refine] = run(backend, handle, (control(), (before, pose)), kind="refine")
    [edit] = run(backend, handle, ({**inpaint, **control()}, (before, pose)), kind="edit")
    assert str(refine).startswith("stages.refine.options.controlnet: diffusers has no image2image ControlNet "
                                  "pipeline for StableDiffusion3Pipeline (diffusers' SD3 ControlNets only generate")
    assert "no inpaint ControlNet pipeline for StableDiffusion3Pipeline" in str(edit)
    assert "StableDiffusion3ControlNetInpaintingPipeline is an inpainting ControlNet" in str(edit)
    for kind, params in (("refine", control()), ("edit", {**inpaint, **control()})):  # told when the build is planned
        task = request(kind, params, (before, pose), model=handle.model).task
        assert backend.refusal(handle.model, task, tmp_path) == (
            f"{model} (StableDiffusion3Pipeline) cannot {kind} with pose control: diffusers' SD3 ControlNets only "
            f"generate from noise: it has no SD3 ControlNet img2img pipeline, and "
            f"StableDiffusion3ControlNetInpaintingPipeline is an inpainting ControlNet whose control image is the "
            f"image to repaint, not a control map; remove the control from this {kind}, or set "
            f"stages.{kind}.model to a model whose ControlNet serves it, such as Tongyi-MAI/Z-Image-Turbo")
    draft = request("draft", control(), (pose,), model=handle.model).task
    assert backend.refusal(handle.model, draft, tmp_path) is None


RECIPE = '''\
from zflow import Character, Control, Series

mina = Character("mina", looks="barista, green apron")
s = Series("s", prompt="{{ cast }} {{ action }}", size="32x32")
s.scene("a", cast=[mina], action="pours coffee", control=Control("pose", image="layout", scale=0.8))
s.scene("b", cast=[mina], action="reads a book")
'''


def sd3_stages(project, model, stages) -> None:
    project.write("zflow.toml", 'output = "out"\nbase_pixels = 1024\n' + "".join(
        f'\n[stages.{stage}]\nbackend = "zimage"\nmodel = "{model}"\n'
        f'options = {{ steps = 2, controlnet = "cn" }}\n' for stage in stages))


@pytest.mark.e2e
def test_a_build_drives_the_sd3_draft_with_the_layouts_pose_map(project, sd3):
    import shutil

    from helpers.layouts import built

    model, controlnet = sd3
    env = {"HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    shutil.copytree(controlnet, project.root / "cn")
    project.write("recipes/r.py", RECIPE)
    sd3_stages(project, model, ("draft",))
    done = project.build(env=env)
    assert done.code == 0, done.stderr
    assert done.summary["failed"] == 0
    meta, parts = built(project.root, "s/a/draft-1")
    assert meta["pipeline"] == "StableDiffusion3ControlNetPipeline"
    assert meta["control"]["map"] == parts["inputs"]["s/a/control-pose"]
    assert parts["model"]["side"]["controlnet"].startswith("folder:cn@sha:")
    plain, _ = built(project.root, "s/b/draft-1")
    assert plain["pipeline"] == "StableDiffusion3Pipeline" and "control" not in plain

    sd3_stages(project, model, ("draft", "refine"))  # SD3 has no ControlNet img2img: stopped at the plan
    refused = project.build(env=env)
    assert refused.code == 2
    assert (f"{model} (StableDiffusion3Pipeline) cannot refine with pose control: diffusers' SD3 ControlNets only "
            f"generate from noise" in refused.stderr)
