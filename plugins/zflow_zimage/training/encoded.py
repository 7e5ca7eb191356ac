"""Cached latents and prompt encodings of a training set: computed once with the pipeline's VAE and text encoder
(then no longer needed in memory), kept in the task's work folder so a resumed training skips them."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .data import Example
from .state import load_file, save_file

CACHE = "encoded.pt"


def encoded(pipe: Any, items: list[Example], folder: Path, device: str, max_sequence_length: int | None
            ) -> tuple[list[Any], list[Any]]:
    """Each example's latent (C, H, W), scaled as the transformer sees it, and its caption's encoding (L, D), on
    the CPU in float32; from ``folder`` when an earlier run of this task computed them."""
    cached = load_file(folder / CACHE)
    if cached is not None and len(cached["latents"]) == len(items):
        return cached["latents"], cached["embeds"]
    import torch

    vae = pipe.vae
    shift, scale = vae.config.shift_factor or 0.0, vae.config.scaling_factor
    latents = []
    with torch.no_grad():
        for example in items:
            pixels = pipe.image_processor.preprocess(example.image).to(device=device, dtype=vae.dtype)
            latent = vae.encode(pixels).latent_dist.mode()
            latents.append(((latent - shift) * scale)[0].float().cpu())
        kwargs = {"max_sequence_length": max_sequence_length} if max_sequence_length else {}
        embeds, _ = pipe.encode_prompt([e.caption for e in items], device=device, do_classifier_free_guidance=False,
                                       **kwargs)
    embeds = [e.float().cpu() for e in embeds]
    save_file(folder / CACHE, {"latents": latents, "embeds": embeds})
    return latents, embeds
