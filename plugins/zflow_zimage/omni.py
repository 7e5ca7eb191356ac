"""ZImageOmniPipeline with its VAE encode in the VAE's own dtype (diffusers 0.42.1 hard-codes bfloat16)."""
from __future__ import annotations

import diffusers


class ZImageOmniPipeline(diffusers.ZImageOmniPipeline):
    """diffusers' Omni pipeline (same name, same files), runnable with a float32 VAE (CPU) as well as bfloat16."""

    def prepare_image_latents(self, images, batch_size, device, dtype):
        latents = []
        for image in images:
            image = image.to(device=device, dtype=self.vae.dtype)
            latent = self.vae.encode(image).latent_dist.mode()[0]
            latent = (latent - self.vae.config.shift_factor) * self.vae.config.scaling_factor
            latents.append(latent.unsqueeze(1).to(dtype))
        return [latents.copy() for _ in range(batch_size)]
