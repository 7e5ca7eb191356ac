"""ControlNet on the zimage backend, on a tiny random Z-Image and a tiny random ZImageControlNetModel saved to folders
and loaded with from_pretrained: control changes the image and scale 0 equals no control; the ControlNet loads once
and its pipelines share the loaded transformer, VAE and text encoder; calls never mix control types, scales or
uncontrolled jobs; inpaint edits with control go through ZImageControlNetInpaintPipeline and refines (img2img)
through the ControlNet started from the noised image; a map of another size is resized and the resize reported."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from helpers import zimage_model
from helpers.ci import need_torch
from helpers.zimage import (model_ref, offline_one_thread, picture, pixels, request, stored,  # noqa: F401
                            tiny_sd, tiny_zimage)
from zflow.contracts import Artifact

need_torch()

from zflow_zimage import batching, control as controlnet  # noqa: E402
from zflow_zimage.backend import ZImageBackend  # noqa: E402
from zflow_zimage.cache import PipelineCache  # noqa: E402

pytestmark = [pytest.mark.zimage, pytest.mark.slow]


@pytest.fixture(scope="module")
def tiny_controlnet(tmp_path_factory):
    return zimage_model.build_zimage_controlnet(tmp_path_factory.mktemp("models") / "tiny-controlnet")


def control_map(folder, name="pose", size=(64, 64), seed=3) -> Artifact:
    """A control map as a layout or control task stores it: an RGB PNG with role ``control``."""
    path = folder / f"{name}.png"
    picture(size, seed=seed).save(path)
    return Artifact(f"s/control-{name}", f"key-{name}", {"image.png": path}, {"role": "control"})


def control(kind="pose", scale=0.8) -> dict:
    return {"control": {"type": kind, "scale": scale}}


@pytest.fixture()
def backend_and_handle(tiny_zimage, tiny_controlnet):
    backend = ZImageBackend(PipelineCache())
    return backend, backend.load(model_ref(tiny_zimage, controlnet=str(tiny_controlnet)))


def run(backend, handle, *jobs, kind="draft", root=None):
    """Run draft requests, each ``(params, inputs)``; fails the test on any error."""
    reqs = [request(kind, {"seed": 3, **params}, inputs, model=handle.model, task_id=f"s/{kind}{i}",
                    **({"root": root} if root else {})) for i, (params, inputs) in enumerate(jobs)]
    outs = backend.run(handle, reqs)
    for out in outs:
        assert not isinstance(out, BaseException), out
    return outs


def test_control_changes_the_image_and_scale_0_is_no_control(backend_and_handle, tmp_path):
    backend, handle = backend_and_handle
    pose = control_map(tmp_path)
    plain, guided, zero = run(backend, handle, ({}, ()), (control(), (pose,)), (control(scale=0.0), (pose,)))
    assert np.abs(pixels(guided) - pixels(plain)).max() > 20  # the control map steers the image
    assert np.array_equal(pixels(zero), pixels(plain))  # x + 0 * residual: byte-equal to no control
    assert guided.meta["pipeline"] == "ZImageControlNetPipeline" and plain.meta["pipeline"] == "ZImagePipeline"
    assert guided.meta["control"] == {"type": "pose", "scale": 0.8, "map": "key-pose", "map_task": "s/control-pose",
                                      "controlnet": controlnet.net(handle.model).identity}
    assert "control" not in plain.meta


def test_the_controlnet_loads_once_and_shares_the_loaded_models_modules(backend_and_handle, tmp_path, monkeypatch):
    from diffusers import ZImageControlNetModel

    backend, handle = backend_and_handle
    loads = []
    real = ZImageControlNetModel.from_pretrained.__func__

    def counted(cls, *args, **kwargs):
        loads.append(args[0])
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(ZImageControlNetModel, "from_pretrained", classmethod(counted))
    pose, depth = control_map(tmp_path), control_map(tmp_path, "depth", seed=5)
    run(backend, handle, (control(), (pose,)), (control("depth"), (depth,)))
    run(backend, handle, (control(scale=0.5), (pose,)))
    assert len(loads) == 1 and len(backend.cache) == 1
    [entry] = backend.cache._entries.values()
    [made] = [v for k, v in entry.variants.items() if isinstance(k, tuple) and k[1] == "controlnet"]
    assert type(made).__name__ == "ZImageControlNetPipeline"
    for shared in ("transformer", "vae", "text_encoder"):
        assert getattr(made, shared) is getattr(entry.pipe, shared)
    assert made.controlnet.noise_refiner is entry.pipe.transformer.noise_refiner  # from_transformer: shared blocks


def test_the_controlnet_folder_is_resolved_once_a_batch(backend_and_handle, tmp_path, monkeypatch):

    backend, handle = backend_and_handle
    resolved = []
    real = controlnet.source

    def counted(model, root=None):
        resolved.append(root)
        return real(model, root)

    monkeypatch.setattr(controlnet, "source", counted)
    pose, depth = control_map(tmp_path), control_map(tmp_path, "depth", seed=5)
    outs = run(backend, handle, ({}, ()), (control(), (pose,)), (control("depth"), (depth,)), (control(), (pose,)))
    assert [o.meta.get("control", {}).get("type") for o in outs] == [None, "pose", "depth", "pose"]
    assert len(resolved) == 1  # not once per request, nor per pipeline call


def test_the_controlnet_counts_in_the_caches_memory_and_gets_room_like_a_pipeline(tiny_zimage, tiny_sd,
                                                                                   tiny_controlnet, tmp_path):
    free = {"cpu": 10 ** 12}
    cache = PipelineCache(free_bytes=lambda device: free[device])
    backend, events = ZImageBackend(cache), []
    backend.emit = events.append
    sd, z = backend.load(model_ref(tiny_sd)), backend.load(model_ref(tiny_zimage, controlnet=str(tiny_controlnet)))
    run(backend, sd, ({}, ()))
    backend.release(sd)  # idle: the first to go when memory is short
    run(backend, z, ({}, ()))
    loaded = next(e for e in events if e["event"] == "model-load" and e["model"] == str(tiny_zimage))
    assert len(cache) == 2
    free["cpu"] = 1000  # less than the ControlNet's weights: loading it drops the idle pipeline, never its own
    run(backend, z, (control(), (control_map(tmp_path),)))
    assert sd.key not in cache and z.key in cache
    assert [(e["model"], e["reason"]) for e in events if e["event"] == "model-release"] == [(str(tiny_sd), "memory")]
    entry = cache._entries[z.key]
    [net] = [v for k, v in entry.variants.items() if k[0] == "controlnet"]
    pipe_tensors = {id(t) for m in (entry.pipe.transformer, entry.pipe.vae, entry.pipe.text_encoder)
                    for t in (*m.parameters(), *m.buffers())}
    own = sum(t.numel() * t.element_size() for t in (*net.parameters(), *net.buffers()) if id(t) not in pipe_tensors)
    assert own > 0 and entry.memory == loaded["memory"] + own  # its blocks shared with the transformer count once
    run(backend, backend.load(model_ref(tiny_sd)), ({}, ()))  # still short: the Z-Image entry goes, ControlNet too
    release = [e for e in events if e["event"] == "model-release"][-1]
    assert (release["model"], release["memory"]) == (str(tiny_zimage), loaded["memory"] + own)


def test_calls_never_mix_control_types_scales_or_uncontrolled_jobs(tiny_zimage, tiny_controlnet, tmp_path,
                                                                   monkeypatch):
    backend = ZImageBackend(PipelineCache())
    handle = backend.load(model_ref(tiny_zimage, controlnet=str(tiny_controlnet), batch_size=8,
                                    exact_batches=False))
    pose, depth = control_map(tmp_path), control_map(tmp_path, "depth", seed=5)
    calls = []
    real = batching.invoke

    def watch(pipe, kwargs):
        calls.append((type(pipe).__name__, len(kwargs["generator"]), kwargs.get("controlnet_conditioning_scale"),
                      len(kwargs.get("control_image") or ())))
        return real(pipe, kwargs)

    monkeypatch.setattr(batching, "invoke", watch)
    jobs = [({}, ()), (control(), (pose,)), (control("depth"), (depth,)), ({}, ()), (control(), (pose,)),
            (control(scale=0.5), (pose,)), (control("depth"), (depth,))]
    outs = run(backend, handle, *jobs)
    # batch_size 8 would take all seven: one call per (ControlNet, type, scale), and one without control.
    assert sorted(calls) == [("ZImageControlNetPipeline", 1, 0.5, 1), ("ZImageControlNetPipeline", 2, 0.8, 2),
                             ("ZImageControlNetPipeline", 2, 0.8, 2), ("ZImagePipeline", 2, None, 0)]
    assert [o.meta.get("control", {}).get("type") for o in outs] == [None, "pose", "depth", None, "pose", "pose",
                                                                     "depth"]


def test_inpaint_with_control_runs_the_controlnet_inpaint_pipeline(backend_and_handle, tmp_path):
    backend, handle = backend_and_handle
    before = stored(run(backend, handle, ({}, ()))[0], tmp_path, "before")
    pose = control_map(tmp_path)
    edit = {"op": "inpaint", "region": [0.25, 0.25, 0.75, 0.75], "prompt": "a smile"}
    plain, guided = run(backend, handle, (edit, (before,)), ({**edit, **control()}, (before, pose)), kind="edit")
    assert guided.meta["pipeline"] == "ZImageControlNetInpaintPipeline" and guided.meta["control"]["type"] == "pose"
    a, b = pixels(plain), pixels(guided)
    original = np.asarray(Image.open(before.main).convert("RGB"), dtype=np.int16)
    assert np.abs(a[20:44, 20:44] - b[20:44, 20:44]).max() > 20  # the control steers the repainted region
    assert np.abs(b[:8] - original[:8]).max() <= 2  # outside the mask the original stays
    [refused] = backend.run(handle, [request("edit", {**edit, **control(), "strength": 0.6}, (before, pose),
                                             model=handle.model)])
    assert "takes no strength" in str(refused) and "strength=0.6" in str(refused)


def test_a_refine_with_control_is_img2img_on_the_controlnet_and_scale_0_is_the_plain_img2img(backend_and_handle,
                                                                                               tmp_path):
    backend, handle = backend_and_handle
    before = stored(run(backend, handle, ({}, ()))[0], tmp_path, "before")
    pose = control_map(tmp_path)
    plain, zero, guided = run(backend, handle, ({}, (before,)), (control(scale=0.0), (before, pose)),
                              (control(), (before, pose)), kind="refine")
    assert plain.meta["pipeline"] == "ZImageImg2ImgPipeline"
    assert guided.meta["pipeline"] == "ZImageControlNetImg2ImgPipeline" and guided.meta["strength"] == 0.6
    assert np.array_equal(pixels(zero), pixels(plain))  # the same noise on the same tail of the schedule
    assert np.abs(pixels(guided) - pixels(plain)).max() > 20
    low = run(backend, handle, ({**control(), "strength": 0.3}, (before, pose)), kind="refine")[0]
    start = np.asarray(Image.open(before.main).convert("RGB"), dtype=np.int16)
    # strength is honoured: less of the schedule, closer to the image it starts from
    assert np.abs(pixels(low) - start).mean() < np.abs(pixels(guided) - start).mean()


def test_a_map_of_another_size_is_resized_and_the_resize_reported(backend_and_handle, tmp_path):
    backend, handle = backend_and_handle
    small = control_map(tmp_path, "small", size=(40, 24))
    [out] = run(backend, handle, (control(), (small,)))
    assert out.meta["control"]["resized_from"] == [40, 24]
    assert pixels(out).shape == (64, 64, 3)


def test_a_bad_control_or_a_missing_map_fails_the_task_with_what_is_wrong(backend_and_handle, tmp_path):
    backend, handle = backend_and_handle
    pose = control_map(tmp_path)
    bad_type, no_map = backend.run(handle, [
        request("draft", control("scribble"), (pose,), model=handle.model, task_id="s/a"),
        request("draft", control(), (), model=handle.model, task_id="s/b")])
    assert "control type 'scribble' is not one of pose, depth, canny, hed, mlsd" in str(bad_type)
    assert "needs one control map input (role 'control'), got 0" in str(no_map)


def test_another_family_runs_its_controlnet_through_diffusers_controlnet_pipelines(tiny_sd, tmp_path):
    """A Stable Diffusion model with a ControlNetModel folder: draft, refine and inpaint through the auto pipelines'
    ControlNet classes (from_pipe), scale 0 equal to no control."""
    controlnet = zimage_model.build_sd_controlnet(tmp_path / "sd-controlnet")
    backend = ZImageBackend(PipelineCache())
    handle = backend.load(model_ref(tiny_sd, controlnet=str(controlnet)))
    pose = control_map(tmp_path)
    plain, guided, zero = run(backend, handle, ({}, ()), (control(), (pose,)), (control(scale=0.0), (pose,)))
    assert guided.meta["pipeline"] == "StableDiffusionControlNetPipeline"
    assert np.abs(pixels(guided) - pixels(plain)).max() > 20 and np.array_equal(pixels(zero), pixels(plain))
    before = stored(plain, tmp_path, "before")
    [refined] = run(backend, handle, (control(), (before, pose)), kind="refine")
    [inpainted] = run(backend, handle, ({"op": "inpaint", "region": [0.25, 0.25, 0.75, 0.75], "prompt": "a smile",
                                         **control()}, (before, pose)), kind="edit")
    assert refined.meta["pipeline"] == "StableDiffusionControlNetImg2ImgPipeline"
    assert inpainted.meta["pipeline"] == "StableDiffusionControlNetInpaintPipeline"


def test_the_stages_attention_backend_reaches_the_controlnet(tiny_zimage, tiny_controlnet, tmp_path):
    from diffusers.models.attention_dispatch import AttentionBackendName

    backend = ZImageBackend(PipelineCache())
    handle = backend.load(model_ref(tiny_zimage, controlnet=str(tiny_controlnet), attention="_native_math"))
    run(backend, handle, (control(), (control_map(tmp_path),)))
    [entry] = backend.cache._entries.values()
    [controlnet] = [v for k, v in entry.variants.items() if k[0] == "controlnet"]
    backends = {getattr(m.processor, "_attention_backend", None) for m in controlnet.control_layers.modules()
                if hasattr(m, "processor")}
    assert backends == {AttentionBackendName._NATIVE_MATH}


def test_new_weights_in_the_controlnet_folder_load_anew_and_release_the_old(tiny_zimage, tiny_controlnet, tmp_path):
    """One process across two builds (as `zflow watch` and Ray workers are): the folder's new ControlNet serves the
    next controlled task, byte-equal to a fresh process's, and the old one and its pipeline are let go."""
    import shutil

    folder, pose = tmp_path / "cn", control_map(tmp_path)
    shutil.copytree(tiny_controlnet, folder)
    backend = ZImageBackend(PipelineCache())
    handle = backend.load(model_ref(tiny_zimage, controlnet=str(folder)))
    [before] = run(backend, handle, (control(), (pose,)))
    [entry] = backend.cache._entries.values()
    shutil.rmtree(folder)
    zimage_model.build_zimage_controlnet(folder, seed=1, layers=(0,))  # same place, other weights
    [after] = run(backend, handle, (control(), (pose,)))
    fresh = ZImageBackend(PipelineCache())
    [expected] = run(fresh, fresh.load(model_ref(tiny_zimage, controlnet=str(folder))), (control(), (pose,)))
    assert after.files["image.png"] == expected.files["image.png"]
    assert np.abs(pixels(after) - pixels(before)).max() > 20
    assert after.meta["control"]["controlnet"] != before.meta["control"]["controlnet"]
    nets = [k for k in entry.variants if isinstance(k, tuple) and "controlnet" in (k[0], k[1])]
    assert nets == [controlnet.net(handle.model).key, ("text2image", "controlnet", controlnet.net(handle.model).key)]
    [fresh_entry] = fresh.cache._entries.values()
    assert entry.memory == fresh_entry.memory and entry.size == fresh_entry.size  # the old one was let go


