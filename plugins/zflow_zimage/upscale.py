"""The upscale stage on a diffusers model: a first pass to the output size (a super-resolution model file loaded with
spandrel, else Lanczos), then overlapping tiles re-denoised by the stage's img2img pipeline at low strength (the
tiles of an image in batched calls, smaller batches after an out-of-memory error) and blended with feathered
overlaps."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from PIL import Image, ImageOps

from zflow.contracts import Request
from zflow.errors import PluginError

from . import tiles
from .invariant import alone
from .jobs import Job, combined_negative
from .options import Settings
from .superres import super_resolve
from .vaetiling import tiled_while


@dataclass(frozen=True, slots=True)
class Upscaled:
    """One upscale's result: the image, the jobs its tiles ran as, and what the output's meta says of it."""

    image: Image.Image
    jobs: tuple[Job, ...]
    meta: dict[str, Any]


def first_pass(image: Image.Image, size: tuple[int, int], upscaler: Path | None, device: str) -> Image.Image:
    """``image`` at exactly ``size``: through the super-resolution model first when one is given, then Lanczos
    (covering ``size``, centre-cropped when its aspect differs a little)."""
    if upscaler is not None:
        image = super_resolve(image, upscaler, device)
    return ImageOps.fit(image.convert("RGB"), size, method=Image.Resampling.LANCZOS)


def tile_jobs(request: Request, big: Image.Image, settings: Settings, step: int) -> tuple[list[tiles.Box], list[Job]]:
    """The img2img job of each tile of the first pass: the scene's prompt, the negative of every stage (the stage's,
    then the style's and the scene's: ``jobs.combined_negative``), a seed per tile, the upscale's strength."""
    p = request.params
    boxes = tiles.grid(big.size, int(p["tile"]), int(p["overlap"]), step)
    negative = combined_negative(settings.negative, str(p.get("negative") or ""))  # stage, then style and scene
    jobs = []
    for index, box in enumerate(boxes):
        crop = big.crop(box)
        jobs.append(Job("image2image", size=crop.size, gen_size=crop.size, prompt=str(p.get("prompt") or ""),
                        negative=negative, seed=int(p.get("seed", 0)) + index, steps=settings.steps,
                        guidance=settings.guidance, strength=float(p["strength"]), image=crop))
    return boxes, jobs


def upscale(request: Request, settings: Settings, step: int, device: str,
            run: Callable[[list[Job]], list]) -> Upscaled:
    """One upscale request: first pass, tiles re-denoised through ``run`` (batched pipeline calls), blended."""
    p = request.params
    size = (int(p["size"][0]), int(p["size"][1]))
    if size[0] % step or size[1] % step or int(p["tile"]) % step:
        raise ValueError(f"upscale to {size[0]}x{size[1]} with tiles of {p['tile']} px: this model needs multiples "
                         f"of {step} px")
    upscaler = _upscaler(request)
    with Image.open(request.images[0].main) as opened:
        small = opened.convert("RGB")
    big = first_pass(small, size, upscaler, device)
    meta = {"upscaled_from": list(small.size), "upscaler": upscaler.name if upscaler else "lanczos",
            "tile": int(p["tile"]), "overlap": int(p["overlap"]), "strength": float(p["strength"])}
    if float(p["strength"]) == 0:
        return Upscaled(big, (), meta | {"tiles": 0})
    boxes, jobs = tile_jobs(request, big, settings, step)
    made = run(jobs)
    failed = [m for m in made if isinstance(m, BaseException)]
    if failed:
        raise failed[0]
    return Upscaled(tiles.blend(size, boxes, made, int(p["overlap"])), tuple(jobs), meta | {"tiles": len(jobs)})


@contextmanager
def tile_calls(pipe, settings: Settings, side: int) -> Iterator[bool]:
    """How the tiles of ``side`` px are run while inside: VAE tiling when they are large (``vaetiling``), and, unless
    the stage sets ``exact_batches = false``, each tile bit-for-bit the one made alone though tiles share calls
    (``invariant.alone``). Yields whether each tile must rather be its own call (a pipeline that cannot split)."""
    with tiled_while(pipe, side, settings.vae_tiling_above):
        if not settings.exact_batches:
            yield False
            return
        with alone(pipe) as split:
            yield not split


def _upscaler(request: Request) -> Path | None:
    chosen = request.params.get("upscaler")
    if not chosen:
        return None
    path = Path(chosen["file"])
    path = path if path.is_absolute() else request.root / path
    if not path.is_file():
        raise PluginError(f"upscaler file {path} not found")
    return path
