"""What each Gemini image model accepts: image sizes, aspect ratios and how many images one request may carry."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from zflow.contracts import ModelRef
from zflow.errors import PluginError

BASE_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
WIDE_RATIOS = BASE_RATIOS + ("1:4", "4:1", "1:8", "8:1")
SIZES = ("1K", "2K", "4K")


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """One model's limits: ``image_sizes`` smallest first, ``aspect_ratios`` as "w:h", ``max_images`` per request."""

    image_sizes: tuple[str, ...]
    aspect_ratios: tuple[str, ...]
    max_images: int


#: Known models (ids change often: options ``image_sizes``, ``aspect_ratios`` and ``max_images`` override these,
#: and an unknown id gets the newest model's limits).
KNOWN = {
    "gemini-nano-banana-2.1": ModelSpec(SIZES, WIDE_RATIOS, 14),
    "gemini-3-pro-image": ModelSpec(SIZES, BASE_RATIOS, 14),
    "gemini-3.1-flash-image": ModelSpec(("512",) + SIZES, WIDE_RATIOS, 14),
    "gemini-3.1-flash-lite-image": ModelSpec(("1K",), WIDE_RATIOS, 14),
    "gemini-2.5-flash-image": ModelSpec(("1K",), BASE_RATIOS, 3),
}
DEFAULT = KNOWN["gemini-nano-banana-2.1"]


def model_id(model: ModelRef) -> str:
    """The Gemini model id of a stage: ``gemini-3-pro-image`` or ``models/gemini-3-pro-image``.

    zflow's config reads a bare id without a slash as a local path (made absolute); a Gemini id is never a folder,
    so the last path component is the id."""
    text = model.model.strip()
    if not text:
        raise PluginError('a stage with backend = "nanobanana" needs model = "<Gemini image model id>" '
                          f"(for example {', '.join(KNOWN)})")
    name = text.removeprefix("models/") if text.startswith("models/") else PurePath(text).name
    if not name:
        raise PluginError(f"model {model.model!r}: not a Gemini image model id")
    return name


def spec_for(name: str, image_sizes: tuple[str, ...] | None, aspect_ratios: tuple[str, ...] | None,
             max_images: int | None) -> ModelSpec:
    """The limits of model ``name``, with any limits the stage's options set."""
    known = KNOWN.get(name, DEFAULT)
    return ModelSpec(image_sizes or known.image_sizes, aspect_ratios or known.aspect_ratios,
                     max_images or known.max_images)
