"""Tiny random-weight instruction-edit pipelines (Qwen-Image-Edit-Plus, FLUX.1 Kontext) saved to folders: diffusers'
own test configurations, with tokenizers and processors built on disk (nothing from the hub)."""
from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from zflow.contracts import Artifact

from helpers.zimage_model import QWEN_SPECIALS, byte_symbols

#: Qwen2-VL's image tokens, beside the Qwen specials Z-Image's tokenizer has.
VISION_TOKENS = ["<|image_pad|>", "<|video_pad|>"]


def sheet(folder: Path, name: str, colour, **meta) -> Artifact:
    """A plain 48x64 character sheet of ``name`` in ``colour``, stored as the engine hands it to a refine or edit."""
    path = folder / f"{name}.png"
    Image.new("RGB", (48, 64), colour).save(path)
    return Artifact(f"characters/{name}/sheet", f"key-{name}", {"image.png": path}, meta)


def qwen_vl_tokenizer():
    """A byte-level Qwen2 tokenizer with the chat and vision special tokens Qwen-Image-Edit prompts use."""
    from transformers import Qwen2Tokenizer

    vocab = {s: i for i, s in enumerate(byte_symbols())}
    tokenizer = Qwen2Tokenizer(vocab=vocab, merges=[], unk_token=None, eos_token="<|im_end|>",
                               pad_token="<|endoftext|>")
    tokenizer.add_special_tokens({"additional_special_tokens": QWEN_SPECIALS + VISION_TOKENS})
    return tokenizer


def build_qwen_edit_plus(folder: Path, seed: int = 0) -> Path:
    """Save a tiny random QwenImageEditPlusPipeline (tests/pipelines/qwenimage/test_qwenimage_edit_plus.py's
    components) in the hub's layout: its processor folder holds the tokenizer and the image processor."""
    import torch
    from diffusers import (AutoencoderKLQwenImage, FlowMatchEulerDiscreteScheduler, QwenImageEditPlusPipeline,
                           QwenImageTransformer2DModel)
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration, Qwen2VLImageProcessor

    from zflow_zimage.qwen_edit import image_processor

    tokenizer = qwen_vl_tokenizer()
    ids = tokenizer.convert_tokens_to_ids
    torch.manual_seed(seed)
    transformer = QwenImageTransformer2DModel(
        patch_size=2, in_channels=16, out_channels=4, num_layers=2, attention_head_dim=16, num_attention_heads=3,
        joint_attention_dim=16, guidance_embeds=False, axes_dims_rope=(8, 4, 4),
    )
    torch.manual_seed(seed)
    vae = AutoencoderKLQwenImage(base_dim=24, z_dim=4, dim_mult=[1, 2, 4], num_res_blocks=1,
                                 temperal_downsample=[False, True], latents_mean=[0.0] * 4, latents_std=[1.0] * 4)
    torch.manual_seed(seed)
    text_encoder = Qwen2_5_VLForConditionalGeneration(Qwen2_5_VLConfig(
        text_config={"hidden_size": 16, "intermediate_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2,
                     "num_key_value_heads": 2, "vocab_size": len(tokenizer), "rope_theta": 1000000.0,
                     "bos_token_id": ids("<|endoftext|>"), "eos_token_id": ids("<|im_end|>"),
                     "rope_scaling": {"mrope_section": [1, 1, 2], "rope_type": "default", "type": "default"}},
        vision_config={"depth": 2, "hidden_size": 16, "intermediate_size": 16, "num_heads": 2, "out_hidden_size": 16},
        hidden_size=16, vocab_size=len(tokenizer), vision_start_token_id=ids("<|vision_start|>"),
        vision_end_token_id=ids("<|vision_end|>"), vision_token_id=ids("<|image_pad|>"),
        image_token_id=ids("<|image_pad|>"), video_token_id=ids("<|video_pad|>"),
    ))
    processor_folder = folder / "processor"
    tokenizer.save_pretrained(processor_folder)
    Qwen2VLImageProcessor().save_pretrained(processor_folder)
    pipe = QwenImageEditPlusPipeline(transformer=transformer, vae=vae, scheduler=FlowMatchEulerDiscreteScheduler(),
                                     text_encoder=text_encoder, tokenizer=tokenizer,
                                     processor=image_processor(folder, None, True))
    pipe.register_modules(processor=None)  # a processor without a video part cannot save itself: saved above
    pipe.save_pretrained(folder)
    index = json.loads((folder / "model_index.json").read_text())
    (folder / "model_index.json").write_text(json.dumps({**index, "processor": ["transformers", "Qwen2VLProcessor"]}))
    return folder


def build_flux_kontext(folder: Path, seed: int = 0) -> Path:
    """Save a tiny random FluxKontextPipeline (tests/pipelines/flux/test_pipeline_flux_kontext.py's components, with
    a four-block VAE so that sides are multiples of 16 as with the real one)."""
    import torch
    from diffusers import AutoencoderKL, FlowMatchEulerDiscreteScheduler, FluxKontextPipeline, FluxTransformer2DModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer, T5Config, T5EncoderModel, T5TokenizerFast

    symbols = byte_symbols()
    vocab = {s: i for i, s in enumerate(symbols + [s + "</w>" for s in symbols])}
    vocab.update({"<|startoftext|>": len(vocab), "<|endoftext|>": len(vocab) + 1})
    clip_tokenizer = CLIPTokenizer(vocab=vocab, merges=[], model_max_length=77)
    t5_tokenizer = T5TokenizerFast(vocab=[("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("\u2581", -2.0)]
                                   + [(chr(c), -3.0) for c in range(32, 127)], extra_ids=0)
    torch.manual_seed(seed)
    transformer = FluxTransformer2DModel(
        patch_size=1, in_channels=16, num_layers=1, num_single_layers=1, attention_head_dim=16, num_attention_heads=2,
        joint_attention_dim=32, pooled_projection_dim=32, axes_dims_rope=[4, 4, 8],
    )
    torch.manual_seed(seed)
    text_encoder = CLIPTextModel(CLIPTextConfig(
        bos_token_id=vocab["<|startoftext|>"], eos_token_id=vocab["<|endoftext|>"], pad_token_id=vocab["<|endoftext|>"],
        hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2, vocab_size=len(vocab),
        projection_dim=32, max_position_embeddings=77,
    ))
    torch.manual_seed(seed)
    text_encoder_2 = T5EncoderModel(T5Config(vocab_size=len(t5_tokenizer), d_model=32, d_kv=8, d_ff=37, num_layers=2,
                                             num_heads=4, decoder_start_token_id=0, pad_token_id=0, eos_token_id=1))
    torch.manual_seed(seed)
    vae = AutoencoderKL(
        sample_size=32, in_channels=3, out_channels=3, down_block_types=["DownEncoderBlock2D"] * 4,
        up_block_types=["UpDecoderBlock2D"] * 4, block_out_channels=(4, 4, 4, 4), layers_per_block=1,
        latent_channels=4, norm_num_groups=1, use_quant_conv=False, use_post_quant_conv=False, shift_factor=0.0609,
        scaling_factor=1.5035,
    )
    FluxKontextPipeline(scheduler=FlowMatchEulerDiscreteScheduler(), text_encoder=text_encoder,
                        text_encoder_2=text_encoder_2, tokenizer=clip_tokenizer, tokenizer_2=t5_tokenizer,
                        transformer=transformer, vae=vae, image_encoder=None, feature_extractor=None
                        ).save_pretrained(folder)
    return folder
