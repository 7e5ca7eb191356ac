"""A train task's examples: each training image (a project file, or a sheet task's artifact) at the training
resolution, with its caption."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps

from zflow.contracts import Request
from zflow.errors import TaskError


@dataclass(frozen=True, slots=True)
class Example:
    """One training image, resized and cropped to its bucket, and its caption."""

    image: Image.Image
    caption: str
    source: str


def examples(request: Request, multiple: int) -> list[Example]:
    """Every image the task names, each fitted to about ``resolution``² pixels at its own aspect (sides multiples of
    ``multiple``)."""
    params = request.params
    resolution = int(params["settings"]["resolution"])
    made = {artifact.task_id: artifact for artifact in request.inputs}
    out = []
    for item in params["images"]:
        if "task" in item:
            artifact = made.get(item["task"])
            if artifact is None:
                raise TaskError(request.task.id, f"training image {item['task']} is not among the task's inputs")
            path, source = artifact.main, item["task"]
        else:
            path, source = request.root / item["file"], item["file"]
        try:
            with Image.open(path) as opened:
                image = ImageOps.exif_transpose(opened).convert("RGB")
        except OSError as exc:
            raise TaskError(request.task.id, f"training image {source} cannot be read: {exc}") from None
        size = bucket(image.size, resolution, multiple)
        out.append(Example(ImageOps.fit(image, size, Image.Resampling.LANCZOS), str(item["caption"]), source))
    return out


def bucket(size: tuple[int, int], resolution: int, multiple: int, max_aspect: float = 2.0) -> tuple[int, int]:
    """A training size of about ``resolution``² pixels with the image's aspect (at most ``max_aspect``), each side
    a multiple of ``multiple``."""
    width, height = size
    aspect = min(max(width / height, 1 / max_aspect), max_aspect)
    side = resolution / multiple
    w = max(1, round(side * math.sqrt(aspect)))
    h = max(1, round(side / math.sqrt(aspect)))
    return w * multiple, h * multiple


def describe(items: list[Example]) -> list[dict[str, Any]]:
    """What the artifact's meta says of its dataset."""
    return [{"source": e.source, "caption": e.caption, "size": list(e.image.size)} for e in items]
