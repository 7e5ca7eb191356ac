"""VAE tiling for large images: a pipeline call whose images have a side over the stage's ``vae_tiling_above``
(1024 px unless set: Z-Image's 1-megapixel range is never tiled, a 2048 px draft or refine and a larger upscale tile
are) encodes and decodes them in overlapping tiles, so the VAE's memory stays that of a tile. The VAE is shared by
a model's pipelines, so each call group sets it, and it is switched off again after a run."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator


def set_tiling(pipe, side: int, above: int) -> bool:
    """Tile ``pipe``'s VAE for the coming calls if images of ``side`` px exceed ``above``; whether it does."""
    vae = getattr(pipe, "vae", None)
    if vae is None or not hasattr(vae, "enable_tiling"):
        return False
    tiled = side > above
    if tiled != bool(getattr(vae, "use_tiling", False)):
        vae.enable_tiling() if tiled else vae.disable_tiling()
    return tiled


@contextmanager
def untiled_after(pipe) -> Iterator[None]:
    """``pipe``'s VAE untiled again when the block ends, however it ends."""
    try:
        yield
    finally:
        set_tiling(pipe, 0, 0)


@contextmanager
def tiled_while(pipe, side: int, above: int) -> Iterator[bool]:
    """``pipe``'s VAE tiled inside the block if images of ``side`` px exceed ``above``, untiled after."""
    with untiled_after(pipe):
        yield set_tiling(pipe, side, above)
