"""Benchmark of the upscale stage on the zimage backend: seconds and peak memory of a tiled upscale (first pass,
tiles re-denoised by img2img in batched calls, feathered blend) against one direct generation of a large image.

GPU (the default): Z-Image Turbo's real transformer configuration (random bf16 weights, tiny text encoder and VAE
with the real 8x downscale, as bench/zimage_gpu.py), 1024x1024 -> 4096x4096 with 1024 px tiles overlapping 128 px,
strength 0.3, tiles one per call, in exact batches of 4 and in inexact batches of 4 (each checked
for the same bytes as one per call), against a direct 2048x2048 text-to-image. ``--tiny``: the tiny model on one
CPU thread, 64 -> 128 and 128 -> 256 with 64 px tiles (figures for the record, and a smoke test). Prints one line per
figure, then one JSON object.
"""
from __future__ import annotations

import argparse
import io
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402
from PIL import Image  # noqa: E402

from zflow.contracts import Artifact, ModelRef, Output, Request, Task  # noqa: E402
from zflow_zimage import tiles  # noqa: E402
from zflow_zimage.backend import ZImageBackend  # noqa: E402
from zflow_zimage.cache import PipelineCache  # noqa: E402
from zimage_gpu import REAL, TINY, build, device_and_dtype, peak_gib, reset_peak, sync  # noqa: E402

PROMPT = "a lighthouse on a cliff at dawn, mist, detailed rocks and waves"
DEADLINE_S = 8 * 60
#: The tile calls compared: one tile per call; batches of 4 with each tile computed as if alone (exact, the
#: default); batches of 4 sharing the model's products (``exact_batches = false``).
RUNS = {"alone": {"batch_size": 1}, "batch 4 exact": {"batch_size": 4},
        "batch 4 inexact": {"batch_size": 4, "exact_batches": False}}


def source_image(folder: Path, side: int) -> Artifact:
    """A smooth picture of ``side`` px saved as the upscale's input."""
    image = Image.new("RGB", (side, side))
    image.putdata([((x * 255) // side, (y * 255) // side, ((x + y) * 2) % 256) for y in range(side)
                   for x in range(side)])
    path = folder / f"source-{side}.png"
    image.save(path)
    return Artifact("source", "key-source", {"image.png": path}, {"size": [side, side]})


def timed(backend, handle, request: Request) -> tuple[float, Output]:
    sync()
    start = time.perf_counter()
    [out] = backend.run(handle, [request])
    sync()
    if isinstance(out, BaseException):
        raise out
    return time.perf_counter() - start, out


def upscale_request(source: Artifact, side: int, out: int, tile: int, overlap: int, model: ModelRef,
                    root: Path) -> Request:
    params = {"prompt": PROMPT, "negative": "", "seed": 3, "size": [out, out], "source_size": [side, side],
              "strength": 0.3, "tile": tile, "overlap": overlap, "upscaler": None}
    return Request(Task(f"bench/upscale-{out}", "upscale", params, ("source",)), "key-up", model, (source,), root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="the tiny model on CPU")
    parser.add_argument("--steps", type=int, default=9, help="denoising steps (Turbo: 9; img2img runs 0.3 of them)")
    args = parser.parse_args()
    began = time.perf_counter()
    device, dtype = device_and_dtype(args.tiny, "the CPU figures")
    cases = [(64, 128, 64, 16), (128, 256, 64, 16)] if args.tiny else [(1024, 4096, 1024, 128)]
    direct = 256 if args.tiny else 2048
    steps = 2 if args.tiny else args.steps
    name = torch.cuda.get_device_name() if device == "cuda" else platform.machine()
    print(f"machine: {name}, torch {torch.__version__}, {'tiny' if args.tiny else 'real-size'} transformer, "
          f"{steps} steps")
    report: dict = {"device": name, "steps": steps, "cases": []}
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        pipe = build(TINY if args.tiny else REAL, device, dtype)
        pipe.save_pretrained(folder / "z-image-random")
        del pipe
        backend = ZImageBackend(PipelineCache())
        options = {"steps": steps, "guidance": 0.0, "negative": "", "device": device}
        saved = str(folder / "z-image-random")
        handles = {name: backend.load(ModelRef("zimage", saved, None, {**options, **extra}))
                   for name, extra in RUNS.items()}
        draft = Request(Task("bench/draft", "draft", {"prompt": PROMPT, "negative": "", "seed": 1,
                                                      "size": [direct, direct]}), "key-d", handles["alone"].model, ())
        timed(backend, handles["alone"], draft)  # loads the folder, warms up
        reset_peak()
        seconds, _ = timed(backend, handles["alone"], draft)
        report["direct"] = {"size": direct, "seconds": round(seconds, 3), "peak_gib": peak_gib()}
        print(f"direct {direct}x{direct} text-to-image: {seconds:.3f} s, peak {peak_gib()} GiB")
        for side, out, tile, overlap in cases:
            source = source_image(folder, side)
            made_alone = None
            for run, handle in handles.items():
                if time.perf_counter() - began > DEADLINE_S:
                    report["stopped"] = f"deadline {DEADLINE_S}s reached"
                    break
                request = upscale_request(source, side, out, tile, overlap, handle.model, folder)
                reset_peak()
                seconds, made = timed(backend, handle, request)
                boxes = tiles.grid((out, out), tile, overlap, 16)
                seam = tiles.seam_ratio(Image.open(io.BytesIO(made.files["image.png"])), boxes)
                made_alone = made_alone or made.files["image.png"]
                same = made.files["image.png"] == made_alone
                figure = {"from": side, "to": out, "tile": tile, "overlap": overlap, "tiles": len(boxes),
                          "run": run, "seconds": round(seconds, 3), "peak_gib": peak_gib(),
                          "seam_ratio": round(seam, 3), "same_bytes_as_alone": same}
                report["cases"].append(figure)
                print(f"upscale {side}->{out} ({len(boxes)} tiles of {tile}, {run}): {seconds:.3f} s, "
                      f"peak {peak_gib()} GiB, seam ratio {seam:.2f}, same bytes as alone: {same}")
    report["seconds"] = round(time.perf_counter() - began, 1)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
