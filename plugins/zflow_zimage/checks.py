"""Output checks: a NaN or all-black image is an error, not an artifact; good arrays become RGB images."""
from __future__ import annotations

from PIL import Image

#: Brightest value (0-1) an image may have and still count as all black.
BLACK = 1.0 / 255.0


class BadImage(ValueError):
    """The pipeline returned an image that is not a picture (NaN, all black)."""


def to_image(array) -> Image.Image:
    """An HxWx3 float array in [0, 1] as an RGB image; raises BadImage for NaN or all-black output."""
    import numpy as np

    peak = float(array.max())  # NaN anywhere makes the peak NaN: one pass checks both
    if peak != peak:
        raise BadImage("the model returned NaN pixels (float16 does this with Z-Image: use dtype bfloat16 on GPU, "
                       "float32 on CPU)")
    if peak <= BLACK:
        raise BadImage("the model returned an all-black image (NaN in the VAE, or a safety checker): not stored")
    scaled = array.clip(0.0, 1.0)  # the pipeline's array is left as it was; the rest works in this copy
    scaled *= 255.0
    return Image.fromarray(np.round(scaled, out=scaled).astype("uint8"), "RGB")
