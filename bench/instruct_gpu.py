"""GPU benchmark of instruction edits on the zimage backend: seconds per 1024² Qwen-Image-Edit-Plus edit with 1 and 3
input images, peak memory, with and without CPU offload.

The transformer has Qwen-Image's real configuration (60 layers, 24 heads of 128, ~20B parameters, random bf16
weights; ``--layers`` makes it shallower to fit the time budget) and the VAE Qwen-Image's real one (random); the
Qwen2.5-VL text encoder is one layer wide enough for the transformer (its 7B weights would only add a fixed cost per
call). Nothing is downloaded. The pipeline is saved to a folder and loaded through zflow's own from_pretrained path;
each edit goes through ``run()`` as a build sends it (an ``instruct`` edit of a photo with 0 or 2 character sheets).
``--tiny`` runs the same script on CPU with diffusers' tiny test components at 64x64 (a smoke test). The last line
is one JSON object.
"""
from __future__ import annotations

import argparse
import gc
import json
import math
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import torch  # noqa: E402
from PIL import Image  # noqa: E402

from helpers import instruct_model  # noqa: E402
from zimage_gpu import device_and_dtype, peak_gib, reset_peak, sync  # noqa: E402
from zflow.contracts import Artifact, ModelRef, Output, Request, Task  # noqa: E402
from zflow_zimage.backend import ZImageBackend  # noqa: E402
from zflow_zimage.cache import PipelineCache  # noqa: E402

REAL = {"patch_size": 2, "in_channels": 64, "out_channels": 16, "num_layers": 60, "attention_head_dim": 128,
        "num_attention_heads": 24, "joint_attention_dim": 3584, "guidance_embeds": False,
        "axes_dims_rope": (16, 56, 56)}
DEADLINE_S = 8 * 60
INSTRUCTION = "make her smile, keep everything else exactly as it is"


def build_real(folder: Path, layers: int, device: str) -> Path:
    """Save a Qwen-Image-Edit-Plus pipeline with a real-size random transformer and VAE to ``folder``."""
    from diffusers import (AutoencoderKLQwenImage, FlowMatchEulerDiscreteScheduler, QwenImageEditPlusPipeline,
                           QwenImageTransformer2DModel)
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration, Qwen2VLImageProcessor

    from zflow_zimage.qwen_edit import image_processor

    tokenizer = instruct_model.qwen_vl_tokenizer()
    ids = tokenizer.convert_tokens_to_ids
    hidden = REAL["joint_attention_dim"]
    with torch.device(device):
        torch.set_default_dtype(torch.bfloat16)  # made in bf16 on the device: ~41 GB, seconds
        torch.manual_seed(0)
        transformer = QwenImageTransformer2DModel(**{**REAL, "num_layers": layers})
        vae = AutoencoderKLQwenImage()
        text_encoder = Qwen2_5_VLForConditionalGeneration(Qwen2_5_VLConfig(
            text_config={"hidden_size": hidden, "intermediate_size": 256, "num_hidden_layers": 1,
                         "num_attention_heads": 28, "num_key_value_heads": 4, "vocab_size": len(tokenizer),
                         "bos_token_id": ids("<|endoftext|>"), "eos_token_id": ids("<|im_end|>"),
                         "rope_scaling": {"mrope_section": [16, 24, 24], "rope_type": "default", "type": "default"}},
            vision_config={"depth": 1, "hidden_size": 64, "intermediate_size": 64, "num_heads": 2,
                           "out_hidden_size": hidden},
            hidden_size=hidden, vocab_size=len(tokenizer), vision_start_token_id=ids("<|vision_start|>"),
            vision_end_token_id=ids("<|vision_end|>"), vision_token_id=ids("<|image_pad|>"),
            image_token_id=ids("<|image_pad|>"), video_token_id=ids("<|video_pad|>")))
        torch.set_default_dtype(torch.float32)
    tokenizer.save_pretrained(folder / "processor")
    Qwen2VLImageProcessor().save_pretrained(folder / "processor")
    pipe = QwenImageEditPlusPipeline(transformer=transformer, vae=vae, scheduler=FlowMatchEulerDiscreteScheduler(),
                                     text_encoder=text_encoder, tokenizer=tokenizer,
                                     processor=image_processor(folder, None, True))
    pipe.register_modules(processor=None)
    pipe.save_pretrained(folder)
    index = json.loads((folder / "model_index.json").read_text())
    (folder / "model_index.json").write_text(json.dumps({**index, "processor": ["transformers", "Qwen2VLProcessor"]}))
    del pipe, transformer, vae, text_encoder
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    return folder


