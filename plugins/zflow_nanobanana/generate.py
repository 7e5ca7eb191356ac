"""One Gemini request end to end: the contents sent, the call, and the reply fitted to the scene's exact size."""
from __future__ import annotations

import io
from typing import Any, Mapping

from PIL import Image

from zflow.contracts import Output, Request

from . import contents, sizing
from .service import Service

#: PNG compression of the stored result.
_PNG_LEVEL = 6


def guarded(service: Service, request: Request) -> Output | BaseException:
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
    if request.images and kind in ("refine", "edit", "upscale"):
        scene = {k: request.images[0].meta[k] for k in ("cast", "title", "style", "index")
                 if k in request.images[0].meta} | scene
    return Output(files={"image.png": buffer.getvalue()}, meta=meta | scene | ({"op": p["op"]} if "op" in p else {}))


def _size(params: Mapping[str, Any]) -> tuple[int, int]:
    width, height = params["size"]
    return int(width), int(height)
