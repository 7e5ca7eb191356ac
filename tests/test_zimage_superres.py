"""The upscale's first pass through a super-resolution model file loaded with spandrel: a randomly initialised
compact RealESRGAN saved to a .pth file, on the tiny random-weight Z-Image; files spandrel cannot read are errors
naming them; spandrel imports without torchvision and leaves no trace of it."""
from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from helpers.ci import need_torch
from helpers.zimage import model_ref, offline_one_thread, photo_artifact, request, tiny_zimage  # noqa: F401
from helpers.zimage_model import compact_esrgan

need_torch()
import torch  # noqa: E402

from zflow_zimage.backend import ZImageBackend  # noqa: E402
from zflow_zimage.cache import PipelineCache  # noqa: E402

pytestmark = [pytest.mark.zimage, pytest.mark.slow]


def upscale(tiny_zimage, root, upscaler: str, strength: float = 0.0):
    backend = ZImageBackend(PipelineCache())
    handle = backend.load(model_ref(tiny_zimage))
    params = {"size": [128, 128], "source_size": [64, 64], "strength": strength, "tile": 64, "overlap": 16,
              "seed": 2, "upscaler": {"file": upscaler}}
    [out] = backend.run(handle, [request("upscale", params, (photo_artifact(root),), model=handle.model,
                                         root=root)])
    return out


def test_a_compact_realesrgan_file_is_the_first_pass(tiny_zimage, tmp_path):
    """strength 0: the output is exactly what the network in the file makes of the photo."""
    path = compact_esrgan(tmp_path / "models/compact.pth")
    out = upscale(tiny_zimage, tmp_path, "models/compact.pth")
    assert not isinstance(out, BaseException), out
    from spandrel.architectures.Compact import Compact

    network = Compact(num_in_ch=3, num_out_ch=3, num_feat=8, num_conv=2, upscale=2)
    network.load_state_dict(torch.load(path))
    with Image.open(tmp_path / "photo.png") as photo:
        x = torch.from_numpy(np.asarray(photo.convert("RGB"), np.float32) / 255).permute(2, 0, 1)[None]
    with torch.no_grad():
        expected = (network(x)[0].clamp(0, 1).permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    made = np.asarray(Image.open(io.BytesIO(out.files["image.png"])).convert("RGB"))
    assert made.shape == (128, 128, 3) and np.array_equal(made, expected)
    assert out.meta["upscaler"] == "compact.pth"


def test_the_compact_model_then_tiles_re_denoised(tiny_zimage, tmp_path):
    compact_esrgan(tmp_path / "models/compact.pth", scale=4)  # 64 -> 256, then Lanczos down to 128
    out = upscale(tiny_zimage, tmp_path, "models/compact.pth", strength=0.3)
    assert not isinstance(out, BaseException), out
    assert out.meta["tiles"] == 9 and out.meta["upscaler"] == "compact.pth"
    assert Image.open(io.BytesIO(out.files["image.png"])).size == (128, 128)


@pytest.mark.parametrize("content", [b"not a model at all", "state dict"])
def test_a_file_spandrel_cannot_read_fails_the_task_naming_it(tiny_zimage, tmp_path, content):
    path = tmp_path / "models/odd.pth"
    path.parent.mkdir()
    if content == "state dict":  # a real torch file of a network spandrel does not know
        torch.save({"encoder.weight": torch.zeros(4, 4)}, path)
    else:
        path.write_bytes(content)
    out = upscale(tiny_zimage, tmp_path, "models/odd.pth")
    assert isinstance(out, Exception) and f"upscaler {path}: not a super-resolution model" in str(out)


def test_spandrel_imports_without_torchvision_and_leaves_none_behind():
    code = ("import sys; from zflow_zimage.superres import spandrel; import torch\n"
            "from zflow_notorchvision import NoTorchvision\n"
            "module = spandrel(); assert 'Compact' in {a.architecture.id for a in module.MAIN_REGISTRY.architectures()}\n"
            "print(sorted(m for m in sys.modules if m.startswith('torchvision.transforms')))\n"
            "x = torch.rand(2, 3, 4, 4)\n"
            "y = NoTorchvision.normalize(x, [0.5, 0.4, 0.3], [0.5, 0.25, 2.0])\n"
            "assert torch.allclose(y[:, 1], (x[:, 1] - 0.4) / 0.25)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_recipe_upscales_through_the_model_file_and_a_new_file_rebuilds_that_upscale(project, tiny_zimage):
    config = 'output = "out"\nbase_pixels = 4096\n' + "".join(
        f'\n[stages.{s}]\nbackend = "zimage"\nmodel = "{tiny_zimage}"\noptions = {{ steps = 2 }}\n'
        for s in ("draft", "refine"))
    project.write("zflow.toml", config)
    project.write("recipes/r.py", 'from zflow import Series, Upscale, sns\n'
                  's = Series("s", prompt="a cat", size="64x48", drafts=1, refine=False,\n'
                  '           upscale=Upscale(scale=2, tile=64, overlap=16, upscaler="models/x2.pth"))\n'
                  's.scene("a")\nsns(s, "x_post")\n')
    compact_esrgan(project.root / "recipes/models/x2.pth")
    env = {"HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    first = project.build(env=env)
    assert first.code == 0, first.stderr
    with Image.open(project.root / "out/s/a/upscale.png") as made:
        assert made.size == (128, 96)
    compact_esrgan(project.root / "recipes/models/x2.pth", seed=1)  # other weights, same name
    again = project.build(env=env)
    assert again.code == 0 and again.ids("task-done") == {"s/a/upscale", "s/export/sns"}
