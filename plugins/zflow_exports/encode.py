"""Encoding under a byte cap: the highest quality whose file fits, found by bisection."""
from __future__ import annotations

import io
from typing import Any, Mapping

from PIL import Image

#: Quality range searched. 90 is the top of the webtoon range (JPEG q85-90); below 40 artefacts
#: show on faces, so a file that needs less fails with a clear error instead (docs/platforms.md, Encoding).
MAX_QUALITY, MIN_QUALITY = 90, 40
#: Encoder settings per format. WebP method 4 and AVIF speed 8: the fast settings (docs/platforms.md, Encoding:
#: WebP m4 303 ms vs m6 557 ms for 1% size; AVIF s8 0.86 s vs s6 2.3 s for 1%).
_SETTINGS: dict[str, dict[str, Any]] = {
    "jpeg": {},
    "webp": {"method": 4},
    "avif": {"speed": 8},
    "png": {"compress_level": 6},
}
#: Settings that trade time for bytes, used only once a file is over its cap: optimized JPEG Huffman tables cost
#: ~80% more encode time here for a few percent fewer bytes; WebP method 6 costs 1.8x for ~1% (docs/platforms.md,
#: Encoding).
_TIGHT: dict[str, dict[str, Any]] = {"jpeg": {"optimize": True}, "webp": {"method": 6}, "avif": {}, "png": {}}
_PIL_FORMAT = {"jpeg": "JPEG", "webp": "WEBP", "avif": "AVIF", "png": "PNG"}


class OverCap(ValueError):
    """No quality in range gets the file under its cap."""


def encode(img: Image.Image, fmt: str, quality: int, extra: Mapping[str, Any] | None = None,
           tight: bool = False) -> bytes:
    """The image encoded as ``fmt`` at ``quality`` (ignored for PNG) with extra save options (metadata); ``tight``
    spends more time for fewer bytes."""
    buf = io.BytesIO()
    options = dict(_SETTINGS[fmt], **(_TIGHT[fmt] if tight else {}), **(extra or {}))
    if fmt != "png":
        options["quality"] = quality
    img.save(buf, _PIL_FORMAT[fmt], **options)
    return buf.getvalue()


def encode_capped(img: Image.Image, fmt: str, max_bytes: int, extra: Mapping[str, Any] | None = None,
                  top: int = MAX_QUALITY) -> tuple[bytes, int]:
    """The best-quality encoding of at most ``max_bytes`` and its quality; raises OverCap when none fits.

    The fast settings at the top quality usually fit; only a file over its cap pays for the tight settings.
    """
    data = encode(img, fmt, top, extra)
    if len(data) <= max_bytes:
        return data, top
    if fmt == "png":
        raise OverCap(f"PNG is {len(data):,} bytes, over the {max_bytes:,}-byte cap (PNG has no quality to lower)")
    low, high, best = MIN_QUALITY, top, None
    while low <= high:
        mid = (low + high) // 2
        candidate = encode(img, fmt, mid, extra, tight=True)
        if len(candidate) <= max_bytes:
            best, low = (candidate, mid), mid + 1
        else:
            high = mid - 1
    if best is None:
        raise OverCap(f"even quality {MIN_QUALITY} is over the {max_bytes:,}-byte cap")
    return best
