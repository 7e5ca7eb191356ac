"""Tiny random-weight diffusers models (Z-Image, Z-Image Omni, Stable Diffusion) saved to folders for offline tests."""
from __future__ import annotations

from pathlib import Path

QWEN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>", "<think>",
                 "</think>"]
QWEN_CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n"
    "{% if not enable_thinking %}<think>\n\n</think>\n\n{% endif %}{% endif %}"
)


def byte_symbols() -> list[str]:
    """The 256 printable stand-ins of byte-level BPE, in byte order."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(
        range(ord("®"), ord("ÿ") + 1))
    table, extra = {}, 0
    for byte in range(256):
        if byte in printable:
            table[byte] = chr(byte)
        else:
            table[byte] = chr(256 + extra)
            extra += 1
    return [table[b] for b in range(256)]


def qwen_tokenizer():
    """A byte-level Qwen2 tokenizer with the special tokens and chat template Z-Image uses."""
    from transformers import Qwen2Tokenizer

    vocab = {s: i for i, s in enumerate(byte_symbols())}
    tokenizer = Qwen2Tokenizer(vocab=vocab, merges=[], unk_token=None, eos_token="<|im_end|>",
                               pad_token="<|endoftext|>")
    tokenizer.add_special_tokens({"additional_special_tokens": QWEN_SPECIALS})
    tokenizer.chat_template = QWEN_CHAT_TEMPLATE
    return tokenizer


def zimage_parts(seed: int = 0, vae_blocks: int = 4, siglip_dim: int | None = None) -> dict:
    """The five Z-Image components with random weights (values from the reference's tiny model)."""
    import torch
    from diffusers import AutoencoderKL, FlowMatchEulerDiscreteScheduler, ZImageTransformer2DModel
    from transformers import Qwen3Config, Qwen3Model

    tokenizer = qwen_tokenizer()
    torch.manual_seed(seed)
    transformer = ZImageTransformer2DModel(
        all_patch_size=(2,), all_f_patch_size=(1,), in_channels=16, dim=32, n_layers=2, n_refiner_layers=1,
        n_heads=2, n_kv_heads=2, norm_eps=1e-5, qk_norm=True, cap_feat_dim=16, siglip_feat_dim=siglip_dim,
        rope_theta=256.0, t_scale=1000.0, axes_dims=[8, 4, 4], axes_lens=[1024, 128, 128],
    )
    with torch.no_grad():  # created with torch.empty: fix them so no NaN is saved
        for pad in ("x_pad_token", "cap_pad_token", "siglip_pad_token"):
            if getattr(transformer, pad, None) is not None:
                getattr(transformer, pad).copy_(torch.ones_like(getattr(transformer, pad)))
    torch.manual_seed(seed)
    vae = AutoencoderKL(
        in_channels=3, out_channels=3, down_block_types=["DownEncoderBlock2D"] * vae_blocks,
        up_block_types=["UpDecoderBlock2D"] * vae_blocks, block_out_channels=[32] * vae_blocks, layers_per_block=1,
        latent_channels=16, norm_num_groups=32, sample_size=32, scaling_factor=0.3611, shift_factor=0.1159,
    )
    torch.manual_seed(seed)
    text_encoder = Qwen3Model(Qwen3Config(
        hidden_size=16, intermediate_size=16, num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=2,
        head_dim=8, vocab_size=len(tokenizer), max_position_embeddings=512,
    ))
    scheduler = FlowMatchEulerDiscreteScheduler(shift=3.0, use_dynamic_shifting=False)
    return {"transformer": transformer, "vae": vae, "text_encoder": text_encoder, "tokenizer": tokenizer,
            "scheduler": scheduler}


def build_zimage(folder: Path, seed: int = 0) -> Path:
    """Save a tiny random Z-Image text-to-image pipeline to ``folder`` (the layout of the hub's Turbo/Base)."""
    from diffusers import ZImagePipeline

    ZImagePipeline(**zimage_parts(seed)).save_pretrained(folder)
    return folder


def build_zimage_omni(folder: Path, seed: int = 0) -> Path:
    """Save a tiny random Z-Image Omni pipeline (with SigLIP2 vision parts) to ``folder``."""
    import torch
    from diffusers import ZImageOmniPipeline
    from transformers import Siglip2ImageProcessor, Siglip2VisionConfig, Siglip2VisionModel

    torch.manual_seed(seed)
    siglip = Siglip2VisionModel(Siglip2VisionConfig(
        hidden_size=16, intermediate_size=16, num_hidden_layers=1, num_attention_heads=2, num_patches=16,
        patch_size=8,
    ))
    processor = Siglip2ImageProcessor(patch_size=8, max_num_patches=16)
    ZImageOmniPipeline(**zimage_parts(seed, siglip_dim=16), siglip=siglip, siglip_processor=processor
                       ).save_pretrained(folder)
    return folder


def build_stable_diffusion(folder: Path, seed: int = 0) -> Path:
    """Save a tiny random Stable Diffusion 1.x pipeline (another diffusers model family) to ``folder``."""
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    symbols = byte_symbols()
    vocab = {s: i for i, s in enumerate(symbols + [s + "</w>" for s in symbols])}
    vocab.update({"<|startoftext|>": len(vocab), "<|endoftext|>": len(vocab) + 1})
    tokenizer = CLIPTokenizer(vocab=vocab, merges=[], model_max_length=77)
    torch.manual_seed(seed)
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64), layers_per_block=1, sample_size=16, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32, norm_num_groups=32,
    )
    torch.manual_seed(seed)
    vae = AutoencoderKL(
        in_channels=3, out_channels=3, down_block_types=["DownEncoderBlock2D"] * 2,
        up_block_types=["UpDecoderBlock2D"] * 2, block_out_channels=[32, 64], latent_channels=4, norm_num_groups=32,
    )
    torch.manual_seed(seed)
    text_encoder = CLIPTextModel(CLIPTextConfig(
        bos_token_id=vocab["<|startoftext|>"], eos_token_id=vocab["<|endoftext|>"], pad_token_id=vocab["<|endoftext|>"],
        hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2, vocab_size=len(vocab),
        max_position_embeddings=77,
    ))
    StableDiffusionPipeline(
        unet=unet, vae=vae, text_encoder=text_encoder, tokenizer=tokenizer,
        scheduler=DDIMScheduler(beta_schedule="scaled_linear", clip_sample=False, set_alpha_to_one=False,
                                steps_offset=1),
        safety_checker=None, feature_extractor=None, requires_safety_checker=False,
    ).save_pretrained(folder)
    return folder


