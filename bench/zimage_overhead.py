"""Benchmark of zflow's cost on the zimage backend against a plain loop of pipeline calls (tiny model, CPU): a whole
engine build (plan, batched run, store, out/) of the same prompts and seeds, and the backend's run() alone."""
from __future__ import annotations

import io
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import torch  # noqa: E402
from diffusers import DiffusionPipeline  # noqa: E402

import zimage_model  # noqa: E402
from zflow.contracts import ModelRef, Output, Request, Task  # noqa: E402
from zflow_zimage import batching  # noqa: E402
from zflow_zimage.backend import ZImageBackend  # noqa: E402
from zflow_zimage.cache import PipelineCache  # noqa: E402

IMAGES, REPEATS, SIZE, STEPS = 16, 3, 64, 2
PROMPTS = ["a barista with a short black bob pours latte art", "a rainy neon street at night, 35mm film",
           "a cat asleep on a windowsill in warm light", "a lighthouse on a cliff at dawn"]


def plain(pipe, prompt: str, seed: int) -> bytes:
    """What a hand-written script does: one pipeline call, then the PNG (at zflow's zlib level, so the difference
    is zflow's own work, not a cheaper compression)."""
    image = pipe(prompt=[prompt], negative_prompt=[""], generator=[torch.Generator("cpu").manual_seed(seed)],
                 height=SIZE, width=SIZE, num_inference_steps=STEPS, guidance_scale=0.0).images[0]
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def request(model: ModelRef, prompt: str, seed: int) -> Request:
    params = {"prompt": prompt, "negative": "", "seed": seed, "size": [SIZE, SIZE]}
    return Request(Task(f"bench/draft-{seed}", "draft", params), f"k{seed}", model, ())


def best(run, repeats: int = REPEATS) -> float:
    """The least disturbed of ``repeats`` timings (this 2-core box is shared)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


RECIPE = """\
from zflow import Series
s = Series("b", prompt="{{{{ text }}}}{suffix}", size="{size}x{size}", drafts=1, refine=False)
for i, text in enumerate({prompts!r}):
    s.scene(f"s{{i:02}}", text=text, seed=i)
"""


def engine_seconds(model_path: Path, folder: Path) -> float:
    """A whole `zflow build` of IMAGES scenes (one draft each, the plain loop's prompts and seeds) in one long-lived
    Project, after a warm-up build that loads the model."""
    from zflow.engine import Project

    root = folder / "project"
    (root / "recipes").mkdir(parents=True)
    (root / "zflow.toml").write_text(
        f'batch_size = 1\n[stages.draft]\nbackend = "zimage"\nmodel = "{model_path}"\n'
        f'options = {{ steps = {STEPS}, guidance = 0.0, negative = "", batch_size = 1 }}\n')
    prompts = [PROMPTS[i % len(PROMPTS)] for i in range(IMAGES)]
    recipe = root / "recipes/bench.py"
    project = Project(root, env={"ZFLOW_PLUGINS_BLOCK": "exports"})  # no contact sheets: drafts only
    try:
        recipe.write_text(RECIPE.format(suffix=", warm-up", size=SIZE, prompts=prompts[:1]))
        project.build(project.load())
        recipe.write_text(RECIPE.format(suffix="", size=SIZE, prompts=prompts))
        start = time.perf_counter()
        summary = project.build(project.load())
        seconds = time.perf_counter() - start
    finally:
        project.close()
    if summary["ran"] != IMAGES or summary["failed"]:
        raise SystemExit(f"the engine build did not make {IMAGES} images: {summary}")
    return seconds


def main() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    torch.set_num_threads(1)
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, torch {torch.__version__} (1 thread), "
          f"{IMAGES} images {SIZE}x{SIZE}, {STEPS} steps, tiny random Z-Image")
    with tempfile.TemporaryDirectory() as folder:
        path = zimage_model.build_zimage(Path(folder) / "tiny-random")
        pipe = DiffusionPipeline.from_pretrained(path, dtype=torch.float32)
        pipe.set_progress_bar_config(disable=True)
        backend = ZImageBackend(PipelineCache())
        model = ModelRef("zimage", str(path), None, {"steps": STEPS, "guidance": 0.0, "negative": "",
                                                      "batch_size": 1})
        handle = backend.load(model)
        requests = [request(model, PROMPTS[i % len(PROMPTS)], i) for i in range(IMAGES)]
        backend.run(handle, requests[:1])
        plain(pipe, PROMPTS[0], 0)

        in_pipeline = []
        real = batching.invoke

        def timed_invoke(p, kwargs):
            start = time.perf_counter()
            out = real(p, kwargs)
            in_pipeline.append(time.perf_counter() - start)
            return out

        plain_s = zflow_s = own_s = 0.0
        for i, req in enumerate(requests):  # interleaved, so load changes hit both sides alike
            plain_s += best(lambda: plain(pipe, req.params["prompt"], i))
            costs = []
            for _ in range(REPEATS):
                in_pipeline.clear()
                batching.invoke = timed_invoke
                start = time.perf_counter()
                [out] = backend.run(handle, [req])
                costs.append((time.perf_counter() - start, sum(in_pipeline)))
                batching.invoke = real
                if not isinstance(out, Output):
                    raise out
            total, inside = min(costs)
            zflow_s += total
            own_s += total - inside
        batched = ZImageBackend(PipelineCache())
        bhandle = batched.load(ModelRef("zimage", str(path), None, {**model.options, "batch_size": 4}))
        batched.run(bhandle, requests[:1])
        batched_s = best(lambda: batched.run(bhandle, requests))
        engine_s = engine_seconds(path, Path(folder))

    overhead_ms = (engine_s - plain_s) * 1000 / IMAGES
    print(f"plain loop      {plain_s * 1000 / IMAGES:8.2f} ms/image")
    print(f"zflow build     {engine_s * 1000 / IMAGES:8.2f} ms/image (whole engine, batch 1)")
    print(f"zflow run()     {zflow_s * 1000 / IMAGES:8.2f} ms/image (batch 1)")
    print(f"zflow own work  {own_s * 1000 / IMAGES:8.2f} ms/image (planning, checks, PNG + metadata)")
    print(f"zflow batched   {batched_s * 1000 / IMAGES:8.2f} ms/image (batch 4)")
    print(json.dumps({
        "images": IMAGES, "plain_seconds": round(plain_s, 4), "zflow_seconds": round(engine_s, 4),
        "overhead_ms_per_image": round(overhead_ms, 3), "overhead_pct": round(100 * (engine_s - plain_s) / plain_s, 2),
        "run_seconds": round(zflow_s, 4),
        "own_ms_per_image": round(own_s * 1000 / IMAGES, 3), "zflow_batched_seconds": round(batched_s, 4),
    }))


if __name__ == "__main__":
    main()
