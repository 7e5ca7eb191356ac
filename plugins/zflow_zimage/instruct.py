"""Instruction-edit models that take input images (Qwen-Image-Edit, FLUX.1 Kontext): which pipelines they are, what
they refuse when the build is planned, and the jobs of their drafts and ``instruct`` edits (images named in the
prompt, at most the model's number of them)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from PIL import Image

from zflow.contracts import Artifact, ModelRef, Request, Task, shown_path
from zflow.contracts.references import reference_role, reference_text, refine_text

from . import models
from .jobs import Job, rgb_image
from .options import Settings, setting

#: Pipelines that edit by instruction from input images, with the most images each is made for (Qwen-Image-Edit
#: 2509/2511 works best with 1-3; Kontext and the first Qwen-Image-Edit take one).
INSTRUCT_PIPELINES = {"QwenImageEditPlusPipeline": 3, "QwenImageEditPipeline": 1, "FluxKontextPipeline": 1}
#: What can serve ``Edit.instruct``, for the message of a stage whose model cannot.
CAN_INSTRUCT = ("Qwen/Qwen-Image-Edit-2509 or -2511 (QwenImageEditPlusPipeline), Qwen/Qwen-Image-Edit "
                "(QwenImageEditPipeline), black-forest-labs/FLUX.1-Kontext-dev (FluxKontextPipeline), a Z-Image "
                "Omni/Edit model (ZImageOmniPipeline), or backend = \"nanobanana\"")


def is_instruct(class_name: str) -> bool:
    return class_name in INSTRUCT_PIPELINES


_NAMES: dict[tuple, str] = {}


def pipeline_name(model: ModelRef, root: Path) -> str:
    """The pipeline class a stage loads, read without weights (once per model and project): the ``pipeline``
    option, else the model_index.json of the folder or hub cache; empty when that cannot be known offline."""
    chosen = str(model.options.get("pipeline", "auto"))
    if chosen != "auto":
        return chosen
    key = (model.model, model.revision, str(root))
    if key not in _NAMES:
        try:
            index = models.model_index(models.resolve(model.model, model.revision, None, root))
            _NAMES[key] = str(index.get("_class_name", ""))
        except Exception:  # a missing folder or a broken index is reported when the model loads, naming the setting
            _NAMES[key] = ""
    return _NAMES[key]


#: The core edit ops each instruction-edit model serves besides ``instruct`` (Kontext's masked edits go through
#: FluxKontextInpaintPipeline, made with from_pipe; Qwen-Image-Edit's inpaint pipeline sizes images its own way).
OTHER_OPS = {"FluxKontextPipeline": ("inpaint", "background", "outpaint")}
_CORE_OPS = ("inpaint", "background", "outpaint", "restyle")


def refusal(model: ModelRef, task: Task, root: Path) -> str | None:
    """Why the stage's model cannot serve ``task``: an ``instruct`` edit on a model that does not edit by
    instruction, or a core edit an instruction-edit model has no pipeline for (None when it can serve it, or when
    its pipeline cannot be known before loading)."""
    op = task.params.get("op")
    if task.kind != "edit" or op not in ("instruct", *_CORE_OPS):
        return None
    name = pipeline_name(model, root)
    if op == "instruct" and name and not is_instruct(name) and name != "ZImageOmniPipeline":
        return (f"{model.model} ({name}) cannot edit by instruction (Edit.instruct); set {setting(task.stage)} to a "
                f"model that can: {CAN_INSTRUCT}")
    if op != "instruct" and is_instruct(name) and op not in OTHER_OPS.get(name, ()):
        return (f"{model.model} ({name}) edits by instruction and has no {op} pipeline: write it as "
                f"Edit.instruct(\"...\"), or set {setting(task.stage)} to a text-to-image model such as "
                f"Tongyi-MAI/Z-Image-Turbo")
    return None


def plan(request: Request, settings: Settings, common: dict[str, Any], class_name: str) -> Job:
    """The job of a sheet, draft, refine or ``instruct`` edit on an instruction-edit model: its input images (the
    image to edit or refine, then the character sheets and reference images) and a prompt that says which is which."""
    kind, params = request.task.kind, request.params
    if kind == "edit" and params.get("strength") is not None:
        raise ValueError(f"{class_name} has no strength: leave Edit.instruct's strength unset on this model")
    limit, images = settings.max_images or INSTRUCT_PIPELINES[class_name], list(request.images)
    left_out = images[1:] if kind == "refine" and limit == 1 else []  # the draft alone: its cast reached it already
    images = images[:len(images) - len(left_out)]
    roles, prompt = named(request, common["prompt"], images)
    _check_count(request, roles, limit, class_name)
    if not images and class_name.startswith("QwenImageEdit"):
        raise ValueError(f"{class_name} needs an input image: cast a character with a reference image, or give the "
                         f"{request.task.stage} stage a text-to-image model for scenes without one")
    meta = {"op": params["op"]} if kind == "edit" else {}
    pixels = settings.reference_pixels if class_name == "FluxKontextPipeline" else None  # Qwen resizes its own
    if left_out:
        meta["references_not_sent"] = [a.task_id for a in left_out]
    return Job("instruct", strength=None, references=tuple(_area(rgb_image(a.main), pixels) for a in images),
               meta=meta | provenance(images, roles), **{**common, "prompt": prompt})


def named(request: Request, prompt: str, images: Sequence[Artifact] | None = None) -> tuple[list[str], str]:
    """What each input image of a model that takes images is (``images``: those sent, by default all the request's),
    and the prompt that names them by number: a draft's (or sheet's) images are its cast's sheets and references; an
    edit's or refine's first image is the one it works on (an edit's ``prompt`` is its instruction; a refine asks for
    a finished image as the Gemini backend does)."""
    kind, params = request.task.kind, request.params
    images = request.images if images is None else images
    if kind in ("sheet", "draft"):
        names = [c.get("name", "") for c in params.get("cast", [])]
        roles = [reference_role(a, names, i) for i, a in enumerate(images)]
        return roles, reference_text(roles, 1) + prompt
    first = "the image to edit" if kind == "edit" else "the draft to refine"
    roles = [first] + [reference_role(a, [], i) for i, a in enumerate(images[1:])]
    asked = prompt if kind == "edit" else refine_text(float(params.get("strength", 0.6))) + prompt
    return roles, reference_text(roles[1:], 2) + asked


def provenance(images: Sequence[Artifact], roles: Sequence[str]) -> dict[str, Any]:
    """``references``: each input image's task, key and role, for the made image's meta (nothing without any)."""
    if not images:
        return {}
    return {"references": [{"task": a.task_id, "key": a.key, "role": r} for a, r in zip(images, roles)]}


def call_args(pipe, job: Job) -> dict[str, Any]:
    """The input images of an instruct call as its pipeline takes them; Kontext makes its output at exactly the
    job's size (it would otherwise make about a megapixel of the job's aspect)."""
    images = list(job.references)
    if type(pipe).__name__ == "FluxKontextPipeline":
        width, height = job.gen_size
        return {"image": images[0] if images else None, "max_area": width * height}
    return {"image": images if len(images) > 1 else images[0]}


def extra_args(class_name: str, settings: Settings) -> dict[str, Any]:
    """What every call of an instruction-edit model adds for ``reference_pixels``: the area Qwen-Image-Edit-Plus
    encodes its inputs at, or Kontext's own resizing turned off (its inputs come at that area already)."""
    if not settings.reference_pixels:
        return {}
    if class_name == "QwenImageEditPlusPipeline":
        return {"vae_image_pixels": settings.reference_pixels}
    return {"_auto_resize": False} if class_name == "FluxKontextPipeline" else {}


def _check_count(request: Request, roles: Sequence[str], limit: int, class_name: str) -> None:
    if len(roles) <= limit:
        return
    where = request.task.where
    place = f"{shown_path(where.file)}:{where.line}: " if where else ""
    raise ValueError(f"{place}{request.task.id}: {len(roles)} input images ({', '.join(roles)}) but {class_name} "
                     f"takes at most {limit} ({setting(request.task.stage, 'max_images')}); cast fewer characters or "
                     f"give fewer references")


def _area(image: Image.Image, pixels: int | None) -> Image.Image:
    """``image`` scaled to about ``pixels`` (sides multiples of 16), or as it is without a setting."""
    if not pixels:
        return image
    scale = (pixels / (image.width * image.height)) ** 0.5
    size = (max(16, round(image.width * scale / 16) * 16), max(16, round(image.height * scale / 16) * 16))
    return image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)
