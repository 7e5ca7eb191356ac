"""QwenImageEditPlusPipeline that loads without torchvision and encodes its input images at a chosen pixel area."""
from __future__ import annotations

import importlib.util
import inspect
import threading
from pathlib import Path

import diffusers
from diffusers.pipelines.qwenimage import pipeline_qwenimage_edit_plus as _module

_AREA_LOCK = threading.Lock()


class QwenImageEditPlusPipeline(diffusers.QwenImageEditPlusPipeline):
    """diffusers' Qwen-Image-Edit-Plus pipeline (same name, same files). ``from_pretrained`` builds its processor for
    images alone where torchvision is missing (transformers 5 cannot build a Qwen2VLProcessor there), and a call
    takes ``vae_image_pixels``: the area its input images are encoded at (diffusers fixes it at 1024²)."""

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path, **kwargs):
        if "processor" not in kwargs and importlib.util.find_spec("torchvision") is None:
            kwargs["processor"] = image_processor(pretrained_model_name_or_path, kwargs.get("revision"),
                                                  kwargs.get("local_files_only", False))
        return super().from_pretrained(pretrained_model_name_or_path, **kwargs)

    def __call__(self, *args, vae_image_pixels: int | None = None, **kwargs):
        if not vae_image_pixels:
            return super().__call__(*args, **kwargs)
        with _AREA_LOCK:  # a module constant of diffusers: one call at a time changes it
            saved, _module.VAE_IMAGE_SIZE = _module.VAE_IMAGE_SIZE, vae_image_pixels
            try:
                return super().__call__(*args, **kwargs)
            finally:
                _module.VAE_IMAGE_SIZE = saved


_PARENT = inspect.signature(diffusers.QwenImageEditPlusPipeline.__call__)
# The call's arguments as diffusers documents them, plus vae_image_pixels (what zflow reads to build its calls).
QwenImageEditPlusPipeline.__call__.__signature__ = _PARENT.replace(parameters=[
    *_PARENT.parameters.values(), inspect.Parameter("vae_image_pixels", inspect.Parameter.KEYWORD_ONLY, default=None)])


def image_processor(where: str | Path, revision: str | None, local_only: bool):
    """The pipeline's ``processor`` folder as a Qwen2VLProcessor for images, without the video processor that
    transformers 5 checks for (and cannot make) when torchvision is not installed."""
    from transformers import AutoImageProcessor, AutoTokenizer, Qwen2VLProcessor

    class ImageQwen2VLProcessor(Qwen2VLProcessor):
        def check_argument_for_proper_class(self, argument_name, argument):
            if argument_name == "video_processor" and argument is None:
                return None
            return super().check_argument_for_proper_class(argument_name, argument)

    options = {"subfolder": "processor", "revision": revision, "local_files_only": local_only}
    return ImageQwen2VLProcessor(image_processor=AutoImageProcessor.from_pretrained(str(where), **options),
                                 tokenizer=AutoTokenizer.from_pretrained(str(where), **options))
