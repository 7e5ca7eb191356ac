"""Benchmark: 100 images to every SNS preset through the sns exporter, against a naive Pillow LANCZOS loop."""
from __future__ import annotations

import io
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import PIL
from PIL import Image, ImageDraw, ImageOps

from zflow.contracts import Artifact, ModelRef, Request, Task
from zflow_exports.presets import BUILTIN
from zflow_exports.sns import SnsExporter

COUNT, SIZE = 100, (1024, 1024)


def make_images(folder: Path) -> list[Path]:
    """COUNT textured 1024x1024 PNGs with a subject in a different place each."""
    paths = []
    for i in range(COUNT):
        img = Image.linear_gradient("L").resize(SIZE).convert("RGB")
        draw = ImageDraw.Draw(img)
        for x in range(0, SIZE[0], 48):
            draw.line((x, 0, x + 90, SIZE[1]), fill=(60 + i, 90, 140), width=3)
        cx, cy = 200 + (i * 37) % 600, 200 + (i * 53) % 500
        draw.ellipse((cx, cy, cx + 220, cy + 260), fill=(236, 188, 160), outline=(0, 0, 0), width=5)
        path = folder / f"{i:03}.png"
        img.save(path, compress_level=1)
        paths.append(path)
    return paths


def naive(paths: list[Path]) -> float:
    """Open each image; for each preset ImageOps.fit with LANCZOS and save JPEG q90 in memory."""
    start = time.perf_counter()
    for path in paths:
        with Image.open(path) as img:
            img = img.convert("RGB")
            for preset in BUILTIN.values():
                ImageOps.fit(img, preset.size, Image.Resampling.LANCZOS).save(io.BytesIO(), "JPEG", quality=90)
    return time.perf_counter() - start


def ours(paths: list[Path], root: Path) -> tuple[float, int]:
    """One sns export of all images to all presets (focus, safe zones, byte caps, XMP + parameters)."""
    inputs = tuple(Artifact(f"bench/{i:03}/final", f"k{i}", {"image.png": p}, {"prompt": "bench", "seed": i,
                                                                                "model": "bench"})
                   for i, p in enumerate(paths))
    scenes = [{"id": f"{i:03}", "image": i, "reframes": {}} for i in range(len(paths))]
    task = Task(id="bench/export/sns", kind="export",
                params={"exporter": "sns", "options": {"presets": list(BUILTIN)}, "scenes": scenes})
    start = time.perf_counter()
    out = SnsExporter().export(Request(task, "k", ModelRef("exporter"), inputs, root))
    return time.perf_counter() - start, len(out.files)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_images(Path(tmp))
        naive(paths[:5]), ours(paths[:5], Path(tmp))  # warm caches and imports
        naive_s = naive(paths)
        ours_s, files = ours(paths, Path(tmp))
    figures = {
        "images": COUNT, "presets": len(BUILTIN), "files": files, "source": f"{SIZE[0]}x{SIZE[1]}",
        "naive_s": round(naive_s, 2), "ours_s": round(ours_s, 2),
        "naive_images_per_s": round(COUNT / naive_s, 2), "ours_images_per_s": round(COUNT / ours_s, 2),
        "speedup": round(naive_s / ours_s, 2),
        "machine": f"{platform.machine()} {os.cpu_count()} cpus, {platform.system()}",
        "python": sys.version.split()[0], "pillow": PIL.__version__,
    }
    print(f"naive Pillow loop: {figures['naive_images_per_s']} images/s; zflow sns: {figures['ours_images_per_s']}"
          f" images/s ({figures['speedup']}x) on {figures['machine']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
