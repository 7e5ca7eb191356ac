"""Benchmark of ControlNet on the zimage backend: images/s of drafts with control against without, through ``run()``.

GPU mode: Z-Image Turbo's real-size transformer (6.15B parameters, random bf16 weights, tiny text encoder and VAE as
in ``zimage_gpu.py``) and a random ``ZImageControlNetModel`` of the Union 2.1 layout at the real width (control blocks
at every second of the 30 layers, two control refiner blocks, 33 control channels), at 1024² and 512², 9 steps.
Nothing is downloaded: both are saved to a temporary folder and loaded through the backend's own from_pretrained
path. ``--tiny`` runs the same on CPU (one thread) with the tests' tiny models. The last line is one JSON object.
"""
from __future__ import annotations

import argparse
import gc
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import torch  # noqa: E402
from PIL import Image  # noqa: E402

from zimage_gpu import REAL, TINY, build, device_and_dtype, peak_gib, prompt, reset_peak, sync  # noqa: E402
from zflow.contracts import Artifact, ModelRef, Output, Request, Task  # noqa: E402
from zflow_zimage.backend import ZImageBackend  # noqa: E402
from zflow_zimage.cache import PipelineCache  # noqa: E402

#: The Union 2.1 layout: control blocks on every second layer and each refiner layer, 33 control channels.
UNION = {"control_in_dim": 33, "add_control_noise_refiner": "control_noise_refiner"}
DEADLINE_S = 7 * 60


def save_controlnet(config: dict, folder: Path, device: str, dtype: torch.dtype) -> float:
    """A random ControlNet matching the transformer ``config``, saved to ``folder``; its size in billions."""
    from diffusers import ZImageControlNetModel

    with torch.device(device):
        torch.manual_seed(1)
        model = ZImageControlNetModel(all_patch_size=(2,), all_f_patch_size=(1,), dim=config["dim"],
                                      n_refiner_layers=config["n_refiner_layers"], n_heads=config["n_heads"],
                                      n_kv_heads=config["n_kv_heads"], norm_eps=1e-5, qk_norm=True,
                                      control_layers_places=list(range(0, config["n_layers"], 2)),
                                      control_refiner_layers_places=list(range(config["n_refiner_layers"])), **UNION)
        with torch.no_grad():  # zero-initialised projections: random, so the control does work
            for param in model.parameters():
                if not param.abs().sum():
                    param.normal_(0, 0.02)
        model = model.to(dtype)
    billions = sum(p.numel() for p in model.parameters()) / 1e9
    model.save_pretrained(folder)
    del model
    return round(billions, 3)


def requests(handle, size: int, count: int, pose: Artifact | None) -> list[Request]:
    """``count`` drafts (scenes of four drafts of one prompt), with the pose map as control when given."""
    extra = {"control": {"type": "pose", "scale": 0.75}} if pose is not None else {}
    return [Request(Task(f"bench/draft-{i}", "draft", {"prompt": prompt(i), "negative": "", "seed": i,
                                                       "size": [size, size], **extra},
                         (pose.task_id,) if pose is not None else ()),
                    f"k{i}", handle.model, (pose,) if pose is not None else ()) for i in range(count)]


def timed(backend, handle, reqs: list[Request]) -> float:
    """Seconds for the requests through ``run()``; any error stops the benchmark."""
    sync()
    start = time.perf_counter()
    results = backend.run(handle, reqs)
    sync()
    seconds = time.perf_counter() - start
    for result in results:
        if not isinstance(result, Output):
            raise result
    return seconds


def pose_map(folder: Path, size: int) -> Artifact:
    """A stick figure on black, as a layout's pose map is drawn."""
    from PIL import ImageDraw

    image = Image.new("RGB", (size, size))
    draw = ImageDraw.Draw(image)
    s = size / 8
    for (x0, y0, x1, y1), colour in [((4, 1, 4, 3), (255, 0, 0)), ((4, 3, 3, 5), (0, 255, 0)),
                                     ((4, 3, 5, 5), (0, 0, 255)), ((4, 5, 3, 7), (255, 255, 0)),
                                     ((4, 5, 5, 7), (0, 255, 255))]:
        draw.line([x0 * s, y0 * s, x1 * s, y1 * s], fill=colour, width=max(1, size // 64))
    path = folder / f"pose-{size}.png"
    image.save(path)
    return Artifact("bench/layout-pose", f"pose-{size}", {"image.png": path}, {"role": "control"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="tiny models on CPU (the figures of the docs)")
    parser.add_argument("--images", type=int, default=4, help="images per figure")
    parser.add_argument("--steps", type=int, default=9, help="denoising steps (Turbo: 9)")
    args = parser.parse_args()
    began = time.perf_counter()
    device, dtype = device_and_dtype(args.tiny, "the CPU figures")
    sizes = [64, 128] if args.tiny else [1024, 512]
    steps = 2 if args.tiny else args.steps
    count = max(args.images, 8) if args.tiny else args.images
    name = torch.cuda.get_device_name() if device == "cuda" else platform.machine()
    print(f"machine: {name}, torch {torch.__version__}, {'tiny' if args.tiny else 'real-size'} models, {steps} steps,"
          f" {count} images per figure")
    report = {"device": name, "steps": steps, "images": count, "sizes": {}}
    config = TINY if args.tiny else REAL
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        pipe = build(config, device, dtype)
        pipe.save_pretrained(folder / "z")
        del pipe
        report["controlnet_params_b"] = save_controlnet(config, folder / "cn", device, dtype)
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        report["build_seconds"] = round(time.perf_counter() - start, 1)
        backend = ZImageBackend(PipelineCache())
        handle = backend.load(ModelRef("zimage", str(folder / "z"), None, {
            "steps": steps, "guidance": 0.0, "negative": "", "device": device, "controlnet": str(folder / "cn")}))
        start = time.perf_counter()
        timed(backend, handle, requests(handle, sizes[-1], 1, pose_map(folder, sizes[-1])))  # loads both, warms up
        report["load_seconds"] = round(time.perf_counter() - start, 1)
        for size in sizes:
            if time.perf_counter() - began > DEADLINE_S:
                report["stopped"] = f"deadline {DEADLINE_S}s reached before {size}px"
                break
            pose = pose_map(folder, size)
            figures = report["sizes"][size] = {}
            for label, control in (("plain", None), ("control", pose)):
                timed(backend, handle, requests(handle, size, 1, control))  # warm-up at this size
                reset_peak()
                seconds = timed(backend, handle, requests(handle, size, count, control))
                figures[f"{label}_img_s"], figures[f"{label}_peak_gib"] = round(count / seconds, 3), peak_gib()
            figures["control_cost"] = round(figures["plain_img_s"] / figures["control_img_s"], 3)
            print(f"{size}px: {figures['plain_img_s']:.3f} img/s without control, {figures['control_img_s']:.3f} "
                  f"with (x{figures['control_cost']} the time)")
        report["loads"] = backend.cache.loads
    report["seconds"] = round(time.perf_counter() - began, 1)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
