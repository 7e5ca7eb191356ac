"""Running the preview backend on one request and comparing the pictures it draws."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageStat

from zflow.contracts import Artifact, ModelRef, Output, Request, Task
from zflow_preview import PreviewBackend

MINA = {"name": "mina", "looks": "barista, short black bob, round glasses, green apron"}
JOON = {"name": "joon", "looks": "long blonde hair, red jacket"}

def draft_params(**changes: Any) -> dict[str, Any]:
    params = {"prompt": "mina and joon talk in a cozy cafe, warm tones", "negative": "", "size": [320, 240],
              "seed": 7, "index": 0, "cast": [MINA, JOON], "title": "Cafe Diaries", "style": "warm film"}
    return params | changes


def run(backend: PreviewBackend, handle: Any, kind: str, params: dict[str, Any], inputs: tuple[Artifact, ...] = (),
        root: Path = Path(".")) -> Output:
    task = Task(id=f"s/a/{kind}-1", kind=kind, params=params)
    [result] = backend.run(handle, [Request(task, key="k", model=ModelRef("preview"), inputs=inputs, root=root)])
    assert isinstance(result, Output), result
    return result


def pixels(output: Output) -> Image.Image:
    return Image.open(io.BytesIO(output.files["image.png"])).convert("RGB")


def stored(output: Output, tmp_path: Path, name: str = "input") -> Artifact:
    """The output as the engine hands it to the next task: a file in the store plus its meta."""
    path = tmp_path / f"{name}.png"
    path.write_bytes(output.files["image.png"])
    return Artifact(task_id=f"s/a/{name}", key=name, files={"image.png": path}, meta=output.meta)


def changed(a: Image.Image, b: Image.Image, box: tuple[int, int, int, int] | None = None) -> tuple | None:
    """The bounding box of the pixels that differ (within ``box`` if given), or None."""
    if box:
        a, b = a.crop(box), b.crop(box)
    return ImageChops.difference(a, b).getbbox()


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


ADAPTER_TAG = (30, 30, 60)  # the fill of the tag the preview draws on frames made with a LoRA adapter


def adapter_tagged(project: Any, rel: str) -> bool:
    """Whether the built image ``out/<rel>`` shows the preview's adapter tag (in its upper right part)."""
    with Image.open(project.root / "out" / rel) as image:
        w, h = image.size
        return ADAPTER_TAG in set(image.convert("RGB").crop((w // 3, 0, w, h // 2)).getdata())