def inputs(folder: Path, size: int) -> list[Artifact]:
    """The photo to edit and two character sheets, as a build's artifacts."""
    made = []
    for name, colour in (("photo", (180, 140, 90)), ("mina", (30, 60, 200)), ("jun", (200, 40, 40))):
        path = folder / f"{name}.png"
        image = Image.new("RGB", (size, size), colour)
        image.paste((240, 220, 200), (size // 4, size // 4, 3 * size // 4, 3 * size // 4))
        image.save(path)
        task = "s/a/refine" if name == "photo" else f"characters/{name}/sheet"
        made.append(Artifact(task, f"key-{name}", {"image.png": path}, {}))
    return made


def edit_seconds(backend: ZImageBackend, handle, images: list[Artifact], size: int, seed: int) -> float:
    """Seconds for one instruct edit of ``images[0]`` with the rest as references, through ``run()``."""
    params = {"op": "instruct", "prompt": INSTRUCTION, "strength": None, "references": [], "scene_prompt": "",
              "negative": "", "seed": seed, "size": [size, size]}
    task = Task(f"s/a/edit-{seed}", "edit", params, tuple(a.task_id for a in images))
    request = Request(task, f"k{seed}", handle.model, tuple(images))
    sync()
    start = time.perf_counter()
    [result] = backend.run(handle, [request])
    sync()
    if not isinstance(result, Output):
        raise result
    return time.perf_counter() - start


def parameters(folder: Path) -> int:
    """Parameters in a saved model folder, read from its safetensors headers (no weights loaded)."""
    from safetensors import safe_open

    total = 0
    for path in folder.glob("*.safetensors"):
        with safe_open(str(path), "pt") as weights:
            for name in weights.keys():
                total += math.prod(weights.get_slice(name).get_shape())
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="diffusers' tiny test components on CPU (smoke test)")
    parser.add_argument("--layers", type=int, default=60, help="transformer layers (Qwen-Image: 60)")
    parser.add_argument("--steps", type=int, default=8, help="denoising steps (the model card: 40; Lightning: 8)")
    args = parser.parse_args()
    began = time.perf_counter()
    device, _ = device_and_dtype(args.tiny, "the CPU smoke test")
    size, steps = (64, 2) if args.tiny else (1024, args.steps)
    name = torch.cuda.get_device_name() if device == "cuda" else platform.machine()
    print(f"machine: {name}, torch {torch.__version__}, {'tiny' if args.tiny else f'{args.layers}-layer'} "
          f"transformer, {steps} steps, {size}x{size}")
    report: dict = {"device": name, "steps": steps, "size": size, "runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "qwen-image-edit-plus-random"
        start = time.perf_counter()
        if args.tiny:
            instruct_model.build_qwen_edit_plus(folder)
        else:
            build_real(folder, args.layers, device)
        report["build_and_save_seconds"] = round(time.perf_counter() - start, 1)
        report["transformer_params_b"] = round(parameters(folder / "transformer") / 1e9, 3)
        images = inputs(Path(tmp), size)
        base = {"steps": steps, "device": device} | ({"reference_pixels": size * size} if args.tiny else {})
        for offload in (False, True):
            backend = ZImageBackend(PipelineCache())
            handle = backend.load(ModelRef("zimage", str(folder), None, {**base, "cpu_offload": offload}))
            start = time.perf_counter()
            edit_seconds(backend, handle, images[:1], size, 0)  # loads the folder, warms up
            run = report["runs"]["offload" if offload else "no_offload"] = {"load_and_first_s": round(
                time.perf_counter() - start, 1)}
            for count in (1, 3):
                if time.perf_counter() - began > DEADLINE_S:
                    report["stopped"] = f"deadline {DEADLINE_S}s reached before offload={offload}, {count} images"
                    break
                reset_peak()
                seconds = edit_seconds(backend, handle, images[:count], size, count)
                run[f"{count}_images"] = {"seconds": round(seconds, 2), "peak_gib": peak_gib()}
                print(f"cpu_offload={offload}, {count} input image(s): {seconds:.2f} s per edit, peak {peak_gib()} GiB")
            del backend, handle
            gc.collect()
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
    report["seconds"] = round(time.perf_counter() - began, 1)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
