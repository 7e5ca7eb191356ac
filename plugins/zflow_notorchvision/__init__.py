"""A torchvision stand-in for importing packages that name torchvision at import time but do not need it for the
models zflow runs (spandrel's super-resolution models; controlnet-aux's OpenPose, HED and MLSD). torchvision's
wheels on PyPI are CUDA builds that do not import beside a CPU torch, so ``standing_in()`` puts these few names in
``sys.modules`` only while such a package imports, when the real torchvision cannot be imported, and takes them out
after, so no other package sees them. Not a plugin (no hooks): zflow_zimage and zflow_control import it."""
from __future__ import annotations

import enum
import importlib
import sys
import types
from contextlib import contextmanager
from typing import Iterator

from zflow.errors import PluginError

__all__ = ["NoTorchvision", "standing_in"]


@contextmanager
def standing_in() -> Iterator[None]:
    """While inside, ``torchvision`` is the real one when it imports, else ``NoTorchvision``'s modules."""
    try:
        importlib.import_module("torchvision")
        standins: dict[str, types.ModuleType] = {}
    except Exception:  # absent, or a CUDA build beside a CPU torch
        standins = NoTorchvision.modules()
    saved = {name: sys.modules.get(name) for name in standins}
    sys.modules.update(standins)
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


class NoTorchvision:
    """What spandrel and controlnet-aux's OpenPose import from ``torchvision.transforms``: ``normalize`` works;
    the others are a clear error when called (nothing zflow runs calls them)."""

    class InterpolationMode(enum.Enum):
        NEAREST = "nearest"
        BILINEAR = "bilinear"
        BICUBIC = "bicubic"

    @staticmethod
    def normalize(tensor, mean, std, inplace: bool = False):
        """``(tensor - mean) / std`` per channel (dimension -3), as torchvision's."""
        import torch

        mean = torch.as_tensor(mean, dtype=tensor.dtype, device=tensor.device).view(-1, 1, 1)
        std = torch.as_tensor(std, dtype=tensor.dtype, device=tensor.device).view(-1, 1, 1)
        return tensor.sub_(mean).div_(std) if inplace else (tensor - mean) / std

    @staticmethod
    def rotate(*args, **kwargs):
        raise PluginError("this model (LaMa inpainting) rotates images with torchvision, which is not installed "
                          "beside this torch; zflow's upscaler takes super-resolution models")

    class _Unavailable:
        """A torchvision transform class that can be made (OpenPose's face module makes two at import) but not
        called."""

        def __call__(self, *args, **kwargs):
            raise PluginError(f"torchvision.transforms.{type(self).__name__} needs torchvision, which is not "
                              f"installed beside this torch (pip install a torchvision build matching torch)")

    class ToTensor(_Unavailable):
        pass

    class ToPILImage(_Unavailable):
        pass

    @classmethod
    def modules(cls) -> dict[str, types.ModuleType]:
        functional = types.ModuleType("torchvision.transforms.functional")
        functional.InterpolationMode = cls.InterpolationMode
        functional.normalize, functional.rotate = cls.normalize, cls.rotate
        transforms = types.ModuleType("torchvision.transforms")
        transforms.functional = functional
        transforms.ToTensor, transforms.ToPILImage = cls.ToTensor, cls.ToPILImage
        package = types.ModuleType("torchvision")
        package.transforms = transforms
        return {"torchvision": package, "torchvision.transforms": transforms,
                "torchvision.transforms.functional": functional}
