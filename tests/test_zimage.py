"""The zimage backend on tiny random-weight diffusers models loaded from folders, offline, on CPU."""
from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from helpers.ci import need_torch
from helpers.zimage import (model_ref, offline_one_thread, photo_artifact, pixels, request, stored,  # noqa: F401
                             tiny_omni, tiny_sd, tiny_zimage)
from zflow.contracts import Backend, ModelRef, Output
from zflow.contracts.settings import SettingError
from zflow.errors import PluginError

need_torch()
import torch  # noqa: E402

from zflow_zimage import batching, register_backends  # noqa: E402
from zflow_zimage.backend import ZImageBackend  # noqa: E402
from zflow_zimage.cache import PipelineCache  # noqa: E402

pytestmark = [pytest.mark.zimage, pytest.mark.slow]


@pytest.fixture(scope="module")
def backend():
    """One backend with its own cache for the module: models load once, as in a long-lived process."""
    return ZImageBackend(PipelineCache())


@pytest.fixture(scope="module")
def zi(backend, tiny_zimage):
    model = model_ref(tiny_zimage)
    return model, backend.load(model)


def run_one(backend, handle, kind, params, inputs=(), model=None, root=None):
    kwargs = {"root": root} if root is not None else {}
    [out] = backend.run(handle, [request(kind, params, inputs, model=model or handle.model, **kwargs)])
    if isinstance(out, BaseException):
        raise out
    return out


