"""The nanobanana backend: sheet, draft, refine and edit tasks served by a Gemini image model over its API."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from zflow.contracts import ModelRef, Output, Request, Task

from . import pricing, settings, sizing
from .models import model_id, spec_for

if TYPE_CHECKING:
    from .service import Service


class NanoBananaBackend:
    """Google's Gemini image models ("Nano Banana"): text-to-image, image-to-image refine, edits by instruction, and
    the cast's character sheets sent as reference images. Results are not bit-for-bit reproducible."""

    name = "nanobanana"
    version = "1"
    kinds = frozenset({"sheet", "draft", "refine", "edit", "upscale"})

    def identity(self, model: ModelRef) -> str:
        settings.read(model.options)
        return f"gemini:{model_id(model)}"

    def key_options(self, model: ModelRef) -> dict[str, Any]:
        """The options that change what is asked of the model (endpoint, limits and retries do not)."""
        return {k: v for k, v in model.options.items() if k in settings.REQUEST_OPTIONS}

    def load(self, model: ModelRef) -> Service:
        from .service import Service

        read = settings.read(model.options)
        name = model_id(model)
        return Service(name, spec_for(name, read.image_sizes, read.aspect_ratios, read.max_images), read)

    def run(self, handle: Service, requests: Sequence[Request]) -> list[Output | BaseException]:
        from .generate import guarded

        workers = max(1, min(len(requests), handle.settings.concurrency))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="nanobanana") as pool:
            return list(pool.map(lambda request: guarded(handle, request), requests))

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


def _size(params: Mapping[str, Any]) -> tuple[int, int]:
    width, height = params["size"]
    return int(width), int(height)