def compact_esrgan(path: Path, scale: int = 2, seed: int = 0) -> Path:
    """A randomly initialised compact RealESRGAN (SRVGGNetCompact: 8 features, 2 convolutions) saved as a ``.pth``
    state dict, as its released weights are."""
    import torch
    from zflow_zimage.superres import spandrel

    Compact = spandrel().architectures.Compact.Compact  # noqa: N806 (spandrel imported as zflow does)
    torch.manual_seed(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(Compact(num_in_ch=3, num_out_ch=3, num_feat=8, num_conv=2, upscale=scale).state_dict(), path)
    return path


def build_zimage_controlnet(folder: Path, seed: int = 0, layers: tuple[int, ...] = (0, 1)) -> Path:
    """Save a tiny random ZImageControlNetModel matching ``zimage_parts``' transformer to ``folder`` (the 2.x Union
    layout: 33 control channels, so it serves the inpaint pipeline too; ``layers`` are the transformer layers it
    feeds). Its zero-initialised output projections get random weights, so its control shows in the image."""
    import torch
    from diffusers import ZImageControlNetModel

    torch.manual_seed(seed)
    model = ZImageControlNetModel(
        control_layers_places=list(layers), control_refiner_layers_places=[0], control_in_dim=33,
        add_control_noise_refiner="control_noise_refiner", all_patch_size=(2,), all_f_patch_size=(1,), dim=32,
        n_refiner_layers=1, n_heads=2, n_kv_heads=2, norm_eps=1e-5, qk_norm=True,
    )
    with torch.no_grad():
        for name, param in model.named_parameters():
            if not param.abs().sum():
                param.normal_(0, 0.2)
    model.save_pretrained(folder)
    return folder


def build_sd_controlnet(folder: Path, seed: int = 0) -> Path:
    """Save a tiny random Stable Diffusion ControlNetModel matching ``build_stable_diffusion``'s UNet to ``folder``
    (its zero-initialised output blocks get random weights, so its control shows in the image)."""
    import torch
    from diffusers import ControlNetModel

    torch.manual_seed(seed)
    model = ControlNetModel(
        block_out_channels=(32, 64), layers_per_block=1, in_channels=4, cross_attention_dim=32, norm_num_groups=32,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), conditioning_embedding_out_channels=(16, 32),
    )
    with torch.no_grad():
        for param in model.parameters():
            if not param.abs().sum():
                param.normal_(0, 0.2)
    model.save_pretrained(folder)
    return folder


