"""Benchmark of LoRA adapters on the zimage backend (tiny random Z-Image, CPU, one thread): seconds per image with
no adapter, one and three active adapters (peft, rank 4, on the attention), the one-time cost of loading an adapter,
and the cost of switching adapter sets between calls. Prints figures, then one JSON line."""
from __future__ import annotations

import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import torch  # noqa: E402

from helpers import zimage_model  # noqa: E402
from helpers.zimage_lora import make_lora  # noqa: E402
from zflow.contracts import ModelRef, Request, Task  # noqa: E402
from zflow_zimage.backend import ZImageBackend  # noqa: E402
from zflow_zimage.cache import PipelineCache  # noqa: E402

SIZE, STEPS, IMAGES = 64, 2, 12


def requests(model: ModelRef, root: Path, adapters: list[dict], tag: str) -> list[Request]:
    out = []
    for i in range(IMAGES):
        params = {"prompt": "a cat on a windowsill", "negative": "", "seed": i, "size": [SIZE, SIZE]}
        if adapters:
            params["adapters"] = adapters
        task = Task(f"b/{tag}-{i}", "draft", params)
        out.append(Request(task, f"key-{tag}-{i}", model, (), root))
    return out


def per_image(backend, handle, reqs) -> float:
    """Median seconds per image over the requests, one backend run each (the engine's exact mode)."""
    times = []
    for request in reqs:
        start = time.perf_counter()
        [out] = backend.run(handle, [request])
        if isinstance(out, BaseException):
            raise out
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def main() -> None:
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = zimage_model.build_zimage(root / "tiny")
        files = [make_lora(folder, root / f"l{i}", seed=i).relative_to(root).as_posix() for i in range(3)]
        entries = [{"lora": f"l{i}", "weight": 0.8, "file": f} for i, f in enumerate(files)]
        backend = ZImageBackend(PipelineCache())
        model = ModelRef("zimage", str(folder), None, {"steps": STEPS})
        handle = backend.load(model)
        backend.run(handle, requests(model, root, [], "warm")[:1])
        start = time.perf_counter()
        backend.run(handle, requests(model, root, entries[:1], "load")[:1])
        first_load = time.perf_counter() - start
        backend.run(handle, requests(model, root, entries, "load3")[:1])
        none = per_image(backend, handle, requests(model, root, [], "none"))
        one = per_image(backend, handle, requests(model, root, entries[:1], "one"))
        three = per_image(backend, handle, requests(model, root, entries, "three"))
        mixed = [r for pair in zip(requests(model, root, [], "mx"), requests(model, root, entries[:1], "my"))
                 for r in pair]
        switching = per_image(backend, handle, mixed)
    figures = {"size": SIZE, "steps": STEPS, "none_s": round(none, 4), "one_lora_s": round(one, 4),
               "three_loras_s": round(three, 4), "alternating_s": round(switching, 4),
               "one_overhead_pct": round(100 * (one / none - 1), 1),
               "three_overhead_pct": round(100 * (three / none - 1), 1),
               "first_image_with_new_lora_s": round(first_load, 4), "cpu": platform.processor() or platform.machine()}
    print(f"tiny Z-Image {SIZE}x{SIZE}, {STEPS} steps, CPU, one thread, seconds per image (median of {IMAGES - 1}):")
    print(f"  no LoRA {none:.4f}  one LoRA {one:.4f} (+{figures['one_overhead_pct']}%)  three LoRAs {three:.4f} "
          f"(+{figures['three_overhead_pct']}%)  alternating none/one {switching:.4f}")
    print(f"  first image with a new LoRA (fit check + load): {first_load:.4f} s")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
