"""ControlNet on a stage: the ``controlnet`` option's weights and identity, the model loaded once per loaded pipeline,
its pipelines made with from_pipe (sharing the transformer, VAE and text encoder), and a task's control carried into
its job and its call."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

from PIL import Image

from zflow.contracts import ModelRef, Request, Task
from zflow.contracts.settings import Located, Table, located
from zflow.errors import PluginError

from .jobs import rgb_image
from .loading import hub_offline, is_zimage, quiet
from .control_identity import controlnet_identity
from .models import Source, looks_like_folder

log = logging.getLogger(__name__)

#: Control types the Z-Image Fun ControlNet Union is trained on (and the recipe's ``Control(...)`` accepts).
TYPES = ("pose", "depth", "canny", "hed", "mlsd")
#: The kinds whose tasks may carry control.
KINDS = ("draft", "refine", "edit")
#: The ControlNet model class of a pipeline family, when the weights' config does not name one.
_MODEL_CLASS = {"ZImage": "ZImageControlNetModel", "StableDiffusion3": "SD3ControlNetModel"}
#: The ControlNet pipeline of a family and mode; other families go through diffusers' auto pipelines.
_PIPELINES = {
    ("ZImage", "text2image"): "ZImageControlNetPipeline",
    ("ZImage", "inpaint"): "ZImageControlNetInpaintPipeline",
    ("StableDiffusion3", "text2image"): "StableDiffusion3ControlNetPipeline",
}
#: Why a family has no ControlNet pipeline but text-to-image.
_ONLY_TEXT2IMAGE = {
    "StableDiffusion3": "diffusers' SD3 ControlNets only generate from noise: it has no SD3 ControlNet img2img "
                        "pipeline, and StableDiffusion3ControlNetInpaintingPipeline is an inpainting ControlNet whose "
                        "control image is the image to repaint, not a control map",
}
_AUTO = {"text2image": "AutoPipelineForText2Image", "image2image": "AutoPipelineForImage2Image",
         "inpaint": "AutoPipelineForInpainting"}


@dataclass(frozen=True, slots=True)
class Net:
    """The stage's ControlNet for a batch: where it is and its identity (the task keys' own, read once a batch)."""

    source: Source
    identity: str

    @property
    def key(self) -> tuple:
        """Its loaded model's name among a pipeline's variants: new weights in the same place are another model."""
        return "controlnet", self.source.label, self.identity

    def replaces(self, variant: Any) -> bool:
        """Whether a pipeline's variant is this ControlNet's place at another identity (stale weights), or a
        pipeline made with that one."""
        made_with = isinstance(variant, tuple) and len(variant) == 3 and variant[1] == "controlnet"
        net = variant[2] if made_with else variant
        return isinstance(net, tuple) and net[:2] == self.key[:2] and net != self.key


def net(model: ModelRef, root: Path | None = None) -> Net | None:
    """The stage's ControlNet and its identity now (None when it has none)."""
    found = source(model, root)
    return Net(found, controlnet_identity(found, _project(model, root))) if found is not None else None


def _project(model: ModelRef, root: Path | None = None) -> Path | None:
    """The project folder: ``root``, else zflow.toml's folder when the options came from it."""
    if root is None and isinstance(model.options, Located) and model.options.source:
        return Path(model.options.source).parent
    return root


@dataclass(frozen=True, slots=True)
class Control:
    """A job's control: its type and scale, the ControlNet's key (``Net.key``), and the map at the generation size.
    Jobs share a pipeline call only when their ``group`` is equal."""

    kind: str
    scale: float
    model: tuple
    image: Image.Image = field(compare=False, repr=False)

    @property
    def group(self) -> tuple:
        return self.model, self.kind, self.scale


def requested(task: Task) -> dict | None:
    """A task's ``params["control"]`` checked (``{"type": ..., "scale": ...}``), or None when it has none."""
    control = task.params.get("control")
    if control is None or task.kind not in KINDS:
        return None
    kind, scale = control.get("type"), control.get("scale")
    if kind not in TYPES:
        raise PluginError(f"{task.id}: control type {kind!r} is not one of {', '.join(TYPES)}")
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or scale < 0:
        raise PluginError(f"{task.id}: control scale {scale!r} must be a number, 0 or more")
    return {"type": kind, "scale": float(scale)}


