"""Provenance embedded by the exporters: XMP and ``parameters`` per file format, and the sRGB ICC profile."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

from PIL import Image, ImageCms

from zflow.contracts.provenance import TRAINED, parameters_text, png_info, xmp_packet

#: The ICC header's creation date (year, month, day, hour, minute, second as 16-bit numbers): 2000-01-01 00:00:00.
PROFILE_DATE = bytes([0x07, 0xD0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0])
#: EXIF tags: the Exif IFD pointer and UserComment (EXIF 2.32), where A1111 keeps ``parameters`` in JPEG/WebP.
EXIF_IFD, USER_COMMENT = 0x8769, 0x9286
#: UserComment's 8-byte character-code prefix for UTF-16 text (EXIF 2.32; what piexif's "unicode" encoding writes).
UNICODE_PREFIX = b"UNICODE\x00"
#: EXIF shares XMP's one-segment limit (65,533 bytes); at 2 bytes a UTF-16 character this many fit with room to spare.
MAX_COMMENT_CHARS = 30_000


@lru_cache(maxsize=1)
def srgb_profile() -> bytes:
    """LittleCMS's sRGB ICC profile: tags the pixels' colour space, which the exporters convert every input to
    (docs/platforms.md: Instagram and Threads convert uploads to sRGB; an untagged file is guessed). LittleCMS stamps
    a new profile with the time it was made; a fixed date (and no profile ID, which hashes the header) keeps every
    export the same bytes from one build to the next."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    data[24:36] = PROFILE_DATE
    data[84:100] = bytes(16)
    return bytes(data)


def save_options(fmt: str, meta: Mapping[str, Any], source_type: str = TRAINED) -> dict[str, Any]:
    """Pillow ``save`` keyword arguments that embed the provenance and the sRGB profile in a file of format ``fmt``."""
    if fmt == "png":
        return {"pnginfo": png_info(meta, source_type), "icc_profile": srgb_profile()}
    exif = Image.Exif()
    text = parameters_text(meta)
    exif.get_ifd(EXIF_IFD)[USER_COMMENT] = UNICODE_PREFIX + text[:MAX_COMMENT_CHARS].encode("utf-16-be")
    return {"xmp": xmp_packet(meta, source_type), "exif": exif.tobytes(), "icc_profile": srgb_profile()}
