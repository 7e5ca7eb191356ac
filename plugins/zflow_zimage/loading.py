"""Building diffusers pipelines: from_pretrained for a Source, and its img2img/inpaint variants made with from_pipe."""
from __future__ import annotations

import os
from contextlib import contextmanager

from zflow.errors import PluginError

from .models import Source, model_index
from .options import setting

#: Pipeline modes a request can need; ``text2image`` is the loaded pipeline itself.
MODES = ("text2image", "image2image", "inpaint", "omni", "instruct")
_ZIMAGE = {"image2image": "ZImageImg2ImgPipeline", "inpaint": "ZImageInpaintPipeline"}
#: Masked edits on instruction-edit weights (diffusers' auto pipelines do not map them).
_INSTRUCT_VARIANTS = {("FluxKontextPipeline", "inpaint"): "FluxKontextInpaintPipeline"}


def is_zimage(class_name: str) -> bool:
    return class_name.startswith("ZImage")


def is_omni(class_name: str) -> bool:
    return class_name == "ZImageOmniPipeline"


def pipeline_class(source: Source, choice: str, stage: str):
    """The diffusers class to load: ``pipeline`` option (a class name), else the model_index's, else the auto one."""
    import diffusers

    name = choice if choice != "auto" else model_index(source).get("_class_name", "")
    if is_omni(name):
        from .omni import ZImageOmniPipeline

        return ZImageOmniPipeline
    if name == "QwenImageEditPlusPipeline":
        from .qwen_edit import QwenImageEditPlusPipeline

        return QwenImageEditPlusPipeline
    if not name:
        return diffusers.AutoPipelineForText2Image
    cls = getattr(diffusers, name, None)
    if cls is None:
        raise PluginError(f"{setting(stage, 'pipeline')} = {name!r}: diffusers {diffusers.__version__} has no such "
                          f"pipeline class (use 'auto' or a class name such as ZImagePipeline)")
    return cls


def hub_offline() -> bool:
    """Whether HF_HUB_OFFLINE asks for the local Hugging Face cache only (read at each call, not at import)."""
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")


def load(source: Source, choice: str, dtype, stage: str):
    """``from_pretrained`` for a folder or hub id (offline when HF_HUB_OFFLINE is set); errors name the setting."""
    cls = pipeline_class(source, choice, stage)
    offline = hub_offline()
    where = source.folder or source.hub_id
    try:
        with quiet():
            pipe = cls.from_pretrained(where, revision=source.revision, dtype=dtype, local_files_only=offline)
    except (OSError, ValueError) as exc:
        if source.folder is not None:
            raise PluginError(f"{setting(stage)}: folder {source.folder} could not be loaded as a diffusers "
                              f"pipeline: {exc}") from exc
        raise PluginError(
            f"{setting(stage)}: {source.label} is not in the local Hugging Face cache and the hub cannot be "
            f"reached{' (HF_HUB_OFFLINE is set)' if offline else ''}: download it first (hf download "
            f"{source.hub_id}) or set {setting(stage)} to a local folder ({type(exc).__name__}: {exc})"
        ) from exc
    pipe.set_progress_bar_config(disable=True)
    return pipe


def variant(pipe, mode: str, stage: str):
    """The pipeline for ``mode`` sharing ``pipe``'s weights (from_pipe keeps the dtype: its default would cast the
    shared modules to float32)."""
    import diffusers

    name = type(pipe).__name__
    if mode in ("text2image", "instruct") or (mode == "omni" and is_omni(name)):
        return pipe
    if mode == "omni":
        raise PluginError(f"{setting(stage)}: reference-image edits need a Z-Image Omni/Edit model "
                          f"(ZImageOmniPipeline); this one is {name}")
    if is_zimage(name):
        cls = getattr(diffusers, _ZIMAGE[mode])
    elif (name, mode) in _INSTRUCT_VARIANTS:
        cls = getattr(diffusers, _INSTRUCT_VARIANTS[name, mode])
    else:
        cls = diffusers.AutoPipelineForImage2Image if mode == "image2image" else diffusers.AutoPipelineForInpainting
    try:
        with quiet():
            made = cls.from_pipe(pipe, dtype=pipe.dtype)
    except (ValueError, KeyError) as exc:
        raise PluginError(f"{setting(stage)}: {name} has no {mode} pipeline in diffusers ({exc}): use a model "
                          f"that has one on this stage") from exc
    made.set_progress_bar_config(disable=True)
    return made


@contextmanager
def quiet():
    """No progress bars or chatter from diffusers and transformers while loading (zflow reports loads itself)."""
    import diffusers.utils.logging as dlog
    import transformers.utils.logging as tlog

    saved = [(lib, lib.get_verbosity(), lib.is_progress_bar_enabled()) for lib in (dlog, tlog)]
    for lib, _, _ in saved:
        lib.set_verbosity_error()
        lib.disable_progress_bar()
    try:
        yield
    finally:
        for lib, verbosity, bars in saved:
            lib.set_verbosity(verbosity)
            if bars:
                lib.enable_progress_bar()
