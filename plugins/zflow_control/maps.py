"""One control map: taken from a picked layout, or preprocessed from an image; fitted to the conditioned task's size
(centre-cropped when the aspect differs) and packed as an RGB PNG with its provenance."""
from __future__ import annotations

import io
from typing import Any

from PIL import Image, ImageOps

from zflow.contracts import Output, Request


def control_map(detectors: Any, request: Request) -> Output:
    """The control map ``request`` asks for (``params``: type, size, from, file)."""
    p = request.params
    kind, size, source = p["type"], (int(p["size"][0]), int(p["size"][1])), p["from"]
    if source == "layout":
        layout = request.inputs_of("layout")[0]
        name = f"{kind}.png"
        if name not in layout.files:
            raise ValueError(f"layout {layout.task_id} has no {kind} map (it has {', '.join(sorted(layout.files))})")
        with Image.open(layout.files[name]) as opened:
            image, found = opened.convert("RGB"), opened.size
        mapped = _fitted(image, size)
    else:
        path = request.images[0].main if source.startswith("@") else request.root / p["file"]
        with Image.open(path) as opened:
            found = opened.size
            image = _fitted(ImageOps.exif_transpose(opened).convert("RGB"), size)
        mapped = detectors.detect(kind, image, request.root)
        if mapped.size != size:
            mapped = mapped.resize(size, Image.Resampling.BILINEAR)
    meta: dict[str, Any] = {"role": "control", "control": kind, "source": "layout" if source == "layout" else
                            source if source.startswith("@") else p["file"], "size": list(size), "stage": "control",
                            "backend": "control", "model": detectors.model_of(kind) if source != "layout" else
                            "layout"}
    if tuple(found) != size:
        meta["resized_from"] = list(found)
        meta["cropped"] = found[0] * size[1] != found[1] * size[0]
    buffer = io.BytesIO()
    mapped.convert("RGB").save(buffer, "PNG", compress_level=3)
    return Output(files={"image.png": buffer.getvalue()}, meta=meta)


def _fitted(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``image`` at ``size``: scaled to cover it and centre-cropped (no stretching of what the map shows)."""
    if image.size == size:
        return image
    return ImageOps.fit(image, size, method=Image.Resampling.LANCZOS)