def test_the_controlnet_is_offloaded_with_an_offloaded_pipeline(tiny_zimage, tiny_controlnet, tmp_path):
    """What `cpu_offload = true` does on an accelerator, on the CPU device diffusers' hooks also accept: the
    ControlNet pipelines made with from_pipe get the ControlNet its own offload hook beside the pipeline's, and
    offloaded calls give the same bytes as calls without offload, before and after the plain pipeline runs."""
    import torch
    from diffusers import ZImagePipeline

    from zflow_zimage import device, options

    handle = model_ref(tiny_zimage, controlnet=str(tiny_controlnet), cpu_offload=True)
    found = controlnet.net(handle).source
    settings = options.read(handle.options, handle.model, "draft", "draft", zimage=True)

    def generate(pipe, made):
        out = [made(prompt="a cat", control_image=picture(seed=3), height=64, width=64, num_inference_steps=2,
                    generator=torch.Generator().manual_seed(1), controlnet_conditioning_scale=0.8).images[0]]
        pipe(prompt="a dog", height=64, width=64, num_inference_steps=2)  # the plain pipeline's hooks in between
        return [*out, made(prompt="a cat", control_image=picture(seed=3), height=64, width=64, num_inference_steps=2,
                           generator=torch.Generator().manual_seed(1), controlnet_conditioning_scale=0.8).images[0]]

    plain = ZImagePipeline.from_pretrained(tiny_zimage)
    expected = generate(plain, controlnet.pipeline(plain, controlnet.load_model(found, plain, "draft"), "text2image",
                                                   "draft"))
    offloaded = ZImagePipeline.from_pretrained(tiny_zimage)
    assert device.place(offloaded, settings, "cpu:0") == []  # not skipped: hooks on an explicit device
    made = controlnet.pipeline(offloaded, controlnet.load_model(found, offloaded, "draft"), "text2image", "draft")
    assert made.controlnet._hf_hook.execution_device == offloaded._offload_device
    got = generate(offloaded, made)
    assert made.controlnet._hf_hook.execution_device == offloaded._offload_device
    assert [np.asarray(i).tobytes() for i in got] == [np.asarray(i).tobytes() for i in expected]


