"""The zimage Backend: model identity, lazy cached loading, and batched runs of sheet/draft/refine/edit requests."""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Callable, Sequence

from zflow.contracts import ModelRef, Output, Request, Task, adapters_of
from zflow.errors import PluginError
from zflow.events import Emit, ignore

from . import models, options
from .cache import PIPELINES, Entry, Loading, PipelineCache
from .finishing import Finishing

log = logging.getLogger(__name__)

PLUGIN_VERSION = "0.1.0"


def _implementation() -> str:
    """The plugin's version with diffusers' (a new diffusers can change pixels, so it is part of task keys)."""
    try:
        return f"{PLUGIN_VERSION}+diffusers{version('diffusers')}"
    except PackageNotFoundError:
        return PLUGIN_VERSION


@dataclass(slots=True)
class Handle:
    """What ``load`` returns: the model reference; the pipeline itself is loaded at first use, through the cache."""

    model: ModelRef
    key: tuple | None = None
    revision: str | None = None
    weights: str = ""
    limits: dict = field(default_factory=dict)


class ZImageBackend:
    """Z-Image Turbo/Base/Omni, or any diffusers text-to-image model, on the image stages."""

    name = "zimage"
    kinds = frozenset({"sheet", "draft", "refine", "edit", "upscale", "train"})

    def __init__(self, cache: PipelineCache = PIPELINES):
        self.cache = cache
        self.version = _implementation()
        self.emit: Emit = ignore  # the runtime's (ReportsLoads): model-load/model-release when weights load/drop

    def identity(self, model: ModelRef) -> str:
        """The weights: hub id and commit, or a folder's fingerprint."""
        return models.identity(models.resolve(model.model, model.revision, None))

    def key_options(self, model: ModelRef) -> dict[str, Any]:
        """The options that change pixels (the rest, such as device or batch_size, only change speed); all of them
        are checked here, so a wrong one stops the build before anything runs."""
        options.read(model.options, model.model, "draft", "<stage>")
        return options.key_options(model.options)

    def refusal(self, model: ModelRef, task: Task, root: Path) -> str | None:
        """An ``instruct`` edit on a model that cannot edit by instruction, or a controlled refine or edit on a model
        whose ControlNets only make images from text, told when the build is planned."""
        from . import control
        from .instruct import refusal

        return refusal(model, task, root) or control.refusal(model, task, root)

    def side_models(self, model: ModelRef) -> dict[str, str]:
        """The stage's ControlNet identity (``controlnet``: hub id + revision, or the folder's configs and weights)."""
        from . import control

        return control.side_models(model)

    def side_models_of(self, model: ModelRef, task: Task) -> tuple[str, ...]:
        """``("controlnet",)`` for a task with control (only its key takes the ControlNet's identity); a task with
        control on a stage without a ControlNet stops the plan, naming the stage and the option."""
        from . import control

        return control.side_models_of(model, task)

    def load(self, model: ModelRef) -> Handle:
        """Check the options now; the weights load at the first ``run`` (errors then name the stage), reported then
        with a ``model-load`` event."""
        options.read(model.options, model.model, "draft", "<stage>")
        return Handle(model)

    def release(self, handle: Handle) -> None:
        """The handle is done; its pipeline stays cached until another model needs the memory."""
        if handle.key is not None:
            self.cache.release(handle.key, id(handle), self.emit)

    def run(self, handle: Handle, requests: Sequence[Request]) -> list[Output | BaseException]:
        """One Output or exception per request, in order; requests that can share a pipeline call do."""
        from . import control, jobs as joblib
        from .adapters import activate
        from .batching import run_groups
        from .instruct import is_instruct
        from .loading import is_omni, is_zimage
        from .vaetiling import set_tiling, untiled_after

        first = requests[0]
        stage, kind = first.task.stage, first.task.kind
        if kind == "train":
            return self._trainings(requests)
        try:
            entry = self._entry(handle, stage, first.root)
            class_name = type(entry.pipe).__name__
            settings = options.read(handle.model.options, handle.model.model, kind, stage, zimage=is_zimage(class_name))
            controlnet = control.net(handle.model, first.root)  # the stage's ControlNet, resolved once a batch
        except Exception as exc:
            return [exc] * len(requests)
        step, omni = multiple(entry.pipe), is_omni(class_name)
        if kind == "upscale":
            return self._upscales(handle, entry, stage, settings, requests, step)
        results: list = [None] * len(requests)
        planned = []
        for i, request in enumerate(requests):
            try:
                job = joblib.plan(request, settings, rounded(request.params["size"], step), omni,
                                  class_name if is_instruct(class_name) else None)
                job = control.attach(job, request, controlnet)
                planned.append((i, with_adapters(job, request)))
            except Exception as exc:
                results[i] = exc
        extra, encodings = self._call_extras(handle, entry, settings, first.root)
        jobs = [job for _, job in planned]

        def output(j: int, image) -> Output:
            return self._output(handle, jobs[j], stage, type(entry.variants.get(jobs[j].pipeline, entry.pipe)), image)

        finishing = Finishing(output, background=entry.device != "cpu")  # overlaps calls on an accelerator

        def prepare(pipe, job) -> None:  # a call group's LoRA adapters, and VAE tiling for its large images
            activate(pipe, job.adapters, first.root, handle.model.model)
            set_tiling(pipe, max(job.gen_size), settings.vae_tiling_above)

        with untiled_after(entry.pipe):
            run_groups(jobs, lambda job: self._pipeline(handle, entry, job, stage, controlnet),
                       settings.batch_size, handle.limits, extra, settings.exact_batches, encodings, prepare,
                       finishing.start)
        for j, (i, _) in enumerate(planned):
            results[i] = finishing.result(j)
        return results

    def _trainings(self, requests: Sequence[Request]) -> list[Output | BaseException]:
        """Train tasks, one after another (each loads its own copy of the base model, after the cache made room)."""
        from .training.run import train

        results: list[Output | BaseException] = []
        for request in requests:
            try:
                results.append(train(request, self.emit, self.cache))
            except Exception as exc:
                results.append(exc)
        return results

    def _call_extras(self, handle: Handle, entry: Entry, settings, root: Path) -> tuple[dict[str, Any], Any]:
        """What every pipeline call of a batch adds to its jobs' own arguments, and the prompt encodings."""
        from .encodings import PromptEncodings
        from .instruct import extra_args
        from .loading import is_zimage

        extra = {"max_sequence_length": settings.max_sequence_length} if settings.max_sequence_length else {}
        if is_zimage(type(entry.pipe).__name__):
            extra["cfg_normalization"] = settings.cfg_normalization
        extra |= extra_args(type(entry.pipe).__name__, settings)
        encodings = PromptEncodings(handle.weights, root, settings.max_sequence_length, self.version,
                                    entry.device, entry.dtype)
        return extra, encodings

    def _upscales(self, handle: Handle, entry: Entry, stage: str, settings, requests: Sequence[Request],
                  step: int) -> list[Output | BaseException]:
        """Upscale requests one after another, each image's tiles in batched img2img calls."""
        from .adapters import activate
        from .batching import run_groups
        from .loading import variant
        from .upscale import tile_calls, upscale

        root = requests[0].root
        extra, encodings = self._call_extras(handle, entry, settings, root)
        pipe = self.cache.variant(entry, "image2image", lambda p: variant(p, "image2image", stage))

        def runner(request: Request) -> Callable[[list], list]:
            def run(jobs):
                with tile_calls(pipe, settings, max(jobs[0].gen_size)) as one_per_call:
                    return run_groups([with_adapters(job, request) for job in jobs], lambda job: pipe,
                                      settings.batch_size, handle.limits, extra, one_per_call, encodings,
                                      lambda p, job: activate(p, job.adapters, root, handle.model.model))
            return run

        results: list[Output | BaseException] = []
        for request in requests:
            try:
                made = upscale(request, settings, step, entry.device, runner(request))
                job = replace(made.jobs[0], size=made.image.size, gen_size=made.image.size, image=None,
                              meta=made.meta) if made.jobs else _plain_job(request, made)
                results.append(self._output(handle, job, stage, type(pipe), made.image))
            except Exception as exc:
                results.append(exc)
        return results

    def _pipeline(self, handle: Handle, entry: Entry, job, stage: str, found) -> Any:
        """The loaded model's pipeline for a job: its mode's (from_pipe), with the stage's ControlNet (``found``, a
        control.Net: loaded once per loaded model and identity; one its folder held before is released first) when
        the job has control."""
        from . import control
        from .loading import variant

        if job.control is None:
            return self.cache.variant(entry, job.pipeline, lambda p: variant(p, job.mode, stage))
        attention = handle.model.options.get("attention")
        self.cache.discard(entry, found.replaces)
        model = self.cache.variant(entry, found.key,
                                   lambda p: control.load_model(found.source, p, stage, attention),
                                   models.weight_bytes(found.source), self.emit)
        return self.cache.variant(entry, job.pipeline, lambda p: control.pipeline(p, model, job.mode, stage))

    def _output(self, handle: Handle, job, stage: str, cls: type, image) -> Output:
        """The task's PNG (with its provenance chunk) and meta; unset steps/guidance are the pipeline's defaults."""
        from . import jobs as joblib
        from .batching import parameters
        from .metadata import png_bytes, provenance

        defaults = parameters(cls)
        meta = provenance(
            job, model=handle.model.model, revision=handle.revision, stage=stage, pipeline=cls.__name__,
            steps=job.steps if job.steps is not None else defaults.get("num_inference_steps"),
            guidance=job.guidance if job.guidance is not None else defaults.get("guidance_scale"),
        )
        return Output(files={"image.png": png_bytes(joblib.finish(job, image), meta)}, meta=meta)

    def _entry(self, handle: Handle, stage: str, root: Path) -> Entry:
        """The loaded pipeline of a handle, from the cache (loaded once per model, dtype and device)."""
        try:
            for package in ("torch", "diffusers"):
                importlib.import_module(package)
        except ImportError as exc:
            raise PluginError(f"the zimage backend needs torch and diffusers ({exc}): pip install 'zflow[zimage]'"
                              ) from exc
        from . import device, loading

        held = self.cache.hold(handle.key, id(handle)) if handle.key is not None else None
        if held is not None:
            return held
        model = handle.model
        settings = options.read(model.options, model.model, "draft", stage)
        source = models.resolve(model.model, model.revision, stage, root)
        where, dtype = device.choose(settings, stage)
        key = (source.label, settings.pipeline, where, dtype, settings.cpu_offload, settings.attention,
               settings.compile)

        def loader() -> tuple[Any, list[str]]:
            pipe = loading.load(source, settings.pipeline, device.torch_dtype(dtype), stage)
            return pipe, device.place(pipe, settings, where)

        entry = self.cache.get(key, id(handle), where,
                               Loading(loader, lambda: models.weight_bytes(source), model.model, dtype), self.emit)
        if handle.key != key:
            handle.key, handle.revision = key, models.revision_of(source)
            handle.weights = f"{source.hub_id or 'folder'}@{handle.revision}"
        return entry