def _table(model: ModelRef) -> Table:
    return located(model.options, "stages.<stage>.options")


def source(model: ModelRef, root: Path | None = None) -> Source | None:
    """Where the stage's ControlNet is (None when it has none): a folder (relative to zflow.toml's) with the model's
    config.json, or a hub id at ``controlnet_revision``; a bad one is a SettingError at its zflow.toml line."""
    table = _table(model)
    value = model.options.get("controlnet")
    if not value:
        return None
    revision = model.options.get("controlnet_revision")
    root = _project(model, root)
    if not looks_like_folder(value, root):
        return Source(value, None, value, revision)
    folder = Path(value).expanduser()
    if not folder.is_absolute() and root is not None:
        folder = root / folder
    if not (folder / "config.json").is_file():
        what = "not found" if not folder.is_dir() else "has no config.json"
        raise table.error("controlnet", f"folder {folder} {what} (save a ControlNet model there with "
                                        f"save_pretrained, or name a hub id such as "
                                        f"alibaba-pai/Z-Image-Turbo-Fun-Controlnet-Union-2.1)")
    return Source(value, folder.resolve(), None, None)


def side_models(model: ModelRef) -> dict[str, str]:
    """The stage's ControlNet identity by option name (empty when it has none)."""
    found = net(model)
    return {"controlnet": found.identity} if found is not None else {}


def side_models_of(model: ModelRef, task: Task) -> tuple[str, ...]:
    """``("controlnet",)`` for a task with control; an error naming the stage and the option when none is set."""
    control = requested(task)
    if control is None:
        return ()
    if not model.options.get("controlnet"):
        raise PluginError(f"{task.id}: {control['type']} control needs a ControlNet on the {task.stage} stage: set "
                          f"stages.{task.stage}.options.controlnet in zflow.toml to a folder or a hub id (such as "
                          f"alibaba-pai/Z-Image-Turbo-Fun-Controlnet-Union-2.1), or remove the control")
    return ("controlnet",)


def family(pipe: Any) -> str:
    """The pipeline family that picks the ControlNet classes: ZImage, StableDiffusion3, or its class name."""
    return family_of(type(pipe).__name__)


def family_of(name: str) -> str:
    return "ZImage" if is_zimage(name) else "StableDiffusion3" if name.startswith("StableDiffusion3") else name


def refusal(model: ModelRef, task: Task, root: Path) -> str | None:
    """Why a refine or edit with control cannot run on the stage's model (its family's ControlNets only make
    images from text), told when the build is planned; None when it can, or when the pipeline is not known yet."""
    from .instruct import pipeline_name

    control = requested(task)
    if control is None or task.kind == "draft":
        return None
    name = pipeline_name(model, root)
    why = _ONLY_TEXT2IMAGE.get(family_of(name)) if name else None
    if why is None:
        return None
    return (f"{model.model} ({name}) cannot {task.kind} with {control['type']} control: {why}; remove the control "
            f"from this {task.kind}, or set stages.{task.stage}.model to a model whose ControlNet serves it, such as "
            f"Tongyi-MAI/Z-Image-Turbo")


def load_model(found: Source, pipe: Any, stage: str, attention: str | None = None) -> Any:
    """The ControlNet model (its config's class, else the family's), in the pipeline's dtype and on its device, with
    the stage's attention backend when it sets one (skipped with a warning where the model has none)."""
    import diffusers

    config = _config(found)
    name = config.get("_class_name") or _MODEL_CLASS.get(family(pipe), "ControlNetModel")
    cls = getattr(diffusers, name, None)
    setting = f"stages.{stage}.options.controlnet"
    if cls is None:
        raise PluginError(f"{setting}: {found.label} names model class {name!r}, which diffusers "
                          f"{diffusers.__version__} does not have")
    transformer = getattr(pipe, "transformer", None) or getattr(pipe, "unet", None)
    try:
        with quiet():
            model = cls.from_pretrained(found.folder or found.hub_id, revision=found.revision, dtype=pipe.dtype,
                                        local_files_only=hub_offline())
    except (OSError, ValueError) as exc:
        raise PluginError(f"{setting}: {found.label} could not be loaded as a ControlNet "
                          f"({type(exc).__name__}: {exc}); download it first (hf download {found.model}) or set a "
                          f"local folder") from exc
    if attention and hasattr(model, "set_attention_backend"):
        try:
            model.set_attention_backend(attention)
        except (ImportError, RuntimeError, ValueError) as exc:
            log.warning("zimage: ControlNet %s skipped attention=%s (%s)", found.label, attention, exc)
    return model.to(transformer.device) if transformer is not None else model


