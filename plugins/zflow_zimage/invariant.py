"""Batched pipeline calls whose images are bit-for-bit the ones made alone: one call denoises a batch, but the model
sees each image by itself. A batch changes pixels only through the model's matrix products, whose kernels depend on
how many rows they multiply (on CPU a product of fewer than 8 rows, such as the timestep embedding and the adaLN
modulation of a batch of 1 to 7, takes another path than a larger one); everything else a call does to a batch
(noise per generator, the scheduler's step, image pre- and post-processing) is element by element. So while
``alone`` holds, the Z-Image transformer runs once per image (the shapes of a call made alone, whatever the batch)
and the VAE decodes one image at a time (it already encodes one per generator)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator


def splittable(pipe) -> bool:
    """Whether ``pipe``'s denoiser takes a list of images (Z-Image's transformer), so each can be run alone."""
    transformer = getattr(pipe, "transformer", None)
    return type(transformer).__name__ == "ZImageTransformer2DModel" and getattr(pipe, "vae", None) is not None


@contextmanager
def alone(pipe) -> Iterator[bool]:
    """Each image of ``pipe``'s calls computed as if alone while inside; yields False (and changes nothing) for a
    pipeline whose images cannot be split, so the caller makes them one call each instead."""
    if not splittable(pipe):
        yield False
        return
    transformer, vae = pipe.transformer, pipe.vae
    own = transformer.__dict__.get("forward")  # an instance forward (accelerate's offload hook) is kept under ours
    transformer.forward = _each(transformer.forward)
    slicing = getattr(vae, "use_slicing", False)
    vae.use_slicing = True
    try:
        yield True
    finally:
        vae.use_slicing = slicing
        if own is None:
            del transformer.forward
        else:
            transformer.forward = own


def _each(forward):
    """``forward`` called once per image of a standard (not Omni, not ControlNet) call, the outputs listed again."""

    def each(x, t, cap_feats, *args, return_dict: bool = True, **kwargs: Any):
        if len(x) < 2 or args or isinstance(x[0], list) or kwargs.get("controlnet_block_samples") is not None:
            return forward(x, t, cap_feats, *args, return_dict=return_dict, **kwargs)
        samples = [forward([x[i]], t[i:i + 1] if t.dim() else t, [cap_feats[i]], return_dict=False, **kwargs)[0][0]
                   for i in range(len(x))]
        if not return_dict:
            return (samples,)
        from diffusers.models.modeling_outputs import Transformer2DModelOutput

        return Transformer2DModelOutput(sample=samples)

    return each
