"""Super-resolution model files (RealESRGAN and its compact SRVGGNet, SwinIR, HAT, DAT, ...) loaded with spandrel
for the upscale's first pass. spandrel's package imports torchvision for two architectures that are not
super-resolution (LaMa inpainting, RestoreFormer faces); torchvision's wheels on PyPI are CUDA builds that do not
import beside a CPU torch, so when torchvision cannot be imported spandrel is imported against
zflow_notorchvision's stand-in (only while importing it, so no other package sees it): RestoreFormer's
``normalize`` works, LaMa's ``rotate`` is a clear error."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from PIL import Image

from zflow.contracts.digests import file_digest
from zflow.errors import PluginError
from zflow_notorchvision import standing_in

INSTALL = "pip install --no-deps spandrel einops (torchvision optional)"

_MODELS: dict[tuple[str, str], Any] = {}


def super_resolve(image: Image.Image, path: Path, device: str) -> Image.Image:
    """``image`` through the super-resolution model in ``path``, loaded once per file content and device."""
    import numpy as np
    import torch

    key = (file_digest(path), device)
    model = _MODELS.get(key)
    if model is None:
        model = _MODELS[key] = load(path).to(device).eval()
    pixels = torch.from_numpy(np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0)
    with torch.inference_mode():
        out = model(pixels.permute(2, 0, 1)[None].to(device))
    array = (out[0].clamp(0, 1).permute(1, 2, 0).float().cpu().numpy() * 255.0).round().astype("uint8")
    return Image.fromarray(array)


def load(path: Path):
    """The model in ``path`` as spandrel describes it; a file it cannot read, or a model that is not an image model
    taking RGB, is a PluginError naming the file."""
    loaded = spandrel()
    try:
        model = loaded.ModelLoader().load_from_file(str(path))
    except Exception as exc:
        raise PluginError(f"upscaler {path}: not a super-resolution model spandrel can load ({exc})") from exc
    if not isinstance(model, loaded.ImageModelDescriptor) or model.input_channels != 3:
        raise PluginError(f"upscaler {path}: a {model.architecture.name} model, not one that takes an RGB image")
    return model


def spandrel():
    """The spandrel module, imported against zflow_notorchvision's stand-in when torchvision cannot be imported."""
    if "spandrel" in sys.modules:
        return sys.modules["spandrel"]
    try:
        with standing_in():
            return importlib.import_module("spandrel")
    except ImportError as exc:
        raise PluginError(f"the upscaler needs spandrel, which failed to import ({exc}): {INSTALL}") from exc
