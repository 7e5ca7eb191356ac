"""Batched pipeline calls: one call per group of jobs, a generator per image, smaller retries on out-of-memory."""
from __future__ import annotations

import inspect
import logging
from typing import Any, Callable, Sequence

from zflow.errors import ZflowError

from . import instruct
from .checks import to_image
from .control import call_args as control_args
from .device import free_memory, is_oom
from .encodings import PromptEncodings, serves
from .jobs import Job

log = logging.getLogger(__name__)

#: Call arguments a pipeline may lack (left out then); any other argument it lacks is an error.
OPTIONAL_ARGS = ("height", "width", "negative_prompt", "cfg_normalization", "max_sequence_length", "vae_image_pixels",
                 "_auto_resize")


class OutOfMemory(ZflowError):
    """A task did not fit in memory even alone."""


def invoke(pipe, kwargs: dict[str, Any]):
    """The one place a pipeline is called (tests wrap it to simulate out-of-memory)."""
    return pipe(**kwargs).images


def run_groups(jobs: Sequence[Job], pipe_for: Callable[[Job], Any], batch_size: int, limits: dict,
               extra: dict[str, Any], exact: bool = True, encodings: PromptEncodings | None = None,
               prepare: Callable[[Any, Job], None] | None = None,
               finished: Callable[[int, Any], None] | None = None) -> list:
    """Run every job; returns an RGB image or an exception per job, in order. With ``exact`` (the default) each job
    is its own pipeline call: an image then never depends on what else was asked for (a longer caption in the same
    call pads this one's caption features, a larger batch changes the kernels' blocking), so local, Ray, full and
    partial builds give the same bytes, and no call pays for padding slots. Without it, jobs with one ``batch_key``
    share calls of up to ``batch_size`` (or the smaller size an out-of-memory error taught, kept in ``limits``).
    Pipelines that take them get their prompts as ``encodings`` (each prompt encoded once). ``pipe_for(job)`` is the
    pipeline of a group's jobs. ``prepare(pipe, job)`` readies the pipeline for a group's calls (its LoRA adapters:
    groups differ in them, calls never mix two sets). ``finished(index, image_or_exception)`` hears of each job as
    soon as its call returns."""
    groups: dict[tuple, list[int]] = {}
    for index, job in enumerate(jobs):
        groups.setdefault(job.batch_key(index), []).append(index)
    results: list = [None] * len(jobs)
    for key, members in groups.items():
        try:
            pipe = pipe_for(jobs[members[0]])
            if prepare is not None:
                prepare(pipe, jobs[members[0]])
        except Exception as exc:  # a model or adapter that cannot load fails its tasks, not the build
            for i in members:
                results[i] = exc
                if finished is not None:
                    finished(i, exc)
            continue
        start = 0
        while start < len(members):  # each call as large as the last out-of-memory error allows
            size = 1 if exact else min(batch_size, limits.get(key[:2], batch_size))
            chunk = members[start:start + size]
            call = [jobs[i] for i in chunk]
            for i, made in zip(chunk, _fallback(pipe, call, limits, key[:2], extra, encodings)):
                results[i] = made
                if finished is not None:
                    finished(i, made)
            start += size
    return results


def _fallback(pipe, jobs: list[Job], limits: dict, limit_key: tuple, extra: dict,
              encodings: PromptEncodings | None) -> list:
    """Call with all jobs; on out-of-memory retry with halves, down to one at a time, then fail that job only."""
    try:
        arrays = invoke(pipe, call_args(pipe, jobs, extra, encodings))
    except Exception as exc:
        if not is_oom(exc):
            return [exc] * len(jobs)
        free_memory()
        if len(jobs) == 1:
            w, h = jobs[0].gen_size
            return [OutOfMemory(f"out of memory at {w}x{h} even alone: lower the size, or set cpu_offload = true "
                                f"on this stage ({exc})")]
        half = (len(jobs) + 1) // 2
        limits[limit_key] = half
        log.warning("zimage: out of memory on a batch of %d; retrying with %d", len(jobs), half)
        return (_fallback(pipe, jobs[:half], limits, limit_key, extra, encodings)
                + _fallback(pipe, jobs[half:], limits, limit_key, extra, encodings))
    out = []
    for array in arrays:
        try:
            out.append(to_image(array))
        except ValueError as exc:
            out.append(exc)
    return out


def call_args(pipe, jobs: list[Job], extra: dict[str, Any], encodings: PromptEncodings | None = None
              ) -> dict[str, Any]:
    """Keyword arguments of one pipeline call: the prompts' encodings where the pipeline takes them, else fresh
    prompt lists (the pipeline writes into them) with a negative per prompt; a CPU generator per image (the same
    noise on any device), images already at the generation size."""
    import torch

    first = jobs[0]
    width, height = first.gen_size
    args: dict[str, Any] = {
        "generator": [torch.Generator("cpu").manual_seed(j.seed) for j in jobs],
        "height": height, "width": width, "output_type": "np",
    }
    if encodings is not None and serves(pipe):
        args["prompt_embeds"] = encodings.embeds(pipe, [j.prompt for j in jobs])
        if first.guidance is None or first.guidance > 0:  # guidance on: the negatives are used
            args["negative_prompt_embeds"] = encodings.embeds(pipe, [j.negative for j in jobs])
    else:
        args["prompt"] = [j.prompt for j in jobs]
        args["negative_prompt"] = [j.negative for j in jobs]
    if first.steps is not None:
        args["num_inference_steps"] = first.steps
    if first.guidance is not None:
        args["guidance_scale"] = first.guidance
    if first.mode in ("image2image", "inpaint"):
        args["image"] = [j.image for j in jobs]
        args["strength"] = first.strength
    if first.mode == "inpaint":
        args["mask_image"] = [j.mask for j in jobs]
    if first.mode == "omni":
        args["image"] = list(first.references) or None
    if first.mode == "instruct":
        args.update(instruct.call_args(pipe, first))
    args.update(extra)
    accepted = parameters(type(pipe))
    if first.control is not None:
        args = control_args(type(pipe), jobs, args, accepted)
    return {k: v for k, v in args.items() if k in accepted or k not in OPTIONAL_ARGS}


_SIGNATURES: dict[type, dict[str, Any]] = {}


def parameters(cls: type) -> dict[str, Any]:
    """A pipeline class's call arguments and their defaults (what an unset ``steps`` or ``guidance`` means)."""
    if cls not in _SIGNATURES:
        _SIGNATURES[cls] = {name: p.default for name, p in inspect.signature(cls.__call__).parameters.items()}
    return _SIGNATURES[cls]