def t5_tokenizer():
    """A T5 tokenizer made offline: a Unigram vocabulary of <pad>, </s>, <unk>, the word start and one piece per
    printable ASCII character (with and without the word start), as transformers 5 builds from ``vocab=``."""
    from transformers import T5Tokenizer

    chars = [chr(c) for c in range(ord("!"), ord("~") + 1)]
    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -2.0)]
    vocab += [("▁" + c, -3.0) for c in chars] + [(c, -4.0) for c in chars]
    return T5Tokenizer(vocab=vocab, extra_ids=0, model_max_length=64)


def clip_tokenizer():
    """A byte-level CLIP tokenizer (no merges: one token per byte) made offline."""
    from transformers import CLIPTokenizer

    symbols = byte_symbols()
    vocab = {s: i for i, s in enumerate(symbols + [s + "</w>" for s in symbols])}
    vocab.update({"<|startoftext|>": len(vocab), "<|endoftext|>": len(vocab) + 1})
    return CLIPTokenizer(vocab=vocab, merges=[], model_max_length=77)


def _sd3_dims(layers: int) -> dict:
    """The transformer dimensions diffusers' own SD3 ControlNet tests use (tests/pipelines/controlnet_sd3)."""
    return dict(sample_size=32, patch_size=1, in_channels=8, num_layers=layers, attention_head_dim=8,
                num_attention_heads=4, joint_attention_dim=32, caption_projection_dim=32, pooled_projection_dim=64,
                out_channels=8, qk_norm="rms_norm")


def build_sd3(folder: Path, seed: int = 0) -> Path:
    """Save a tiny random Stable Diffusion 3 pipeline (two CLIP encoders and a T5, all tokenizers made offline) to
    ``folder``, shaped as diffusers' SD3 ControlNet tests shape theirs."""
    import torch
    from diffusers import (AutoencoderKL, FlowMatchEulerDiscreteScheduler, SD3Transformer2DModel,
                           StableDiffusion3Pipeline)
    from transformers import CLIPTextConfig, CLIPTextModelWithProjection, T5Config, T5EncoderModel

    clip, t5 = clip_tokenizer(), t5_tokenizer()
    torch.manual_seed(seed)
    transformer = SD3Transformer2DModel(**_sd3_dims(4))
    config = CLIPTextConfig(bos_token_id=clip.bos_token_id, eos_token_id=clip.eos_token_id,
                            pad_token_id=clip.pad_token_id, hidden_size=32, intermediate_size=37,
                            num_attention_heads=4, num_hidden_layers=2, vocab_size=len(clip), hidden_act="gelu",
                            projection_dim=32, max_position_embeddings=77)
    encoders = []
    for _ in range(2):
        torch.manual_seed(seed)
        encoders.append(CLIPTextModelWithProjection(config))
    torch.manual_seed(seed)
    text_encoder_3 = T5EncoderModel(T5Config(vocab_size=len(t5), d_model=32, d_kv=8, d_ff=37, num_layers=2,
                                             num_heads=4, pad_token_id=t5.pad_token_id,
                                             eos_token_id=t5.eos_token_id, decoder_start_token_id=0))
    torch.manual_seed(seed)
    vae = AutoencoderKL(sample_size=32, in_channels=3, out_channels=3, block_out_channels=(4,), layers_per_block=1,
                        latent_channels=8, norm_num_groups=1, use_quant_conv=False, use_post_quant_conv=False,
                        shift_factor=0.0609, scaling_factor=1.5035)
    StableDiffusion3Pipeline(
        transformer=transformer, scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, text_encoder=encoders[0],
        tokenizer=clip, text_encoder_2=encoders[1], tokenizer_2=clip, text_encoder_3=text_encoder_3, tokenizer_3=t5,
    ).save_pretrained(folder)
    return folder


def build_sd3_controlnet(folder: Path, seed: int = 0, extra_conditioning_channels: int = 0) -> Path:
    """Save a tiny random SD3ControlNetModel matching ``build_sd3``'s transformer to ``folder`` (its zero-initialised
    output blocks get random weights, so its control shows in the image)."""
    import torch
    from diffusers import SD3ControlNetModel

    torch.manual_seed(seed)
    model = SD3ControlNetModel(**_sd3_dims(3), extra_conditioning_channels=extra_conditioning_channels)
    with torch.no_grad():
        for param in model.parameters():
            if not param.abs().sum():
                param.normal_(0, 0.2)
    model.save_pretrained(folder)
    return folder
