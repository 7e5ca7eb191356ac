"""Webtoon platform presets: strip width, slice height, per-image and per-episode caps, thumbnails (docs/platforms.md,
Webtoon presets)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from .options import OPTIONS

MB, KB = 1_000_000, 1_000  # decimal units: the stricter reading of the platforms' "MB" / "KB"


@dataclass(frozen=True, slots=True)
class Thumb:
    """An episode thumbnail the platform asks for: file name, pixel size, byte cap."""

    name: str
    size: tuple[int, int]
    max_bytes: int


@dataclass(frozen=True, slots=True)
class WebtoonPreset:
    """A platform's upload rules for one episode."""

    name: str
    width: int
    slice_height: int
    image_cap: int
    episode_cap: int | None
    max_images: int | None
    thumbs: tuple[Thumb, ...] = ()
    format: str = "jpeg"


#: WEBTOON Canvas: 800 wide, cut into <= 1280-tall JPGs (WEBTOON ad guide, V); <= 2 MB each and <= 20 MB or 100
#: images an episode (s-morishitastudio; an upload validator citing Canvas help article 32913712749588, S); thumbnails
#: square 1080x1080 < 500 KB, vertical 1080x1920 < 700 KB, episode 202x142 < 500 KB (same validator, S).
_CANVAS_THUMBS = (Thumb("square", (1080, 1080), 500 * KB), Thumb("vertical", (1080, 1920), 700 * KB),
                  Thumb("episode", (202, 142), 500 * KB))

PRESETS: dict[str, WebtoonPreset] = {p.name: p for p in (
    WebtoonPreset("webtoon-canvas", 800, 1280, 2 * MB, 20 * MB, 100, _CANVAS_THUMBS),
    WebtoonPreset("webtoon-originals", 800, 1280, 2 * MB, 20 * MB, 100, _CANVAS_THUMBS),  # same viewer (ad guide, S)
    # Tapas: 940 wide, <= 2 MB an image, <= 20 MB an episode, thumbnail 300x300, book cover 960x1440 (the validator
    # citing creators.tapas.io/file-size-guide, S). No slice cap there; 4000 is s-morishita's "940x4000 max" (U).
    WebtoonPreset("tapas", 940, 4000, 2 * MB, 20 * MB, None,
                  (Thumb("square", (300, 300), 2 * MB), Thumb("cover", (960, 1440), 2 * MB))),
    # Naver 도전만화: 690 wide, JPEG, 50 MB an episode (KOMACON / Naver notices, S);
    # 1280 tall and 5 MB an image (toonslicer via the validator, U).
    WebtoonPreset("naver-challenge", 690, 1280, 5 * MB, 50 * MB, None),
    # Kakao: 720 wide, ~1100 tall, 5 MB (third-party only, U).
    WebtoonPreset("kakao", 720, 1100, 5 * MB, None, None),
    # Lezhin: 1440 wide JPG (2025 contest notice, U). No height or cap published: Canvas's 1280 and 2 MB kept (ours).
    WebtoonPreset("lezhin", 1440, 1280, 2 * MB, None, None),
)}


def lookup(name: str) -> WebtoonPreset:
    """The preset called ``name`` (``_`` or ``-``, any case); raises ValueError listing the known ones."""
    preset = PRESETS.get(name.strip().lower().replace("_", "-"))
    if preset is None:
        raise ValueError(f"unknown webtoon preset {name!r}; known presets: {', '.join(sorted(PRESETS))}")
    return preset


def from_options(opts: Mapping[str, Any]) -> WebtoonPreset:
    """The options' ``preset`` (default webtoon-canvas), its ``width`` replaced when the recipe gives one."""
    preset = lookup(str(opts.get("preset") or OPTIONS["webtoon"]["preset"]))
    if opts.get("width"):
        width = int(opts["width"])
        if width <= 0:
            raise ValueError(f"width {width} must be positive")
        preset = WebtoonPreset(preset.name, width, preset.slice_height, preset.image_cap, preset.episode_cap,
                               preset.max_images, preset.thumbs, preset.format)
    return preset
