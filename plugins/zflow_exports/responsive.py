"""Responsive images: one picture at several widths in AVIF, WebP and a JPEG fallback, and its <picture> data."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from PIL import Image

from .encode import encode
from .provenance import save_options
from .reframe import LANCZOS

#: Widths to emit: 480/768/1024/1536/2048 (docs/platforms.md, Blog posts: WordPress's sub-sizes), none above the source.
WIDTHS = (480, 768, 1024, 1536, 2048)
#: Order of <source> elements: AVIF, then WebP, then the JPEG <img> fallback (docs/platforms.md, Blog posts).
FORMATS = ("avif", "webp", "jpeg")
#: Qualities: AVIF q60, WebP q80, JPEG q85 (docs/platforms.md, Encoding).
QUALITY = {"avif": 60, "webp": 80, "jpeg": 85}
MIME = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg"}
EXT = {"avif": "avif", "webp": "webp", "jpeg": "jpg"}
#: The JPEG fallback's src is the largest width not above this (a laptop column; our choice).
FALLBACK_WIDTH = 1024


@dataclass(frozen=True, slots=True)
class Picture:
    """What a template needs for one <picture>: (type, srcset) sources, the JPEG img's srcset and src, the largest
    JPEG (what a generator that optimises Markdown images is given), size, alt. Every URL is the post's link."""

    sources: tuple[tuple[str, str], ...]
    srcset: str
    src: str
    largest: str
    width: int
    height: int
    alt: str
    sizes: str


def widths_for(width: int) -> list[int]:
    """The standard widths below the source's, and the source's own width when it is under the largest."""
    out = [w for w in WIDTHS if w < width]
    return out + [min(width, WIDTHS[-1])]


def render(img: Image.Image, stem: str, alt: str, meta: Mapping[str, Any], folder: str = "images",
           link: Callable[[str], str] = lambda name: f"images/{name}",
           sizes: str = "(max-width: 800px) 100vw, 800px") -> tuple[dict[str, bytes], Picture]:
    """Every width in every format (with provenance) as ``<folder>/<stem>-<w>.<ext>``, and the picture's data whose
    URLs are ``link(<stem>-<w>.<ext>)``."""
    files: dict[str, bytes] = {}
    srcsets: dict[str, list[str]] = {f: [] for f in FORMATS}
    widths = widths_for(img.width)
    for width in widths:
        height = round(img.height * width / img.width)
        scaled = img if width == img.width else img.resize((width, height), LANCZOS, reducing_gap=2.0)
        for fmt in FORMATS:
            name = f"{stem}-{width}.{EXT[fmt]}"
            files[f"{folder}/{name}"] = encode(scaled, fmt, QUALITY[fmt], save_options(fmt, meta))
            srcsets[fmt].append(f"{link(name)} {width}w")
    fallback = max([w for w in widths if w <= FALLBACK_WIDTH] or widths[:1])
    sources = tuple((MIME[f], ", ".join(srcsets[f])) for f in FORMATS if f != "jpeg")
    picture = Picture(sources, ", ".join(srcsets["jpeg"]), link(f"{stem}-{fallback}.jpg"),
                      link(f"{stem}-{widths[-1]}.jpg"), fallback, round(img.height * fallback / img.width), alt, sizes)
    return files, picture
