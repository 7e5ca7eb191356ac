"""Image-to-image with a Z-Image ControlNet (diffusers 0.42 has no such pipeline): ZImageControlNetPipeline started
from the image noised to ``strength`` on the tail of the schedule, as ZImageImg2ImgPipeline does it."""
from __future__ import annotations

import inspect

import torch
from diffusers import ZImageControlNetPipeline
from diffusers.pipelines.z_image.pipeline_z_image_controlnet import calculate_shift, get_default_z_image_sigmas
from diffusers.pipelines.z_image.pipeline_z_image_img2img import retrieve_latents
from diffusers.utils.torch_utils import randn_tensor


class ZImageControlNetImg2ImgPipeline(ZImageControlNetPipeline):
    """``image`` and ``strength`` as ZImageImg2ImgPipeline takes them, the rest as ZImageControlNetPipeline."""

    @torch.no_grad()
    def __call__(self, *args, image=None, strength: float = 0.6, num_inference_steps: int = 50,
                 generator=None, height=None, width=None, **kwargs):
        """Run the ControlNet pipeline on the last ``strength`` of the schedule from the image's noised latents
        (the image's size is the output's: ``height``/``width`` are taken from it)."""
        init = self.image_processor.preprocess(image).to(dtype=torch.float32)
        height, width = init.shape[-2:]
        sigmas = get_default_z_image_sigmas(num_inference_steps)
        start = int(max(num_inference_steps - min(num_inference_steps * strength, num_inference_steps), 0))
        if start >= num_inference_steps:
            raise ValueError(f"strength {strength} leaves no step of {num_inference_steps}")
        latents = self._noised(init, sigmas, start, generator)
        return super().__call__(*args, height=height, width=width, sigmas=sigmas[start:], latents=latents,
                                generator=generator, **kwargs)

    def _noised(self, init: torch.Tensor, sigmas: list[float], start: int, generator) -> torch.Tensor:
        """The image's latents mixed with noise at the schedule's sigma at ``start`` (the scheduler's shift applied),
        drawn from each image's generator as ZImageImg2ImgPipeline draws them."""
        device, vae = self._execution_device, self.vae
        pixels = init.to(device=device, dtype=vae.dtype)
        if isinstance(generator, list):
            encoded = torch.cat([retrieve_latents(vae.encode(pixels[i:i + 1]), generator=generator[i])
                                 for i in range(pixels.shape[0])])
        else:
            encoded = retrieve_latents(vae.encode(pixels), generator=generator)
        encoded = (encoded - vae.config.shift_factor) * vae.config.scaling_factor
        seq = (encoded.shape[2] // 2) * (encoded.shape[3] // 2)
        config = self.scheduler.config
        mu = calculate_shift(seq, config.get("base_image_seq_len", 256), config.get("max_image_seq_len", 4096),
                             config.get("base_shift", 0.5), config.get("max_shift", 1.15))
        self.scheduler.set_timesteps(sigmas=sigmas, device=device, mu=mu)
        sigma = self.scheduler.sigmas[start].to(device)
        noise = randn_tensor(encoded.shape, generator=generator, device=device, dtype=encoded.dtype)
        return (sigma * noise + (1.0 - sigma) * encoded).to(torch.float32)


def _signature() -> inspect.Signature:
    """The ControlNet pipeline's call arguments with ``image`` and ``strength`` (what the backend reads to know
    which arguments a pipeline takes)."""
    base = inspect.signature(ZImageControlNetPipeline.__call__)
    extra = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
             for name, default in (("image", None), ("strength", 0.6))]
    return base.replace(parameters=[*base.parameters.values(), *extra])


ZImageControlNetImg2ImgPipeline.__call__.__signature__ = _signature()