def test_plugin_module_does_not_import_torch_or_diffusers():
    code = ("import sys, zflow_zimage; b = []; zflow_zimage.register_backends(b.append); "
            "print(b[0].name, sorted(b[0].kinds), 'torch' in sys.modules, 'diffusers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["zimage", "['draft',", "'edit',", "'refine',", "'sheet',", "'train',", "'upscale']", "False", "False"]


def test_backend_follows_the_contract():
    registered = []
    register_backends(registered.append)
    assert isinstance(registered[0], Backend) and registered[0].name == "zimage"


def test_draft_is_text_to_image_with_provenance_in_meta_and_png(backend, zi):
    model, handle = zi
    out = run_one(backend, handle, "draft", {"prompt": "a barista, warm light", "negative": "blurry", "seed": 7})
    meta = out.meta
    assert {k: meta[k] for k in ("backend", "stage", "prompt", "negative", "seed", "steps", "guidance", "size")} == {
        "backend": "zimage", "stage": "draft", "prompt": "a barista, warm light", "negative": "blurry", "seed": 7,
        "steps": 2, "guidance": 0.0, "size": [64, 64]}
    assert meta["model"] == model.model and meta["revision"].startswith("sha:") and meta["strength"] is None
    assert meta["pipeline"] == "ZImagePipeline" and "rounded_from" not in meta
    png = Image.open(io.BytesIO(out.files["image.png"]))
    assert png.size == (64, 64)
    text = png.text["parameters"]
    assert text.startswith("a barista, warm light\nNegative prompt: blurry\n")
    assert "Steps: 2" in text and "Seed: 7" in text and "CFG scale: 0.0" in text and "Size: 64x64" in text
    assert json.loads(png.text["zflow"]) == meta


def test_same_seed_same_image_other_seed_other_image(backend, zi):
    _, handle = zi
    a, b, c = (run_one(backend, handle, "draft", {"seed": s}) for s in (3, 3, 4))
    assert a.files == b.files
    assert np.abs(pixels(a) - pixels(c)).max() > 10


def test_each_image_is_its_own_call_and_prompts_of_any_length_give_the_same_bytes_together_and_apart(
        backend, zi, monkeypatch):
    _, handle = zi
    prompts = ["a cat", "a dog on a log under the moon, " * 6 + "in the rain, watercolour, wide shot", "a bird"]
    reqs = [request("draft", {"prompt": p, "seed": 10 + i}, model=handle.model) for i, p in enumerate(prompts)]
    calls = []
    real = batching.invoke
    monkeypatch.setattr(batching, "invoke", lambda pipe, kw: calls.append(len(kw["generator"])) or real(pipe, kw))
    together = backend.run(handle, reqs)
    apart = [backend.run(handle, [r])[0] for r in reqs]
    backwards = backend.run(handle, reqs[::-1])[::-1]
    assert calls == [1] * 9  # no call pays for padding slots
    for a, b, c in zip(together, apart, backwards):
        assert a.files == b.files == c.files  # bit for bit
        assert a.meta == b.meta


def test_without_exact_batches_jobs_share_calls_of_batch_size_and_are_never_padded(backend, tiny_zimage,
                                                                                 monkeypatch):
    arrays, calls = [], []
    real = batching.invoke

    def keep(pipe, kw):
        calls.append(len(kw["generator"]))
        out = real(pipe, kw)
        arrays.append(out)
        return out

    monkeypatch.setattr(batching, "invoke", keep)
    handle = backend.load(model_ref(tiny_zimage, batch_size=2, exact_batches=False))
    reqs = [request("draft", {"prompt": p, "seed": 20 + i}, model=handle.model) for i, p in enumerate(["x", "yy z", "w"])]
    backend.run(handle, reqs)
    backend.run(handle, reqs[1:2])
    assert calls == [2, 1, 1]
    assert np.abs(arrays[0][1] - arrays[2][0]).max() < 1e-5  # close, but not promised to be the same bytes


def test_size_is_rounded_to_the_vae_multiple_and_returned_exact(backend, zi):
    _, handle = zi
    out = run_one(backend, handle, "draft", {"size": [40, 56]})
    assert Image.open(io.BytesIO(out.files["image.png"])).size == (40, 56)
    assert out.meta["size"] == [40, 56] and out.meta["rounded_from"] == [40, 56]
    assert out.meta["generated_size"] == [48, 64]


def test_refine_img2img_starts_from_the_picked_draft(backend, zi, tmp_path):
    _, handle = zi
    draft = run_one(backend, handle, "draft", {"seed": 5})
    other = run_one(backend, handle, "draft", {"seed": 6})
    params = {"seed": 5, "strength": 0.5, "mode": "img2img"}
    refined = run_one(backend, handle, "refine", params, (stored(draft, tmp_path, "d5"),))
    from_other = run_one(backend, handle, "refine", params, (stored(other, tmp_path, "d6"),))
    assert refined.meta["mode"] == "image2image" and refined.meta["strength"] == 0.5
    assert refined.meta["pipeline"] == "ZImageImg2ImgPipeline" and refined.meta["stage"] == "refine"
    assert refined.meta["guidance"] == 4.0 and refined.meta["negative"]  # Base defaults on refine
    assert np.abs(pixels(refined) - pixels(from_other)).max() > 10


def test_negative_prompts_combine_stage_then_style_then_scene_each_term_once(backend, tiny_zimage):
    handle = backend.load(model_ref(tiny_zimage, negative="blurry, watermark"))
    recipe = "watermark, extra fingers, Blurry , low light"  # the graph's "style, scene"
    out = run_one(backend, handle, "refine", {"negative": recipe, "mode": "txt2img"})
    assert out.meta["negative"] == "blurry, watermark, extra fingers, low light"
    assert "Negative prompt: blurry, watermark, extra fingers, low light\n" in Image.open(
        io.BytesIO(out.files["image.png"])).text["parameters"]
    stock = run_one(backend, backend.load(model_ref(tiny_zimage)), "refine", {"negative": "sepia", "mode": "txt2img"})
    assert stock.meta["negative"].startswith("blurry, low quality") and stock.meta["negative"].endswith(", sepia")


def test_refine_txt2img_repeats_the_draft_seed(backend, tmp_path, tiny_zimage):
    model = model_ref(tiny_zimage, guidance=0.0, negative="")
    handle = backend.load(model)
    draft = run_one(backend, handle, "draft", {"seed": 9})
    again = run_one(backend, handle, "refine", {"seed": 9, "mode": "txt2img"}, (stored(draft, tmp_path, "d9"),))
    assert again.meta["mode"] == "text2image" and again.meta["refine"] == "txt2img"
    assert np.array_equal(pixels(again), pixels(draft))


def test_inpaint_a_box_repaints_only_that_region(backend, zi, tmp_path):
    _, handle = zi
    photo = photo_artifact(tmp_path)
    out = run_one(backend, handle, "edit", {"op": "inpaint", "region": [0.5, 0.0, 1.0, 0.5], "prompt": "a hat"},
                  (photo,))
    before, after = np.asarray(Image.open(photo.main), dtype=np.int16), pixels(out)
    assert out.meta["op"] == "inpaint" and out.meta["region"] == "box" and out.meta["strength"] == 1.0
    assert np.abs(after[40:, :, :] - before[40:, :, :]).max() == 0  # far from the box: the original pixels
    assert np.abs(after[:24, 40:] - before[:24, 40:]).mean() > 10  # inside: repainted


def test_inpaint_named_region_uses_the_input_meta_then_a_default(backend, zi, tmp_path):
    _, handle = zi
    with_face = photo_artifact(tmp_path, "with-face", faces=[[0, 0, 20, 20]])
    out = run_one(backend, handle, "edit", {"op": "inpaint", "region": "face"}, (with_face,))
    assert out.meta["region"] == "meta.faces" and out.meta["faces"] == [[0, 0, 20, 20]]
    assert np.abs(pixels(out)[40:] - np.asarray(Image.open(with_face.main), dtype=np.int16)[40:]).max() == 0
    plain = run_one(backend, handle, "edit", {"op": "inpaint", "region": "face"}, (photo_artifact(tmp_path),))
    assert plain.meta["region"] == "default"


def test_inpaint_with_a_mask_file_relative_to_the_project(backend, zi, tmp_path):
    _, handle = zi
    mask = Image.new("L", (64, 64), 0)
    mask.paste(255, (0, 0, 64, 16))
    (tmp_path / "masks").mkdir()
    mask.save(tmp_path / "masks" / "top.png")
    photo = photo_artifact(tmp_path)
    out = run_one(backend, handle, "edit", {"op": "inpaint", "region": {"file": "masks/top.png"}}, (photo,),
                  root=tmp_path)
    before = np.asarray(Image.open(photo.main), dtype=np.int16)
    assert out.meta["region"] == "file"
    assert np.abs(pixels(out)[32:] - before[32:]).max() == 0 and np.abs(pixels(out)[:8] - before[:8]).mean() > 10


def test_edit_prompt_is_the_ops_then_the_scenes_but_the_ops_alone_for_a_background(backend, zi, tmp_path):
    _, handle = zi
    photo = photo_artifact(tmp_path)
    scene = {"scene_prompt": "mina pours coffee in a cafe"}
    inpaint = run_one(backend, handle, "edit", {"op": "inpaint", "region": "face", "prompt": "a smile", **scene},
                      (photo,))
    outpaint = run_one(backend, handle, "edit", {"op": "outpaint", "size": [80, 64], "prompt": "", **scene}, (photo,))
    background = run_one(backend, handle, "edit", {"op": "background", "prompt": "a beach", **scene}, (photo,))
    assert inpaint.meta["prompt"] == "a smile, mina pours coffee in a cafe"
    assert outpaint.meta["prompt"] == "mina pours coffee in a cafe"
    assert background.meta["prompt"] == "a beach"


def test_background_replacement_keeps_the_subject(backend, zi, tmp_path):
    _, handle = zi
    photo = photo_artifact(tmp_path, focus=[16, 8, 48, 64])
    out = run_one(backend, handle, "edit", {"op": "background", "prompt": "a beach"}, (photo,))
    before, after = np.asarray(Image.open(photo.main), dtype=np.int16), pixels(out)
    assert out.meta["region"] == "meta.focus" and out.meta["focus"] == [16, 8, 48, 64]
    assert np.abs(after[28:44, 26:38] - before[28:44, 26:38]).max() == 0  # the subject's middle
    assert np.abs(after[:, :6] - before[:, :6]).mean() > 10  # the background


def test_outpaint_centres_the_image_on_a_wider_canvas(backend, zi, tmp_path):
    _, handle = zi
    photo = photo_artifact(tmp_path, focus=[16, 8, 48, 64])
    out = run_one(backend, handle, "edit", {"op": "outpaint", "size": [128, 64], "prompt": "more street"}, (photo,))
    after, before = pixels(out), np.asarray(Image.open(photo.main), dtype=np.int16)
    assert after.shape == (64, 128, 3) and out.meta["size"] == [128, 64]
    assert out.meta["focus"] == [48, 8, 80, 64]  # moved with the image
    assert np.abs(after[8:56, 40:88] - before[8:56, 8:56]).max() == 0  # the original, untouched
    assert after[:, :24].std() > 1  # the new border is painted, not the flat fill of the canvas


def test_restyle_redraws_the_whole_image(backend, zi, tmp_path):
    _, handle = zi
    photo = photo_artifact(tmp_path)
    out = run_one(backend, handle, "edit", {"op": "restyle", "prompt": "an ink drawing", "strength": 0.7}, (photo,))
    assert out.meta["mode"] == "image2image" and out.meta["strength"] == 0.7 and out.meta["op"] == "restyle"
    assert np.abs(pixels(out) - np.asarray(Image.open(photo.main), dtype=np.int16)).mean() > 10


def test_edit_op_needing_an_omni_model_fails_that_task_only(backend, zi, tmp_path):
    _, handle = zi
    photo = photo_artifact(tmp_path)
    bad, good = backend.run(handle, [request("edit", {"op": "instruct", "prompt": "add a hat"}, (photo,), handle.model),
                                     request("edit", {"op": "restyle", "seed": 2}, (photo,), handle.model)])
    assert isinstance(bad, ValueError) and "Omni" in str(bad)
    assert isinstance(good, Output)


def test_omni_model_edits_with_the_image_and_character_sheets_one_job_per_call(tiny_omni, tmp_path, monkeypatch):
    backend = ZImageBackend(PipelineCache())
    model = model_ref(tiny_omni)
    handle = backend.load(model)
    sheet = photo_artifact(tmp_path, "mina-sheet", (48, 64))
    photo = photo_artifact(tmp_path)
    calls = []
    real = batching.invoke
    monkeypatch.setattr(batching, "invoke", lambda pipe, kw: calls.append(len(kw["generator"])) or real(pipe, kw))
    edit = run_one(backend, handle, "edit", {"op": "instruct", "prompt": "as a watercolour"}, (photo, sheet))
    draft = run_one(backend, handle, "draft", {"prompt": "mina at the counter"}, (sheet,))
    assert calls == [1, 1]  # alone, an Omni job is one image of work (no copies padding the call)
    assert edit.meta["mode"] == "omni" and edit.meta["pipeline"] == "ZImageOmniPipeline"
    assert edit.meta["prompt"] == ("Image 2 is the character sheet of mina-sheet. Keep every character's face, hair "
                                   "and clothes exactly as in their sheet.\nas a watercolour")  # images named
    assert edit.meta["strength"] is None
    assert [r["task"] for r in edit.meta["references"]] == ["photo", "mina-sheet"]
    assert draft.meta["mode"] == "omni" and pixels(draft).shape == (64, 64, 3)
    restyles = [run_one(backend, handle, "edit", {"op": "restyle", "prompt": "ink", "strength": s}, (photo, sheet))
                for s in (0.3, 0.9)]
    assert [r.meta["strength"] for r in restyles] == [0.3, 0.9]  # honoured: img2img on the Omni weights
    assert restyles[0].meta["pipeline"] == "ZImageImg2ImgPipeline"
    before = np.asarray(Image.open(photo.main), dtype=np.int16)
    assert np.abs(pixels(restyles[0]) - before).mean() < np.abs(pixels(restyles[1]) - before).mean()
    other_sheet = run_one(backend, handle, "draft", {"prompt": "mina at the counter"},
                          (photo_artifact(tmp_path, "other", (64, 64)),))
    assert not np.array_equal(pixels(draft), pixels(other_sheet))  # the reference image steers the result
    inpaint = run_one(backend, handle, "edit", {"op": "inpaint", "region": [0, 0, 0.5, 0.5]}, (photo,))
    assert inpaint.meta["pipeline"] == "ZImageInpaintPipeline"  # masked ops: from_pipe of the Omni weights


def test_another_diffusers_model_serves_a_stage_through_the_same_path(tiny_sd, tmp_path):
    backend = ZImageBackend(PipelineCache())
    model = model_ref(tiny_sd)
    handle = backend.load(model)
    draft = run_one(backend, handle, "draft", {"size": [60, 60]})
    assert draft.meta["pipeline"] == "StableDiffusionPipeline" and draft.meta["guidance"] == 7.5  # its own default
    assert draft.meta["generated_size"] == [64, 64] and pixels(draft).shape == (60, 60, 3)
    refined = run_one(backend, handle, "refine", {"strength": 0.5, "size": [60, 60]},
                      (stored(draft, tmp_path, "sd-draft"),))
    assert refined.meta["pipeline"] == "StableDiffusionImg2ImgPipeline"
    batched = backend.run(handle, [request("draft", {"seed": s}, model=model) for s in (1, 2)])
    assert all(isinstance(o, Output) for o in batched)


def test_model_loads_once_and_edit_pipelines_share_its_weights(tiny_zimage, tmp_path):
    cache = PipelineCache()
    first, second = ZImageBackend(cache), ZImageBackend(cache)  # e.g. two builds in one watch process
    model = model_ref(tiny_zimage)
    photo = photo_artifact(tmp_path)
    run_one(first, first.load(model), "draft", {})
    run_one(first, first.load(model), "edit", {"op": "inpaint", "region": "face"}, (photo,))
    run_one(second, second.load(model), "refine", {"strength": 0.3}, (photo,))
    assert cache.loads == 1 and len(cache) == 1
    [entry] = cache._entries.values()
    assert entry.variants["inpaint"].transformer is entry.pipe.transformer
    assert entry.variants["image2image"].text_encoder is entry.pipe.text_encoder
    assert entry.pipe.transformer.dtype == torch.float32


def test_released_model_stays_loaded_until_another_model_needs_the_memory(tiny_zimage, tiny_sd):
    free = {"cpu": 10 ** 12}
    cache = PipelineCache(free_bytes=lambda device: free[device])
    backend = ZImageBackend(cache)
    z, sd = backend.load(model_ref(tiny_zimage)), backend.load(model_ref(tiny_sd))
    run_one(backend, z, "draft", {})
    backend.release(z)
    reopened = backend.load(model_ref(tiny_zimage, batch_size=2))  # e.g. the project reopened after a config edit
    run_one(backend, reopened, "draft", {})
    assert cache.loads == 1
    free["cpu"] = 1000  # less than the next model's weights
    run_one(backend, sd, "draft", {})
    assert cache.loads == 2 and len(cache) == 1 and z.key not in cache and sd.key in cache


def test_load_and_release_events_tell_when_weights_really_load_and_are_dropped(tiny_zimage, tiny_sd):
    free = {"cpu": 10 ** 12}
    cache = PipelineCache(free_bytes=lambda device: free[device])
    backend, events = ZImageBackend(cache), []
    backend.emit = events.append  # as the runtime sets it (ReportsLoads)
    z = backend.load(model_ref(tiny_zimage))
    assert events == []  # load() checks the options; the weights load at first use
    run_one(backend, z, "draft", {})
    run_one(backend, backend.load(model_ref(tiny_zimage)), "draft", {"seed": 2})
    [load] = events
    [entry] = cache._entries.values()
    parameters = sum(p.numel() * p.element_size() for m in (entry.pipe.transformer, entry.pipe.vae,
                                                            entry.pipe.text_encoder) for p in m.parameters())
    assert (load["event"], load["backend"], load["model"]) == ("model-load", "zimage", str(tiny_zimage))
    assert (load["dtype"], load["device"]) == ("float32", "cpu") and load["seconds"] > 0
    assert parameters <= load["memory"] < 2 * parameters
    free["cpu"] = 1000  # less than the next model's weights: the first is dropped for it
    run_one(backend, backend.load(model_ref(tiny_sd)), "draft", {})
    assert [e["event"] for e in events] == ["model-load", "model-release", "model-load"]
    release = events[1]
    assert (release["model"], release["memory"], release["reason"]) == (str(tiny_zimage), load["memory"], "memory")
    assert events[2]["model"] == str(tiny_sd) and cache.loads == 2


def test_out_of_memory_retries_smaller_then_alone_then_fails_only_that_task(backend, tiny_zimage, monkeypatch):
    handle = backend.load(model_ref(tiny_zimage, exact_batches=False))
    reqs = [request("draft", {"prompt": p, "seed": i}, model=handle.model) for i, p in enumerate("abcd")]
    expected = [backend.run(handle, [r])[0] for r in reqs]
    real, calls = batching.invoke, []

    def small_memory(pipe, kw):
        seeds = [g.initial_seed() for g in kw["generator"]]
        calls.append(seeds)
        if len(seeds) > 1 or seeds == [2]:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real(pipe, kw)

    monkeypatch.setattr(batching, "invoke", small_memory)
    handle.limits.clear()
    results = backend.run(handle, reqs)
    assert calls == [[0, 1, 2, 3], [0, 1], [0], [1], [2, 3], [2], [3]]
    assert isinstance(results[2], batching.OutOfMemory) and "cpu_offload" in str(results[2])
    for i in (0, 1, 3):  # retries made the same images as made alone
        assert np.abs(pixels(results[i]) - pixels(expected[i])).max() <= 1
    calls.clear()
    backend.run(handle, reqs[:2])
    assert calls == [[0], [1]]  # the next batches start at the size that fitted


def test_nan_or_black_output_is_an_error_not_an_artifact(backend, zi, monkeypatch):
    _, handle = zi
    bad = {1: np.full((64, 64, 3), np.nan, np.float32), 2: np.zeros((64, 64, 3), np.float32)}
    monkeypatch.setattr(batching, "invoke", lambda pipe, kw: [bad[g.initial_seed()] for g in kw["generator"]])
    nan, black = backend.run(handle, [request("draft", {"seed": s}, model=handle.model) for s in bad])
    assert "NaN" in str(nan) and "bfloat16" in str(nan)
    assert "all-black" in str(black)


def test_errors_name_the_setting_to_change(backend, tmp_path, tiny_zimage, monkeypatch):
    def error(model):
        [out] = backend.run(backend.load(model), [request("draft", {}, model=model)])
        assert isinstance(out, PluginError)
        return str(out)

    missing = tmp_path / "nope"
    assert error(ModelRef("zimage", str(missing))) == f"stages.draft.model: folder {missing} not found"
    offline = error(ModelRef("zimage", "Tongyi-MAI/Z-Image-Turbo", "main"))
    assert offline.startswith("stages.draft.model: Tongyi-MAI/Z-Image-Turbo@main is not in the local Hugging Face "
                              "cache") and "HF_HUB_OFFLINE" in offline
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert error(model_ref(tiny_zimage, device="cuda")).startswith(
        "stages.draft.options.device = 'cuda', but this machine")
    with pytest.raises(SettingError, match=r'\[stages.<stage>.options\] steps: must be an integer, got "many"'):
        backend.load(model_ref(tiny_zimage, steps="many"))
    with pytest.raises(SettingError, match=r"\[stages.<stage>.options\] stepz: unknown setting"):
        backend.key_options(model_ref(tiny_zimage, stepz=3))


def test_identity_follows_the_weights_and_key_options_the_pixel_options(backend, tmp_path, tiny_zimage):
    import shutil

    folder = shutil.copytree(tiny_zimage, tmp_path / "copy")
    base = backend.identity(ModelRef("zimage", str(folder)))
    assert base == backend.identity(ModelRef("zimage", str(folder), options={"steps": 8}))
    assert backend.key_options(ModelRef("zimage", str(folder), options={"steps": 8, "device": "cpu",
                                                                         "batch_size": 2})) == {"steps": 8}
    assert backend.key_options(ModelRef("zimage", str(folder), options={
        "steps": 8, "batch_size": 2, "exact_batches": False})) == {"steps": 8, "exact_batches": False}
    config = folder / "scheduler" / "scheduler_config.json"
    config.write_text(config.read_text().replace('"shift": 3.0', '"shift": 6.0'))
    assert backend.identity(ModelRef("zimage", str(folder))) != base
    hub = backend.identity(ModelRef("zimage", "Tongyi-MAI/Z-Image", "0123456789abcdef0123456789abcdef01234567"))
    assert hub == "hub:Tongyi-MAI/Z-Image@0123456789abcdef0123456789abcdef01234567"
