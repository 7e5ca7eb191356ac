"""Provenance of a made image: the meta dict for the store, and the PNG with an A1111-style ``parameters`` chunk."""
from __future__ import annotations

import io
import json
from typing import Any

from PIL import Image
from PIL.PngImagePlugin import PngInfo


def provenance(job, *, model: str, revision: str, stage: str, pipeline: str, steps, guidance) -> dict[str, Any]:
    """What every image records: where it came from and every setting that made it."""
    meta = {
        "backend": "zimage", "model": model, "revision": revision, "stage": stage, "pipeline": pipeline,
        "mode": job.mode, "prompt": job.prompt, "negative": job.negative, "seed": job.seed, "steps": steps,
        "guidance": guidance, "strength": job.strength, "size": list(job.size),
    }
    if job.gen_size != job.size:
        meta["rounded_from"] = list(job.size)
        meta["generated_size"] = list(job.gen_size)
    meta.update(job.meta)
    return meta


def parameters_text(meta: dict[str, Any]) -> str:
    """The ``parameters`` text A1111/Civitai/ComfyUI readers show: prompt, negative, then settings on one line."""
    fields = [("Steps", meta["steps"]), ("Sampler", meta["pipeline"]), ("CFG scale", meta["guidance"]),
              ("Seed", meta["seed"]), ("Size", "x".join(map(str, meta["size"]))), ("Model", meta["model"]),
              ("Model hash", meta["revision"]), ("Denoising strength", meta["strength"]),
              ("Stage", meta["stage"])]
    line = ", ".join(f"{k}: {v}" for k, v in fields if v is not None)
    return f"{meta['prompt']}\nNegative prompt: {meta['negative']}\n{line}"


def png_bytes(image: Image.Image, meta: dict[str, Any]) -> bytes:
    """The image as PNG with the ``parameters`` chunk and the full meta as JSON (``zflow`` chunk); zlib level 1:
    3x faster than the default for ~15 % more bytes (encoding 1024 px at level 6 costs a good part of a GPU image)."""
    info = PngInfo()
    info.add_text("parameters", parameters_text(meta))
    info.add_text("zflow", json.dumps(meta, sort_keys=True, ensure_ascii=False))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info, compress_level=1)
    return buffer.getvalue()
