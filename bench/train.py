"""Benchmark of character LoRA training and of the LoRAs it makes, on the zimage backend's own code.

GPU (default): Z-Image Turbo's real-size transformer with random bf16 weights (nothing downloaded; tiny text encoder
and VAE, as bench/zimage_gpu.py builds it) trains a rank-32 LoRA on the attention and feed-forward layers with
gradient checkpointing and bf16 autocast (``zflow_zimage.training.loop.Trainer``, the loop train tasks run):
steps/s and peak memory at 512² and 1024². Then images/s of the pipeline at 1024² with no LoRA, one and three
(loaded and switched by ``zflow_zimage.adapters.activate``, the backend's own). Stops measuring at a 7-minute
deadline. ``--tiny``: the same on CPU with the tiny transformer (64² and 128², one thread): the CPU figure of
training steps/s. The last line is one JSON object.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import torch  # noqa: E402

from zimage_gpu import REAL, TINY, build, device_and_dtype, peak_gib, reset_peak, sync  # noqa: E402
from zflow.contracts import Adapter  # noqa: E402
from zflow_zimage.adapters import activate  # noqa: E402
from zflow_zimage.training.loop import ADAPTER, Plan, Trainer  # noqa: E402
from zflow_zimage.training.run import autocast, lora_bytes  # noqa: E402

DEADLINE_S = 7 * 60
CAPTION_TOKENS = 64


def train_figures(pipe, size: int, steps: int, device: str, dtype: torch.dtype, rank: int) -> tuple[dict, bytes]:
    """Steps/s and peak memory of ``steps`` training steps at ``size``² (after two warm-up steps), from random
    latents and caption encodings of the real shapes; returns the figures and the LoRA it trained (its file's
    bytes)."""
    transformer = pipe.transformer
    side = size // (pipe.vae_scale_factor * 1)
    generator = torch.Generator().manual_seed(size)
    latents = [torch.randn(16, side, side, generator=generator) for _ in range(4)]
    embeds = [torch.randn(CAPTION_TOKENS, transformer.config.cap_feat_dim, generator=generator) for _ in range(4)]
    plan = Plan(steps=steps + 2, rank=rank, alpha=float(rank), lr=1e-4, batch_size=1, seed=0,
                checkpoint_every=10 ** 6)
    trainer = Trainer(transformer, latents, embeds, plan, device, autocast(device, str(dtype).split(".")[-1]))
    trainer.step()
    trainer.step()
    sync()
    reset_peak()
    start = time.perf_counter()
    losses = [trainer.step() for _ in range(steps)]
    sync()
    seconds = time.perf_counter() - start
    figures = {"steps_s": round(steps / seconds, 3), "s_per_step": round(seconds / steps, 3),
               "peak_gib": peak_gib(), "loss": round(losses[-1], 4), "tokens": (side // 2) ** 2}
    lora = lora_bytes(trainer, plan)
    transformer.delete_adapters(ADAPTER)
    return figures, lora


def images_per_second(pipe, size: int, count: int, steps: int, adapters: list[Adapter], root: Path) -> float:
    """Images/s of ``count`` text-to-image calls at ``size``² with ``adapters`` active (after one warm-up)."""
    activate(pipe, adapters, root, "random")

    def one(seed: int) -> None:
        pipe(prompt=["a grey cat with a red scarf naps on a windowsill"], negative_prompt=[""], height=size,
             width=size, num_inference_steps=steps, guidance_scale=0.0,
             generator=[torch.Generator("cpu").manual_seed(seed)])

    one(0)
    sync()
    start = time.perf_counter()
    for seed in range(count):
        one(seed)
    sync()
    return count / (time.perf_counter() - start)


def save_lora(data: bytes, folder: Path, name: str) -> Adapter:
    """A trained LoRA's file; the Adapter that names it."""
    (folder / f"{name}.safetensors").write_bytes(data)
    return Adapter(label=name, weight=0.8, file=f"{name}.safetensors")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="tiny transformer on CPU (a dry run; the CPU figures)")
    parser.add_argument("--train-steps", type=int, default=10, help="timed training steps per size")
    parser.add_argument("--images", type=int, default=4, help="timed images per LoRA set")
    parser.add_argument("--steps", type=int, default=9, help="denoising steps per image (Turbo: 9)")
    args = parser.parse_args()
    began = time.perf_counter()
    device, dtype = device_and_dtype(args.tiny, "the CPU dry run")
    sizes, rank = ([64, 128], 4) if args.tiny else ([512, 1024], 32)
    steps = 2 if args.tiny else args.steps
    name = torch.cuda.get_device_name() if device == "cuda" else platform.processor() or platform.machine()
    print(f"machine: {name}, torch {torch.__version__}, {'tiny' if args.tiny else 'real-size'} transformer, "
          f"rank {rank} LoRA, {device} {str(dtype).split('.')[-1]}")
    start = time.perf_counter()
    pipe = build(TINY if args.tiny else REAL, device, dtype)
    if device == "cuda":
        pipe.transformer.enable_gradient_checkpointing()
    report = {"device": name, "rank": rank, "gradient_checkpointing": device == "cuda",
              "transformer_params_b": round(sum(p.numel() for p in pipe.transformer.parameters()) / 1e9, 3),
              "build_seconds": round(time.perf_counter() - start, 1), "train": {}, "images_s": {}}
    loras = []
    for size in sizes:
        if time.perf_counter() - began > DEADLINE_S:
            report["stopped"] = f"deadline {DEADLINE_S}s reached before training at {size}px"
            break
        figures, state = train_figures(pipe, size, args.train_steps, device, dtype, rank)
        report["train"][size] = figures
        loras.append(state)
        print(f"training {size}x{size}: {figures['steps_s']:.3f} steps/s ({figures['s_per_step']:.3f} s/step), "
              f"peak {figures['peak_gib']} GiB")
    pipe.transformer.disable_gradient_checkpointing()
    pipe.transformer.eval()
    size = sizes[-1]
    with tempfile.TemporaryDirectory() as folder, torch.no_grad():
        root = Path(folder)
        made = [save_lora(data, root, f"lora{i}") for i, data in enumerate(loras)]
        if made:  # a third adapter: the first at another weight, loaded under its own name
            made.append(Adapter(label="lora0-again", weight=0.5, file=str(root / made[0].file)))
        for label, adapters in (("none", []), ("one", made[:1]), ("three", made[:3])):
            if time.perf_counter() - began > DEADLINE_S or (adapters and len(made) < len(adapters)):
                report.setdefault("stopped", f"no images/s with {label} LoRA(s)")
                continue
            rate = images_per_second(pipe, size, args.images, steps, adapters, root)
            report["images_s"][label] = round(rate, 3)
            print(f"images {size}x{size}, {steps} steps, {label} LoRA: {rate:.3f} img/s")
    report["image_size"], report["image_steps"] = size, steps
    report["seconds"] = round(time.perf_counter() - began, 1)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
