"""Benchmark of zflow's own cost on the zimage backend (tiny random Z-Image, CPU, one thread): whole `zflow` builds
(plan, one pipeline call per image, store, PNG with provenance, out/) against the time spent inside the pipeline
calls and the text encoder, a plain loop of pipeline calls for reference, and the text-encoder time a rebuild that
changes only seeds saves (prompt encodings kept in .zflow/zimage-prompts). Prints figures, then one JSON line."""
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

from helpers import zimage_model  # noqa: E402
from zflow.engine import Project  # noqa: E402
from zflow_zimage import batching, encodings  # noqa: E402
from zflow_zimage.backend import ZImageBackend  # noqa: E402

SCENES, DRAFTS, SIZE, STEPS, REPEATS = 4, 4, 64, 2, 3
DRAFT_STEPS = 9  # the draft stage's default (Turbo's model card): the same overhead against a longer call
PROMPTS = ["a barista with a short black bob pours latte art", "a rainy neon street at night, 35mm film",
           "a cat asleep on a windowsill in warm light", "a lighthouse on a cliff at dawn"]
RECIPE = """\
from zflow import Series
s = Series("b", prompt="{{{{ text }}}}", size="{size}x{size}", drafts={drafts}, refine=False, seed={seed})
for i, text in enumerate({prompts!r}):
    s.scene(f"s{{i:02}}", text=text)
"""


class Clock:
    """Seconds spent inside pipeline calls and inside the text encoder (wrapped at those boundaries)."""

    def __init__(self):
        self.calls = self.encoder = self.backend = 0.0
        self.encoder_runs = 0
        self._invoke, self._encode, self._run = batching.invoke, encodings.PromptEncodings._encode, ZImageBackend.run

    def __enter__(self):
        clock = self

        def invoke(pipe, kwargs):
            start = time.perf_counter()
            try:
                return clock._invoke(pipe, kwargs)
            finally:
                clock.calls += time.perf_counter() - start

        def encode(self, pipe, text, digest):
            start = time.perf_counter()
            try:
                return clock._encode(self, pipe, text, digest)
            finally:
                clock.encoder += time.perf_counter() - start
                clock.encoder_runs += 1

        def run(self, handle, requests):
            start = time.perf_counter()
            try:
                return clock._run(self, handle, requests)
            finally:
                clock.backend += time.perf_counter() - start

        batching.invoke, encodings.PromptEncodings._encode, ZImageBackend.run = invoke, encode, run
        return self

    def __exit__(self, *exc):
        batching.invoke, encodings.PromptEncodings._encode, ZImageBackend.run = self._invoke, self._encode, self._run


def plain(pipe, prompt: str, seed: int) -> bytes:
    """What a hand-written script does: one pipeline call (encoding its prompt), then the PNG at zflow's zlib level."""
    image = pipe(prompt=[prompt], negative_prompt=[""], generator=[torch.Generator("cpu").manual_seed(seed)],
                 height=SIZE, width=SIZE, num_inference_steps=STEPS, guidance_scale=0.0).images[0]
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def build(project: Project, recipe: Path, seed: int, forget_encodings: bool) -> tuple[dict, float, Clock]:
    """One build of SCENES x DRAFTS drafts with series ``seed``; ``forget_encodings`` drops those kept in memory
    (as a new process starts), so only the store's copies can spare the text encoder."""
    recipe.write_text(RECIPE.format(size=SIZE, drafts=DRAFTS, seed=seed, prompts=PROMPTS[:SCENES]))
    if forget_encodings:
        encodings._MEMORY.clear()
    loaded = project.load()
    with Clock() as clock:
        start = time.perf_counter()
        summary = project.build(loaded)
        seconds = time.perf_counter() - start
    if summary["ran"] != SCENES * DRAFTS or summary["failed"]:
        raise SystemExit(f"the build did not make {SCENES * DRAFTS} drafts: {summary}")
    return summary, seconds, clock


def project_at(root: Path, model: Path, steps: int) -> tuple[Project, Path]:
    """A project whose draft stage runs the tiny model at ``steps``, and its recipe file."""
    (root / "recipes").mkdir(parents=True)
    (root / "zflow.toml").write_text(f'[stages.draft]\nbackend = "zimage"\nmodel = "{model}"\n'
                                     f'options = {{ steps = {steps}, guidance = 0.0, negative = "" }}\n')
    return Project(root, env={"ZFLOW_PLUGINS_BLOCK": "exports"}), root / "recipes" / "bench.py"  # no contact sheets