def test_retrained_controlnet_weights_of_the_same_size_are_another_controlnet(tiny_zimage, tiny_controlnet,
                                                                              tmp_path):
    """A fine-tune saved over the ControlNet's weight file keeps its name and size: its identity (task keys, the
    loaded model) still changes, and the next controlled task is a fresh process's, byte for byte."""
    import shutil

    from zflow_zimage import models

    folder, pose = tmp_path / "cn", control_map(tmp_path)
    shutil.copytree(tiny_controlnet, folder)
    handle_model = model_ref(tiny_zimage, controlnet=str(folder))
    backend = ZImageBackend(PipelineCache())
    handle = backend.load(handle_model)
    [before] = run(backend, handle, (control(), (pose,)))
    fingerprint, identity = models.fingerprint(folder), backend.side_models(handle_model)["controlnet"]
    retrained = zimage_model.build_zimage_controlnet(tmp_path / "retrained", seed=1)
    for path in models.weight_files(retrained):
        shutil.copyfile(path, folder / path.relative_to(retrained))
    assert models.fingerprint(folder) == fingerprint  # names, sizes and configs alone cannot tell
    assert backend.side_models(handle_model)["controlnet"] != identity
    [after] = run(backend, handle, (control(), (pose,)))
    fresh = ZImageBackend(PipelineCache())
    [expected] = run(fresh, fresh.load(handle_model), (control(), (pose,)))
    assert after.files["image.png"] == expected.files["image.png"]
    assert np.abs(pixels(after) - pixels(before)).max() > 20