def _config(found: Source) -> dict:
    """The ControlNet's config.json (from the folder or the hub cache); empty when it cannot be read offline."""
    if found.folder is not None:
        return json.loads((found.folder / "config.json").read_text())
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(found.hub_id, "config.json", revision=found.revision)
    return json.loads(Path(cached).read_text()) if isinstance(cached, str) else {}


def pipeline(pipe: Any, controlnet: Any, mode: str, stage: str) -> Any:
    """The ``mode`` pipeline with ``controlnet``, sharing ``pipe``'s modules (from_pipe), offloaded to the CPU
    between uses as ``pipe`` is when the stage sets ``cpu_offload``."""
    import diffusers

    fam = family(pipe)
    if (fam, mode) == ("ZImage", "image2image"):
        from .control_img2img import ZImageControlNetImg2ImgPipeline as cls
    else:
        name = _PIPELINES.get((fam, mode)) or (None if fam in ("ZImage", "StableDiffusion3") else _AUTO.get(mode))
        if name is None:
            why = f" ({_ONLY_TEXT2IMAGE[fam]})" if fam in _ONLY_TEXT2IMAGE else ""
            raise PluginError(f"stages.{stage}.options.controlnet: diffusers has no {mode} ControlNet pipeline for "
                              f"{type(pipe).__name__}{why}: remove the control from this {mode} task")
        cls = getattr(diffusers, name)
    try:
        with quiet():
            made = cls.from_pipe(pipe, controlnet=controlnet, dtype=pipe.dtype)
    except (ValueError, KeyError, TypeError) as exc:
        raise PluginError(f"stages.{stage}.options.controlnet: {type(controlnet).__name__} does not work with "
                          f"{cls.__name__} ({exc})") from exc
    made.set_progress_bar_config(disable=True)
    offloaded = getattr(pipe, "_offload_device", None) if getattr(pipe, "_all_hooks", None) else None
    if offloaded is not None:  # cpu_offload: the ControlNet gets its hook too (from_pipe copies no hooks)
        made.enable_model_cpu_offload(device=offloaded)
    return made


def attach(job: Any, request: Request, found: Net | None) -> Any:
    """``job`` with its task's control: the map resized to the generation size (the resize reported in its
    provenance with the map's key and the ControlNet's identity), the type and scale; the job as it is for a task
    without control."""
    control = requested(request.task)
    if control is None:
        return job
    if found is None:
        raise PluginError(f"{request.task.id}: {control['type']} control needs a ControlNet on the "
                          f"{request.task.stage} stage: set stages.{request.task.stage}.options.controlnet")
    maps = request.inputs_of("control")
    if len(maps) != 1:
        raise ValueError(f"{control['type']} control needs one control map input (role 'control'), got {len(maps)}")
    image = rgb_image(maps[0].main)
    used = {**control, "map": maps[0].key, "map_task": maps[0].task_id, "controlnet": found.identity}
    if image.size != tuple(job.gen_size):
        used["resized_from"] = list(image.size)
        image = image.resize(job.gen_size, Image.Resampling.LANCZOS)
    return replace(job, control=Control(control["type"], control["scale"], found.key, image),
                   meta={**job.meta, "control": used})


def call_args(cls: type, jobs: Sequence[Any], args: Mapping[str, Any], accepted: Mapping[str, Any]) -> dict:
    """The call's arguments with its maps and scale. A pipeline that takes no ``strength`` (Z-Image's ControlNet
    inpaint regenerates the masked region from noise) gets none, and refuses a strength under 1."""
    first = jobs[0]
    out = dict(args)
    out["control_image" if "control_image" in accepted else "image"] = [j.control.image for j in jobs]
    out["controlnet_conditioning_scale"] = first.control.scale
    if "strength" in out and "strength" not in accepted:
        if out["strength"] is not None and out["strength"] < 1.0:
            raise ValueError(f"{cls.__name__} takes no strength (it repaints the masked region fully): remove "
                             f"strength={out['strength']} from this edit, or its control")
        del out["strength"]
    return out
