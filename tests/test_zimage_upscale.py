"""The upscale stage on the tiny random-weight Z-Image: exact sizes, tiles re-denoised and blended without seams,
batched tiles equal to tiles made one at a time, the out-of-memory fallback at the pipeline call, strength 0."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from helpers.ci import need_torch
from helpers.zimage import (model_ref, offline_one_thread, photo_artifact, picture, request,  # noqa: F401
                            tiny_sd, tiny_zimage)

need_torch()
import torch  # noqa: E402

from zflow_zimage import batching, tiles  # noqa: E402
from zflow_zimage.backend import ZImageBackend  # noqa: E402
from zflow_zimage.cache import PipelineCache  # noqa: E402

pytestmark = [pytest.mark.zimage, pytest.mark.slow]

#: A tile border may change the image at most this much more than the image changes elsewhere (1: no seam).
SEAM_BOUND = 1.3


@pytest.fixture(scope="module")
def backend():
    return ZImageBackend(PipelineCache())


def upscale(backend, folder, tmp_path, source=(64, 64), size=(128, 128), tile=64, overlap=16, strength=0.3,
            **options):
    handle = backend.load(model_ref(folder, **options))
    photo = photo_artifact(tmp_path, size=source)
    params = {"size": list(size), "source_size": list(source), "strength": strength, "tile": tile,
              "overlap": overlap, "upscaler": None, "seed": 5}
    [out] = backend.run(handle, [request("upscale", params, (photo,), model=handle.model, root=tmp_path)])
    if isinstance(out, BaseException):
        raise out
    return out, handle, photo


def image(output) -> Image.Image:
    return Image.open(io.BytesIO(output.files["image.png"])).convert("RGB")


@pytest.mark.parametrize("source, size, tile, overlap", [((64, 64), (128, 128), 64, 16),
                                                          ((128, 128), (256, 256), 128, 32),
                                                          ((64, 48), (128, 96), 64, 16)])
def test_tiles_are_re_denoised_and_blended_to_exactly_the_size_without_seams(backend, tiny_zimage, tmp_path, source,
                                                                           size, tile, overlap):
    out, _, photo = upscale(backend, tiny_zimage, tmp_path, source, size, tile, overlap)
    made = image(out)
    assert made.size == size
    boxes = tiles.grid(size, tile, overlap, 16)
    assert len(boxes) > 1 and out.meta["tiles"] == len(boxes) and out.meta["stage"] == "upscale"
    with Image.open(photo.main) as small:
        lanczos = small.convert("RGB").resize(size, Image.Resampling.LANCZOS)
    assert np.abs(np.asarray(made, np.int16) - np.asarray(lanczos, np.int16)).mean() > 1  # the model did work
    assert tiles.seam_ratio(made, boxes) < SEAM_BOUND


def test_the_seam_measure_sees_tiles_that_disagree_and_the_feathered_blend_hides_them():
    """The bound means something: tiles of a smooth picture, each shifted in tone as independently re-denoised
    tiles drift, measure far over it when butted together and under it when blended over their overlaps. (The tiny
    model's random VAE decodes any latent to a fine texture everywhere, which hides a hard cut from the measure: so
    the measure is checked here on pictures whose tiles really disagree.)"""
    smooth = picture((256, 256))
    for overlap in (16, 32):
        boxes = tiles.grid((256, 256), 96, overlap, 16)
        drifted = [Image.fromarray(np.clip(np.asarray(smooth.crop(box), np.int16) + (i * 7) % 23 - 11, 0, 255)
                                   .astype(np.uint8)) for i, box in enumerate(boxes)]
        butted = smooth.copy()
        for box, tile in zip(boxes, drifted):
            butted.paste(tile, box[:2])
        assert tiles.seam_ratio(butted, boxes) > 2 * SEAM_BOUND
        assert tiles.seam_ratio(tiles.blend((256, 256), boxes, drifted, overlap), boxes) < SEAM_BOUND


def test_the_blend_of_agreeing_tiles_is_the_image_itself():
    smooth = picture((160, 96))
    boxes = tiles.grid((160, 96), 64, 16, 16)
    assert np.array_equal(np.asarray(tiles.blend((160, 96), boxes, [smooth.crop(b) for b in boxes], 16)),
                          np.asarray(smooth))


def test_tiles_in_batched_calls_give_the_image_of_tiles_made_one_at_a_time(tiny_zimage, tmp_path):
    """Byte for byte: a tile never depends on what shared its call (exact_batches, the default)."""
    calls = []
    real = batching.invoke

    def counted(pipe, kwargs):
        calls.append(len(kwargs["prompt"]) if "prompt" in kwargs else len(kwargs["prompt_embeds"]))
        return real(pipe, kwargs)

    batching.invoke = counted
    try:
        batched, _, _ = upscale(ZImageBackend(PipelineCache()), tiny_zimage, tmp_path, batch_size=4)
        assert calls == [4, 4, 1]  # 3x3 tiles of 64 px over 128 px
        calls.clear()
        alone, _, _ = upscale(ZImageBackend(PipelineCache()), tiny_zimage, tmp_path, batch_size=1)
        assert calls == [1] * 9
    finally:
        batching.invoke = real
    assert batched.files["image.png"] == alone.files["image.png"]


def test_each_image_is_split_off_only_inside_and_the_pipeline_is_left_as_it_was(backend, tiny_zimage, tiny_sd):
    from zflow_zimage.invariant import alone

    entry = backend._entry(backend.load(model_ref(tiny_zimage)), "upscale", tiny_zimage)
    transformer, vae = entry.pipe.transformer, entry.pipe.vae
    with alone(entry.pipe) as split:
        assert split and vae.use_slicing and "forward" in transformer.__dict__
    assert not vae.use_slicing and "forward" not in transformer.__dict__
    sd = backend._entry(backend.load(model_ref(tiny_sd)), "upscale", tiny_sd)
    with alone(sd.pipe) as split:
        assert not split  # a UNet takes one batched tensor: its tiles are made one call each


def test_out_of_memory_at_the_call_halves_the_tile_batch_and_the_image_is_the_same(tiny_zimage, tmp_path,
                                                                                  monkeypatch):
    expected, _, _ = upscale(ZImageBackend(PipelineCache()), tiny_zimage, tmp_path, batch_size=1)
    real, sizes = batching.invoke, []

    def tight_memory(pipe, kwargs):
        n = len(kwargs["prompt"]) if "prompt" in kwargs else len(kwargs["prompt_embeds"])
        sizes.append(n)
        if n > 2:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real(pipe, kwargs)

    monkeypatch.setattr(batching, "invoke", tight_memory)
    out, handle, _ = upscale(ZImageBackend(PipelineCache()), tiny_zimage, tmp_path, batch_size=4)
    assert sizes == [4, 2, 2, 2, 2, 1]  # 9 tiles: after the error, calls of the 2 that fitted
    assert 2 in handle.limits.values()  # and the next image's tiles start at that size
    assert out.files["image.png"] == expected.files["image.png"]  # as batched tiles (above)


def test_strength_zero_is_the_first_pass_alone(backend, tiny_zimage, tmp_path):
    out, _, photo = upscale(backend, tiny_zimage, tmp_path, strength=0.0)
    with Image.open(photo.main) as small:
        lanczos = small.convert("RGB").resize((128, 128), Image.Resampling.LANCZOS)
    assert np.array_equal(np.asarray(image(out)), np.asarray(lanczos)) and out.meta["tiles"] == 0


def test_a_missing_upscaler_model_fails_that_task_naming_the_file(backend, tiny_zimage, tmp_path):
    handle = backend.load(model_ref(tiny_zimage))
    params = {"size": [128, 128], "source_size": [64, 64], "strength": 0.3, "tile": 64, "overlap": 16, "seed": 1,
              "upscaler": {"file": "models/gone.pth"}}
    [out] = backend.run(handle, [request("upscale", params, (photo_artifact(tmp_path),), model=handle.model,
                                         root=tmp_path)])
    assert isinstance(out, Exception) and "models/gone.pth not found" in str(out)


def test_large_tiles_are_encoded_with_vae_tiling_and_the_vae_is_left_as_it_was(backend, tiny_zimage):
    from zflow_zimage.vaetiling import tiled_while

    entry = backend._entry(backend.load(model_ref(tiny_zimage)), "upscale", tiny_zimage)
    vae = entry.pipe.vae
    with tiled_while(entry.pipe, 1024, 1024):
        assert not vae.use_tiling  # a 1-megapixel tile: as the refine stage encodes it
    with tiled_while(entry.pipe, 2048, 1024):
        assert vae.use_tiling
    assert not vae.use_tiling


def test_a_recipe_upscales_on_the_refine_model_through_the_cli(project, tiny_zimage):
    """No [stages.upscale]: the refine stage's tiny Z-Image re-denoises the tiles; the export takes the big image;
    a new strength rebuilds that upscale and the export alone."""
    config = 'output = "out"\nbase_pixels = 4096\n' + "".join(
        f'\n[stages.{s}]\nbackend = "zimage"\nmodel = "{tiny_zimage}"\noptions = {{ steps = 2 }}\n'
        for s in ("draft", "refine"))
    project.write("zflow.toml", config)
    recipe = ('from zflow import Series, Upscale, sns\n'
              's = Series("s", prompt="a cat", size="64x48", drafts=1,\n'
              '           upscale=Upscale(scale=2, tile=64, overlap=16, strength=0.3))\n'
              's.scene("a")\nsns(s, "x_post")\n')
    project.write("recipes/r.py", recipe)
    env = {"HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    first = project.build(env=env)
    assert first.code == 0, first.stderr
    with Image.open(project.root / "out/s/a/upscale.png") as made:
        assert made.size == (128, 96)
    project.write("recipes/r.py", recipe.replace("strength=0.3", "strength=0.25"))
    again = project.build(env=env)
    assert again.code == 0 and again.ids("task-done") == {"s/a/upscale", "s/export/sns"}


def test_tiles_take_the_stage_negative_then_the_recipe_s_as_every_stage_and_record_it(tiny_zimage, tmp_path):
    """The same combined rule as draft and refine (jobs.combined_negative): the stage's negative, then the style's
    and scene's, each term once; the tiles are made with it (guidance on) and the provenance says it."""
    def made(stage: str, recipe: str):
        backend = ZImageBackend(PipelineCache())
        handle = backend.load(model_ref(tiny_zimage, guidance=3.0, negative=stage))
        photo = photo_artifact(tmp_path)
        params = {"size": [128, 128], "source_size": [64, 64], "strength": 0.5, "tile": 64, "overlap": 16,
                  "upscaler": None, "seed": 5, "negative": recipe}
        [out] = backend.run(handle, [request("upscale", params, (photo,), model=handle.model, root=tmp_path)])
        assert not isinstance(out, BaseException), out
        return out

    combined = made("blurry", "text, Blurry")
    assert combined.meta["negative"] == "blurry, text"
    with Image.open(io.BytesIO(combined.files["image.png"])) as png:
        assert '"negative": "blurry, text"' in png.text["zflow"]
    assert made("", "blurry, text").files["image.png"] == combined.files["image.png"]
    assert made("", "text").files["image.png"] != combined.files["image.png"]
