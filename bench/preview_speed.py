"""Benchmark of the preview backend: milliseconds per image for each kind at thumbnail and demo sizes."""
from __future__ import annotations

import json
import platform
import tempfile
import time
from pathlib import Path

import PIL

from zflow.contracts import Artifact, ModelRef, Output, Request, Task
from zflow_preview import PreviewBackend

CAST = [{"name": "mina", "looks": "barista, short black bob, round glasses, green apron"},
        {"name": "joon", "looks": "long blonde hair, red jacket"}]
PROMPT = "mina and joon share a coffee on a rainy neon street at night, 35mm film"


def request(kind: str, params: dict, inputs: tuple[Artifact, ...] = (), root: Path = Path(".")) -> Request:
    return Request(Task(id=f"bench/{kind}", kind=kind, params=params), key="k", model=ModelRef("preview"),
                   inputs=inputs, root=root)


def timed(backend, handle: object, requests: list[Request], repeats: int = 3) -> tuple[float, list[Output]]:
    """Milliseconds per request of one batch, the best of ``repeats`` runs (the least disturbed by other work), and
    the last run's outputs."""
    best, results = float("inf"), []
    for _ in range(repeats):
        start = time.perf_counter()
        results = backend.run(handle, requests)
        best = min(best, time.perf_counter() - start)
        failed = [r for r in results if not isinstance(r, Output)]
        if failed:
            raise failed[0]
    return best * 1000 / len(requests), results


def main() -> None:
    backend = PreviewBackend()
    handle = backend.load(ModelRef("preview"))
    print(f"machine: {platform.processor() or platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, Pillow {PIL.__version__}")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for size, count in (([64, 64], 600), ([1024, 768], 12), ([1024, 1024], 12)):
            drafts = [request("draft", {"prompt": PROMPT, "negative": "", "size": size, "seed": i, "index": i,
                                        "cast": CAST, "title": "bench", "style": ""}) for i in range(count)]
            sheets = [request("sheet", {"name": "mina", "looks": CAST[0]["looks"], "style": "", "prompt": "",
                                        "negative": "", "size": size, "seed": i}) for i in range(count)]
            first = backend.run(handle, drafts[:1])[0]
            path = root / "draft.png"
            path.write_bytes(first.files["image.png"])
            source = (Artifact("bench/draft", "d", {"image.png": path}, first.meta),)
            modes = ["img2img", "txt2img"] * (count // 2)
            refine = [request("refine", {"prompt": PROMPT, "negative": "", "size": size, "seed": i, "strength": 0.5,
                                         "mode": mode}, source) for i, mode in enumerate(modes)]
            ops = [{"op": "inpaint", "region": "face", "prompt": "a smile", "strength": 1.0},
                   {"op": "background", "prompt": "a forest"},
                   {"op": "restyle", "prompt": "ink comic", "strength": 0.6}] * (count // 3)
            edits = [request("edit", {"negative": "", "seed": i, "size": size} | op, source, root)
                     for i, op in enumerate(ops)]
            wide = [request("edit", {"negative": "", "seed": i, "size": [size[0] * 16 // 9, size[1]], "op": "outpaint",
                                     "prompt": ""}, source, root) for i in range(count // 3)]
            figures = {name: timed(backend, handle, batch)[0] for name, batch in (
                ("draft", drafts), ("sheet", sheets), ("refine", refine), ("edit", edits), ("outpaint", wide))}
            print(f"{size[0]}x{size[1]}: " + ", ".join(f"{k} {v:.2f} ms" for k, v in figures.items()))
            results[f"{size[0]}x{size[1]}"] = {k: round(v, 3) for k, v in figures.items()}
    print(json.dumps({"bench": "preview_speed", "ms_per_image": results}))


if __name__ == "__main__":
    main()
