"""GPU benchmark of the zimage backend: images/s of zflow against a plain loop of pipeline calls, real-size transformer.

The transformer has Z-Image Turbo's real configuration (6.15B parameters, random bf16 weights); the text encoder and
VAE are tiny (the VAE keeps the real 8x downscale, so the transformer sees the real sequence lengths). Nothing is
downloaded. Images come as scenes of four drafts (one prompt, four seeds). The plain loop calls the pipeline in
memory once per image (encoding the prompt each time); zflow loads the saved folder through its own from_pretrained
path and runs the requests through ``run()`` (PNG + metadata included), encoding each scene's prompt once: exact (the
default: one image per call, bit-for-bit the image made alone) and ``exact_batches = false`` (a scene's four drafts
in one call). ``--tiny`` runs the same script on CPU with a tiny transformer (a smoke test). The last line is one
JSON object.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import torch  # noqa: E402

from helpers import zimage_model  # noqa: E402
from zflow.contracts import ModelRef, Output, Request, Task  # noqa: E402
from zflow_zimage import encodings  # noqa: E402
from zflow_zimage.backend import ZImageBackend  # noqa: E402
from zflow_zimage.cache import PipelineCache  # noqa: E402

REAL = {"dim": 3840, "n_layers": 30, "n_refiner_layers": 2, "n_heads": 30, "n_kv_heads": 30, "cap_feat_dim": 2560,
        "axes_dims": [32, 48, 48], "axes_lens": [1024, 512, 512]}
TINY = {"dim": 32, "n_layers": 2, "n_refiner_layers": 1, "n_heads": 2, "n_kv_heads": 2, "cap_feat_dim": 16,
        "axes_dims": [8, 4, 4], "axes_lens": [1024, 128, 128]}
PROMPTS = ["a barista with a short black bob pours latte art, warm window light, 35mm film",
           "a rainy neon street at night, reflections, cinematic", "a lighthouse on a cliff at dawn, mist",
           "a cat asleep on a windowsill, soft morning light"]
DEADLINE_S = 7 * 60
#: Drafts per scene: they share one prompt.
DRAFTS = 4


def prompt(i: int) -> str:
    """The prompt of image ``i``: scenes of DRAFTS drafts."""
    return PROMPTS[(i // DRAFTS) % len(PROMPTS)]


def build(config: dict, device: str, dtype: torch.dtype):
    """A Z-Image pipeline: random transformer of ``config`` made on ``device`` in ``dtype``, tiny text encoder/VAE."""
    from diffusers import ZImagePipeline, ZImageTransformer2DModel
    from transformers import Qwen3Config, Qwen3Model

    parts = zimage_model.zimage_parts(seed=0)
    tokenizer = parts["tokenizer"]
    with torch.device(device):  # made in float32 on the device (fast init), then cast: ~37 GB peak for real size
        torch.manual_seed(0)
        transformer = ZImageTransformer2DModel(
            all_patch_size=(2,), all_f_patch_size=(1,), in_channels=16, norm_eps=1e-5, qk_norm=True,
            rope_theta=256.0, t_scale=1000.0, **config).to(dtype)
        text_encoder = Qwen3Model(Qwen3Config(
            hidden_size=config["cap_feat_dim"], intermediate_size=256, num_hidden_layers=1, num_attention_heads=4,
            num_key_value_heads=4, head_dim=64, vocab_size=len(tokenizer), max_position_embeddings=1024)).to(dtype)
    with torch.no_grad():
        transformer.x_pad_token.fill_(1.0)
        transformer.cap_pad_token.fill_(1.0)
    vae = parts["vae"].to(device=device, dtype=dtype)
    pipe = ZImagePipeline(transformer=transformer, vae=vae, text_encoder=text_encoder, tokenizer=tokenizer,
                          scheduler=parts["scheduler"])
    pipe.set_progress_bar_config(disable=True)
    return pipe


def plain_loop(pipe, size: int, count: int, steps: int) -> float:
    """Seconds for ``count`` images made one pipeline call each (images stay in memory)."""
    sync()
    start = time.perf_counter()
    for i in range(count):
        pipe(prompt=[prompt(i)], negative_prompt=[""], height=size, width=size,
             num_inference_steps=steps, guidance_scale=0.0, generator=[torch.Generator("cpu").manual_seed(i)])
    sync()
    return time.perf_counter() - start


def zflow_run(backend, handle, size: int, count: int) -> tuple[float, int]:
    """Seconds for ``count`` images through ``run()`` (no encoding kept from before: each scene's prompt is encoded
    once, in the timing), and how many came back as errors (NaN/black checks)."""
    requests = [Request(Task(f"bench/draft-{i}", "draft", {"prompt": prompt(i), "negative": "", "seed": i,
                                                           "size": [size, size]}), f"k{i}", handle.model, ())
                for i in range(count)]
    encodings._MEMORY.clear()
    sync()
    start = time.perf_counter()
    results = backend.run(handle, requests)
    sync()
    seconds = time.perf_counter() - start
    errors = [r for r in results if not isinstance(r, Output)]
    if errors and not all(isinstance(e, ValueError) for e in errors):
        raise errors[0]
    return seconds, len(errors)


def sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def peak_gib() -> float | None:
    return round(torch.cuda.max_memory_allocated() / 2 ** 30, 2) if torch.cuda.is_available() else None


def reset_peak() -> None:
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()


def device_and_dtype(tiny: bool, hint: str) -> tuple[str, torch.dtype]:
    """CPU, float32 and one thread for ``--tiny``, else CUDA in bfloat16; the hub is never asked either way."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    if tiny:
        torch.set_num_threads(1)
        return "cpu", torch.float32
    if not torch.cuda.is_available():
        raise SystemExit(f"no CUDA device: run with --tiny for {hint}")
    return "cuda", torch.bfloat16


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="tiny transformer on CPU (smoke test)")
    parser.add_argument("--images", type=int, default=8, help="images per measurement (scenes of 4 drafts)")
    parser.add_argument("--steps", type=int, default=9, help="denoising steps (Turbo: 9)")
    args = parser.parse_args()
    began = time.perf_counter()
    device, dtype = device_and_dtype(args.tiny, "the CPU smoke test")
    sizes = [64, 128] if args.tiny else [512, 1024]
    count, steps = (DRAFTS, 2) if args.tiny else (args.images, args.steps)
    name = torch.cuda.get_device_name() if device == "cuda" else platform.machine()
    print(f"machine: {name}, torch {torch.__version__}, {'tiny' if args.tiny else 'real-size'} transformer, "
          f"{steps} steps, {count} images per figure")
    report = {"device": name, "steps": steps, "images": count, "sizes": {}}
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        pipe = build(TINY if args.tiny else REAL, device, dtype)
        report["transformer_params_b"] = round(sum(p.numel() for p in pipe.transformer.parameters()) / 1e9, 3)
        report["build_seconds"] = round(time.perf_counter() - start, 1)
        for size in sizes:
            plain_loop(pipe, size, 1, steps)  # warm-up: kernels, allocator
            reset_peak()
            seconds = plain_loop(pipe, size, count, steps)
            report["sizes"][size] = {"plain_img_s": round(count / seconds, 3), "plain_peak_gib": peak_gib()}
            print(f"plain {size}px: {count / seconds:.3f} img/s")
        start = time.perf_counter()
        pipe.save_pretrained(Path(folder) / "z-image-random")
        report["save_seconds"] = round(time.perf_counter() - start, 1)
        del pipe
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

        backend = ZImageBackend(PipelineCache())
        options = {"steps": steps, "guidance": 0.0, "negative": "", "device": device}
        saved = str(Path(folder) / "z-image-random")
        one = backend.load(ModelRef("zimage", saved, None, options))
        four = backend.load(ModelRef("zimage", saved, None, {**options, "exact_batches": False, "batch_size": 4}))
        start = time.perf_counter()
        zflow_run(backend, one, sizes[0], 1)  # loads the folder, warms up
        report["load_seconds"] = round(time.perf_counter() - start, 1)
        for size in sizes:
            if time.perf_counter() - began > DEADLINE_S:
                report["stopped"] = f"deadline {DEADLINE_S}s reached before {size}px"
                break
            figures = report["sizes"][size]
            zflow_run(backend, one, size, 1)
            reset_peak()
            seconds, bad = zflow_run(backend, one, size, count)
            figures.update(zflow_img_s=round(count / seconds, 3), zflow_peak_gib=peak_gib(), bad_images=bad,
                           ratio=round(count / seconds / figures["plain_img_s"], 3))
            zflow_run(backend, four, size, 4)
            reset_peak()
            seconds, _ = zflow_run(backend, four, size, count)
            figures.update(zflow_batched_img_s=round(count / seconds, 3), zflow_batched_peak_gib=peak_gib(),
                           ratio_batched=round(count / seconds / figures["plain_img_s"], 3))
            print(f"zflow {size}px: {figures['zflow_img_s']:.3f} img/s (x{figures['ratio']}), exact_batches=false: "
                  f"{figures['zflow_batched_img_s']:.3f} img/s (x{figures['ratio_batched']})")
        report["loads"] = backend.cache.loads
    report["seconds"] = round(time.perf_counter() - began, 1)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
