"""The nanobanana backend: sheet, draft, refine and edit tasks served by a Gemini image model over its API."""
from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Mapping, Sequence

from PIL import Image

from zflow.contracts import ModelRef, Output, Request
from zflow.graph.task import Task

from . import contents, pricing, settings, sizing
from .models import model_id, spec_for
from .service import Service

#: PNG compression of the stored result.
_PNG_LEVEL = 6


class NanoBananaBackend:
    """Google's Gemini image models ("Nano Banana"): text-to-image, image-to-image refine, edits by instruction, and
    the cast's character sheets sent as reference images. Results are not bit-for-bit reproducible."""

    name = "nanobanana"
    version = "1"
    kinds = frozenset({"sheet", "draft", "refine", "edit"})

    def identity(self, model: ModelRef) -> str:
        settings.read(model.options)
        return f"gemini:{model_id(model)}"

    def key_options(self, model: ModelRef) -> dict[str, Any]:
        """The options that change what is asked of the model (endpoint, limits and retries do not)."""
        return {k: v for k, v in model.options.items() if k in settings.REQUEST_OPTIONS}

    def load(self, model: ModelRef) -> Service:
        read = settings.read(model.options)
        name = model_id(model)
        return Service(name, spec_for(name, read.image_sizes, read.aspect_ratios, read.max_images), read)

    def run(self, handle: Service, requests: Sequence[Request]) -> list[Output | BaseException]:
        workers = max(1, min(len(requests), handle.settings.concurrency))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="nanobanana") as pool:
            return list(pool.map(lambda request: _guarded(handle, request), requests))

    def release(self, handle: Service) -> None:
        handle.close()

    def estimate_cost(self, model: ModelRef, tasks: Sequence[Task], prices: Mapping[str, Any]) -> float | None:
        """Dollars the tasks would cost on ``model`` at ``prices`` (zflow.toml ``[prices]``); None when unpriced."""
        read = settings.read(model.options)
        name = model_id(model)
        spec = spec_for(name, read.image_sizes, read.aspect_ratios, read.max_images)
        total = 0.0
        for task in tasks:
            each = pricing.price(prices, name, sizing.choose(_size(task.params), spec).image_size)
            if each is None:
                return None
            total += each
        return total


def _guarded(service: Service, request: Request) -> Output | BaseException:
    """One request's Output, or its error: one failed task must not sink its batch."""
    try:
        return _one(service, request)
    except Exception as error:
        return error


def _one(service: Service, request: Request) -> Output:
    p, kind = request.params, request.task.kind
    size = _size(p)
    ask = contents.build(request, service.model, service.spec.max_images)
    mapping = sizing.choose(size, service.spec)
    seed = int(p["seed"]) & 0x7FFFFFFF if p.get("seed") is not None else None
    reply = service.generate(request.task.id, ask, mapping, seed)
    with Image.open(io.BytesIO(reply.data)) as answer:
        received = list(answer.size)
        image = sizing.fit(answer, size)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=_PNG_LEVEL)
    meta = {
        "backend": "nanobanana", "model": service.model, "revision": None, "model_version": reply.model_version,
        "response_id": reply.response_id, "stage": kind, "prompt": p.get("prompt", ""),
        "negative": p.get("negative", ""), "seed": p.get("seed"), "size": list(size),
        "size_mapping": {"aspect_ratio": mapping.aspect_ratio, "image_size": mapping.image_size,
                         "received": received, "fitted": list(size)},
        "references": [picture.role for picture in ask.pictures], "attempts": reply.attempts, "usage": reply.usage,
        "watermark": "SynthID",
    }
    if "strength" in p:
        meta["strength"] = p["strength"]
    scene = {k: p[k] for k in ("cast", "title", "style", "index") if k in p}
    if request.inputs and kind in ("refine", "edit"):
        scene = {k: request.inputs[0].meta[k] for k in ("cast", "title", "style", "index")
                 if k in request.inputs[0].meta} | scene
    return Output(files={"image.png": buffer.getvalue()}, meta=meta | scene | ({"op": p["op"]} if "op" in p else {}))


def _size(params: Mapping[str, Any]) -> tuple[int, int]:
    width, height = params["size"]
    return int(width), int(height)
