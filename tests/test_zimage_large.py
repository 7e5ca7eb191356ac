"""Large direct generation with VAE tiling on the tiny random-weight Z-Image: drafts and refines whose images have a
side over the stage's ``vae_tiling_above`` (1024 px unless set; lowered here so a CPU test reaches it) are encoded
and decoded in tiles, smaller images of the same run are not, and the shared VAE is untiled afterwards."""
from __future__ import annotations

import pytest

from helpers.ci import need_torch
from helpers.zimage import (model_ref, offline_one_thread, photo_artifact, pixels, request,  # noqa: F401
                            tiny_zimage)

need_torch()

from zflow_zimage import options  # noqa: E402
from zflow_zimage.backend import ZImageBackend  # noqa: E402
from zflow_zimage.cache import PipelineCache  # noqa: E402

pytestmark = [pytest.mark.zimage, pytest.mark.slow]


def run(tiny_zimage, tmp_path, kind: str, sizes, **stage):
    backend = ZImageBackend(PipelineCache())
    handle = backend.load(model_ref(tiny_zimage, **stage))
    inputs = (photo_artifact(tmp_path, size=(96, 96)),) if kind == "refine" else ()
    made = backend.run(handle, [request(kind, {"size": list(size), "seed": 3, "strength": 0.6}, inputs,
                                        model=handle.model, root=tmp_path) for size in sizes])
    for out in made:
        assert not isinstance(out, BaseException), out
    entry = backend._entry(handle, "draft", tmp_path)
    assert not entry.pipe.vae.use_tiling  # the shared VAE as other stages expect it
    return [pixels(out) for out in made]


@pytest.mark.parametrize("kind", ["draft", "refine"])
def test_images_over_the_threshold_are_made_with_vae_tiling_and_smaller_ones_of_the_run_are_not(kind, tiny_zimage,
                                                                                             tmp_path):
    small, large = run(tiny_zimage, tmp_path, kind, [(64, 64), (96, 96)], vae_tiling_above=64)
    assert large.shape == (96, 96, 3)
    [whole_large] = run(tiny_zimage, tmp_path, kind, [(96, 96)])  # the default 1024: untiled
    [small_alone] = run(tiny_zimage, tmp_path, kind, [(64, 64)])
    assert (small == small_alone).all()  # 64 px is not over 64: as if the option were unset
    assert (large != whole_large).any()  # the tiled VAE decodes (and encodes) the 96 px image otherwise
    [large_alone] = run(tiny_zimage, tmp_path, kind, [(96, 96)], vae_tiling_above=64)
    assert (large == large_alone).all()  # whatever shared the run


def test_the_threshold_is_in_the_key_and_checked():
    assert options.key_options({"vae_tiling_above": 512, "batch_size": 2}) == {"vae_tiling_above": 512}
    assert options.read({}, "Tongyi-MAI/Z-Image-Turbo", "draft", "draft").vae_tiling_above == 1024
    with pytest.raises(Exception, match="vae_tiling_above"):
        options.read({"vae_tiling_above": 8}, "Tongyi-MAI/Z-Image-Turbo", "draft", "draft")
