"""Character LoRA training on the zimage backend (``train`` tasks): a flow-matching LoRA on the Z-Image transformer
with peft, as diffusers' ``train_dreambooth_lora_z_image.py`` trains it, from cached latents and prompt encodings,
checkpointed so a killed build resumes where it stopped. ``run`` (imported at first use) does one task."""
