"""Provenance of a made image: the meta dict for the store, and the PNG with an A1111-style ``parameters`` chunk."""
from __future__ import annotations

import io
import json
from typing import Any

from PIL import Image

from zflow.contracts.provenance import png_info


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


def png_bytes(image: Image.Image, meta: dict[str, Any]) -> bytes:
    """The image as PNG with the XMP and ``parameters`` chunks and the full meta as JSON (``zflow`` chunk); zlib
    level 1: 3x faster than the default for ~15 % more bytes (encoding 1024 px at level 6 costs a good part of a GPU
    image)."""
    info = png_info(meta)
    info.add_text("zflow", json.dumps(meta, sort_keys=True, ensure_ascii=False))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info, compress_level=1)
    return buffer.getvalue()
