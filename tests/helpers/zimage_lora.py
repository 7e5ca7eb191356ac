"""LoRA files for the tiny Z-Image: made with peft on its transformer, saved in diffusers' format and in the
kohya/ComfyUI key format (``lora_unet_layers_0_attention_to_q.lora_down.weight`` with ``alpha``)."""
from __future__ import annotations

from pathlib import Path

TARGETS = ["to_q", "to_k", "to_v", "to_out.0"]


def add_random_lora(model, seed: int, rank: int, scale: float) -> None:
    """A peft LoRA of rank ``rank`` on ``model``'s attention with random weights (peft starts lora_B at zero)."""
    import torch
    from peft import LoraConfig

    torch.manual_seed(seed)
    model.add_adapter(LoraConfig(r=rank, lora_alpha=rank, target_modules=TARGETS, init_lora_weights="gaussian"))
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, scale)


def make_lora(model: Path, out: Path, seed: int = 0, rank: int = 4, scale: float = 0.5) -> Path:
    """A random LoRA (peft, rank ``rank``) on the tiny model's attention, saved as diffusers saves it; returns the
    .safetensors file."""
    from diffusers import ZImagePipeline, ZImageTransformer2DModel
    from peft import get_peft_model_state_dict

    transformer = ZImageTransformer2DModel.from_pretrained(model, subfolder="transformer")
    add_random_lora(transformer, seed, rank, scale)
    out.mkdir(parents=True, exist_ok=True)
    ZImagePipeline.save_lora_weights(out, transformer_lora_layers=get_peft_model_state_dict(transformer))
    return out / "pytorch_lora_weights.safetensors"


def to_kohya(diffusers_file: Path, out: Path) -> Path:
    """The same LoRA with kohya/ComfyUI keys (``lora_unet_`` prefix, ``_`` for dots, ``lora_down``/``lora_up``,
    ``alpha`` = rank), as trainers outside diffusers save it."""
    from safetensors.torch import load_file, save_file
    import torch

    state = load_file(diffusers_file)
    converted = {}
    for key, value in state.items():
        module, kind = key.removeprefix("transformer.").rsplit(".lora_", 1)
        base = "lora_unet_" + module.replace(".", "_")
        if kind == "A.weight":
            converted[f"{base}.lora_down.weight"] = value
            converted[f"{base}.alpha"] = torch.tensor(float(value.shape[0]))
        else:
            converted[f"{base}.lora_up.weight"] = value
    save_file(converted, out)
    return out


def misfit_lora(out: Path, in_features: int = 48) -> Path:
    """A LoRA whose first layer's input size is not the tiny model's (made for a bigger model)."""
    import torch
    from safetensors.torch import save_file

    save_file({"transformer.layers.0.attention.to_q.lora_A.weight": torch.zeros(4, in_features),
               "transformer.layers.0.attention.to_q.lora_B.weight": torch.zeros(32, 4)}, out)
    return out


def make_unet_lora(model: Path, out: Path, seed: int = 0, rank: int = 4, scale: float = 0.5) -> Path:
    """A random LoRA on a Stable Diffusion UNet's attention (another model family's loader), in diffusers' format."""
    from diffusers import StableDiffusionPipeline, UNet2DConditionModel
    from peft import get_peft_model_state_dict

    unet = UNet2DConditionModel.from_pretrained(model, subfolder="unet")
    add_random_lora(unet, seed, rank, scale)
    out.mkdir(parents=True, exist_ok=True)
    StableDiffusionPipeline.save_lora_weights(out, unet_lora_layers=get_peft_model_state_dict(unet))
    return out / "pytorch_lora_weights.safetensors"
