"""One train task on the zimage backend: load the base model afresh (the cached inference pipelines stay
untouched), encode the dataset once, merge any training adapter, train the LoRA from the last checkpoint of this
task's key, and return the LoRA (diffusers' format) with its loss curve."""
from __future__ import annotations

import contextlib
import tempfile
import time
from pathlib import Path
from typing import Any

from zflow.contracts import Output, Request, adapters_of
from zflow.contracts.adapters import LORA_FILE
from zflow.errors import PluginError
from zflow.events import Emit, ModelLoad, ModelRelease

from .. import device as devices
from .. import models, options
from ..cache import PipelineCache, weights_memory
from ..loading import is_zimage, load, quiet
from .data import describe, examples
from .encoded import encoded
from .loop import ADAPTER, Plan, Trainer
from .report import Reporter, loss_curve
from .state import load_file, remove, save_file

CHECKPOINT = "checkpoint.pt"


def train(request: Request, emit: Emit, cache: PipelineCache) -> Output:
    """Train the LoRA ``request`` asks for (first evicting the ``cache``'s pipelines that leave too little room on
    the device); resumes from its key's checkpoint when a killed build left one."""
    import torch

    model, stage = request.model, request.params["base"]
    settings = options.read(model.options, model.model, "train", stage)
    source = models.resolve(model.model, model.revision, stage, request.root)
    where, dtype = devices.choose(settings, stage)
    folder = request.work
    cache.make_room(where, models.weight_bytes(source), emit)
    started = time.perf_counter()
    pipe = load(source, settings.pipeline, devices.torch_dtype(dtype), stage)
    if not is_zimage(type(pipe).__name__) or not hasattr(pipe, "transformer"):
        raise PluginError(f"stages.{stage}.model: training needs a Z-Image model; {model.model} loads as "
                          f"{type(pipe).__name__}")
    pipe.to(where)
    memory = weights_memory(pipe)
    emit(ModelLoad(event="model-load", backend="zimage", model=model.model, dtype=dtype, device=where,
                   seconds=round(time.perf_counter() - started, 4), memory=memory))
    step = 2 * pipe.vae_scale_factor
    items = examples(request, step)
    latents, embeds = encoded(pipe, items, folder, where, settings.max_sequence_length)
    _merge(pipe, adapters_of({"adapters": request.params.get("training_adapters") or []}), request.root, model.model)
    transformer = pipe.transformer
    del pipe  # the VAE and text encoder are done with
    devices.free_memory()
    if where == "cuda":
        transformer.enable_gradient_checkpointing()
    plan = Plan.of(request.params["settings"])
    trainer = Trainer(transformer, latents, embeds, plan, where, autocast(where, dtype))
    saved = load_file(folder / CHECKPOINT)
    if saved is not None:
        trainer.restore(saved)
    resumed = trainer.progress.step
    reporter = Reporter(emit, request.task.id, plan.steps)
    trainer.run(lambda state: save_file(folder / CHECKPOINT, state),
                lambda p, rate, saved: reporter.step(p.step, p.losses[-1], rate, saved, p.step == resumed + 1))
    lora = lora_bytes(trainer, plan)
    losses = trainer.progress.losses
    meta = {"role": "lora", "backend": "zimage", "model": model.model, "stage": "train", "base": stage,
            "character": request.params["name"], "trigger": request.params["trigger"], "steps": plan.steps,
            "resumed_from": resumed, "steps_run": plan.steps - resumed, "loss": losses[-1] if losses else None,
            "images": describe(items), "settings": request.params["settings"], "device": where, "dtype": dtype,
            "seconds": round(time.perf_counter() - started, 3), "torch": torch.__version__}
    output = Output(files={LORA_FILE: lora, "loss.png": loss_curve(losses)}, meta=meta)
    del trainer, transformer
    devices.free_memory()
    emit(ModelRelease(event="model-release", backend="zimage", model=model.model, device=where, memory=memory,
                      reason="trained"))
    remove(folder)
    return output


def _merge(pipe: Any, adapters: tuple, root: Path, model: str) -> None:
    """Merge the training adapters (a de-distilling LoRA for Turbo) into the weights being trained on."""
    if not adapters:
        return
    from ..adapters import activate

    activate(pipe, adapters, root, model)
    pipe.fuse_lora(components=["transformer"], lora_scale=1.0)
    pipe.unload_lora_weights()


def autocast(where: str, dtype: str):
    """bf16 autocast on CUDA; nothing elsewhere (the CPU trains in float32)."""
    import torch

    if where == "cuda" and dtype == "bfloat16":
        return lambda: torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext


def lora_bytes(trainer: Trainer, plan: Plan) -> bytes:
    """The LoRA as diffusers saves it (``transformer.``-prefixed keys, its rank and alpha in the metadata)."""
    from diffusers import ZImagePipeline

    config = trainer.transformer.peft_config[ADAPTER].to_dict()
    with tempfile.TemporaryDirectory(prefix="zflow-lora-") as folder, quiet():
        ZImagePipeline.save_lora_weights(folder, transformer_lora_layers=trainer.lora_state(),
                                         transformer_lora_adapter_metadata=_plain(config))
        return (Path(folder) / "pytorch_lora_weights.safetensors").read_bytes()


def _plain(config: dict[str, Any]) -> dict[str, Any]:
    """A LoraConfig's dict with sets made lists (its metadata is JSON)."""
    return {k: sorted(v) if isinstance(v, set) else v for k, v in config.items()}