def _plain_job(request: Request, made) -> Any:
    """The provenance of an upscale without re-denoising (strength 0)."""
    from .jobs import Job

    p = request.params
    return Job("upscale", size=made.image.size, gen_size=made.image.size, prompt=str(p.get("prompt") or ""),
               negative=str(p.get("negative") or ""), seed=int(p.get("seed", 0)), steps=None, guidance=None,
               strength=0.0, meta=made.meta)


def with_adapters(job, request: Request):
    """The job with its task's LoRA adapters (recorded in its meta, so the image's provenance names them)."""
    adapters = adapters_of(request.params, request.inputs)
    if not adapters:
        return job
    used = [{"lora": a.label, "weight": a.weight, **({"hub": a.hub, "revision": a.revision} if a.hub else {})}
            for a in adapters]
    return replace(job, adapters=adapters, meta={**job.meta, "adapters": used})


def multiple(pipe) -> int:
    """What image sides must be multiples of: the VAE factor (x2 for packed latents) x the transformer's patch, and
    never under 8 (Stable Diffusion pipelines check for 8 whatever their VAE)."""
    processor = getattr(pipe, "image_processor", None)
    factor = processor.config.vae_scale_factor if processor is not None else getattr(pipe, "vae_scale_factor", 8)
    return max(8, int(factor) * int(getattr(pipe, "patch_size", 1) or 1))


def rounded(size: Sequence[int], step: int) -> tuple[int, int]:
    """``size`` with each side rounded to the nearest multiple of ``step`` (at least one step)."""
    return tuple(max(step, int(side / step + 0.5) * step) for side in size)