def rebuilds(root: Path, model: Path, steps: int) -> tuple[float, Clock, int]:
    """The fastest of REPEATS seeds-only rebuilds (after a warm-up build that loads the model and keeps the prompts'
    encodings): its seconds and clock, and the most text-encoder runs any of them needed."""
    project, recipe = project_at(root, model, steps)
    try:
        build(project, recipe, 1000, True)
        runs = [build(project, recipe, seed, True) for seed in range(1, REPEATS + 1)]
    finally:
        project.close()
    _, seconds, clock = min(runs, key=lambda r: r[1])
    return seconds, clock, max(r[2].encoder_runs for r in runs)


def main() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    torch.set_num_threads(1)
    images = SCENES * DRAFTS
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, torch {torch.__version__} (1 thread), "
          f"{SCENES} scenes x {DRAFTS} drafts {SIZE}x{SIZE}, {STEPS} steps (and {DRAFT_STEPS}, Turbo's draft "
          f"steps), tiny random Z-Image")
    with tempfile.TemporaryDirectory() as folder:
        model = zimage_model.build_zimage(Path(folder) / "tiny-random")
        seconds, clock, rebuilt = rebuilds(Path(folder) / "project", model, STEPS)
        draft_seconds, draft_clock, _ = rebuilds(Path(folder) / "draft-steps", model, DRAFT_STEPS)
        fresh, recipe = project_at(Path(folder) / "fresh", model, STEPS)
        try:
            _, _, encoded = build(fresh, recipe, 1, True)  # an empty store: encodes
        finally:
            fresh.close()
        pipe = DiffusionPipeline.from_pretrained(model, dtype=torch.float32)
        pipe.set_progress_bar_config(disable=True)
        plain(pipe, PROMPTS[0], 0)
        plain_s = min(sum(_timed(lambda: plain(pipe, PROMPTS[i // DRAFTS], i)) for i in range(images))
                      for _ in range(REPEATS))

    own = seconds - clock.calls - clock.encoder
    draft_own = draft_seconds - draft_clock.calls - draft_clock.encoder
    per = 1000 / images
    figures = {
        "images": images, "build_ms_per_image": round(seconds * per, 3),
        "pipeline_call_ms_per_image": round(clock.calls * per, 3),
        "overhead_ms_per_image": round(own * per, 3), "overhead_pct_of_call": round(100 * own / clock.calls, 2),
        "backend_own_ms_per_image": round((clock.backend - clock.calls - clock.encoder) * per, 3),
        "engine_own_ms_per_image": round((seconds - clock.backend) * per, 3),
        "draft_steps": DRAFT_STEPS, "draft_steps_call_ms_per_image": round(draft_clock.calls * per, 3),
        "draft_steps_overhead_ms_per_image": round(draft_own * per, 3),
        "draft_steps_overhead_pct_of_call": round(100 * draft_own / draft_clock.calls, 2),
        "plain_loop_ms_per_image": round(plain_s * per, 3),
        "encoder_runs_first_build": encoded.encoder_runs, "encoder_ms_first_build": round(encoded.encoder * 1000, 2),
        "encoder_runs_seeds_only_rebuild": rebuilt,
        "encoder_ms_saved_by_seeds_only_rebuild": round((encoded.encoder - clock.encoder) * 1000, 2),
    }
    print(f"build           {figures['build_ms_per_image']:8.2f} ms/image (whole engine, one call per image)")
    print(f"pipeline calls  {figures['pipeline_call_ms_per_image']:8.2f} ms/image")
    print(f"zflow overhead  {figures['overhead_ms_per_image']:8.2f} ms/image = {figures['overhead_pct_of_call']:.2f} % "
          f"of a call:")
    print(f"  backend       {figures['backend_own_ms_per_image']:8.2f} ms/image (jobs, encodings read, checks, "
          f"PNG + provenance)")
    print(f"  engine        {figures['engine_own_ms_per_image']:8.2f} ms/image (planning, store, out/)")
    print(f"at {DRAFT_STEPS} steps     {figures['draft_steps_overhead_ms_per_image']:8.2f} ms/image = "
          f"{figures['draft_steps_overhead_pct_of_call']:.2f} % of a {figures['draft_steps_call_ms_per_image']:.2f} "
          f"ms call")
    print(f"plain loop      {figures['plain_loop_ms_per_image']:8.2f} ms/image (a call per image, prompt encoded "
          f"each time, PNG)")
    print(f"text encoder    {encoded.encoder_runs} runs, {figures['encoder_ms_first_build']:.2f} ms on an empty store; "
          f"{rebuilt} runs on a seeds-only rebuild (saved "
          f"{figures['encoder_ms_saved_by_seeds_only_rebuild']:.2f} ms)")
    print(json.dumps(figures))


def _timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
