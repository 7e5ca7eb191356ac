"""Benchmark of the storyboard stages on CPU: milliseconds per layout (frame plus pose, depth and edge maps), per
draft that follows a layout and shows its control map (against a plain draft), and per control map (a layout's
map, and Canny from a 512x512 photograph fitted to the scene's size). Ends with one JSON line.

Usage: python bench/layout_control.py [--repeats 3]
"""
from __future__ import annotations

import argparse
import json
import platform
import tempfile
from pathlib import Path

import PIL
from PIL import Image
from skimage import data

from zflow.contracts import Artifact, ModelRef, Output, Request, Task
from zflow_control import ControlBackend
from zflow_preview import PreviewBackend

from preview_speed import timed

CAST = [{"name": "mina", "looks": "barista, short black bob, round glasses, green apron"},
        {"name": "joon", "looks": "long blonde hair, red jacket"}]
PROMPT = "mina and joon share a coffee on a rainy neon street at night, 35mm film"


def request(kind: str, params: dict, inputs: tuple[Artifact, ...] = (), root: Path = Path(".")) -> Request:
    return Request(Task(id=f"bench/{kind}", kind=kind, params=params), key="k", model=ModelRef(kind),
                   inputs=inputs, root=root)


def stored(output: Output, folder: Path, name: str, meta_role: str | None = None) -> Artifact:
    """An output written to ``folder`` as a build's artifact would be."""
    files = {}
    for file, data_ in output.files.items():
        path = folder / f"{name}-{file}"
        path.write_bytes(data_)
        files[file] = path
    return Artifact(f"bench/{name}", name, files, output.meta)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    preview, control = PreviewBackend(), ControlBackend()
    fonts, detectors = preview.load(ModelRef("preview")), control.load(ModelRef("control"))
    print(f"machine: {platform.processor() or platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, Pillow {PIL.__version__}")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        Image.fromarray(data.astronaut()).save(root / "photo.png")
        for size, count in (([256, 192], 24), ([1024, 768], 6), ([1024, 1024], 6)):
            scene = {"prompt": PROMPT, "negative": "", "size": size, "cast": CAST, "title": "bench", "style": ""}
            layouts = [request("layout", scene | {"seed": i, "index": i + 1}) for i in range(count)]
            ms_layout, made = timed(preview, fonts, layouts, args.repeats)
            layout = stored(made[0], root, "layout")
            from_layout = [request("control", {"type": "pose", "size": size, "from": "layout"}, (layout,), root)
                           for _ in range(count)]
            ms_map, maps = timed(control, detectors, from_layout, args.repeats)
            canny = [request("control", {"type": "canny", "size": size, "from": "file", "file": "photo.png"},
                             root=root) for _ in range(count)]
            ms_canny, _ = timed(control, detectors, canny, args.repeats)
            pose = stored(maps[0], root, "pose")
            plain = [request("draft", scene | {"seed": i, "index": 1}) for i in range(count)]
            followed = [request("draft", scene | {"seed": i, "index": 1, "control": {"type": "pose", "scale": 0.8}},
                                (layout, pose)) for i in range(count)]
            ms_plain, _ = timed(preview, fonts, plain, args.repeats)
            ms_followed, _ = timed(preview, fonts, followed, args.repeats)
            figures = {"layout": ms_layout, "pose map from the layout": ms_map, "canny map from a photo": ms_canny,
                       "draft": ms_plain, "draft following a layout and its pose map": ms_followed}
            print(f"{size[0]}x{size[1]}: " + ", ".join(f"{k} {v:.1f} ms" for k, v in figures.items()))
            results[f"{size[0]}x{size[1]}"] = {k: round(v, 2) for k, v in figures.items()}
    print(json.dumps({"bench": "layout_control", "ms_per_task": results}))


if __name__ == "__main__":
    main()
