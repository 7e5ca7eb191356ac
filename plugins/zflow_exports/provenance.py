"""AI provenance written into image files: IPTC DigitalSourceType XMP and an A1111-style ``parameters`` text."""
from __future__ import annotations

from typing import Any, Mapping
from xml.sax.saxutils import escape

from PIL import Image
from PIL.PngImagePlugin import PngInfo

#: IPTC NewsCodes digital source types (spec sheet section 4, V).
TRAINED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
COMPOSITE = "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
IPTC_EXT = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
#: JPEG carries XMP in one APP1 segment of at most 65,535 bytes, or Pillow raises (sheet section 4); prompts are cut
#: so the packet stays under this.
MAX_XMP = 60_000
#: EXIF tags: the Exif IFD pointer and UserComment (EXIF 2.32), where A1111 keeps ``parameters`` in JPEG/WebP.
EXIF_IFD, USER_COMMENT = 0x8769, 0x9286
#: UserComment's 8-byte character-code prefix for UTF-16 text (EXIF 2.32; what piexif's "unicode" encoding writes).
UNICODE_PREFIX = b"UNICODE\x00"
#: EXIF shares XMP's one-segment limit (65,533 bytes); at 2 bytes a UTF-16 character this many fit with room to spare.
MAX_COMMENT_CHARS = 30_000


def xmp_packet(meta: Mapping[str, Any], source_type: str = TRAINED) -> bytes:
    """An XMP packet with the digital source type and the IPTC 2025.1 AI fields that the meta knows; a prompt too
    long for one JPEG segment is shortened."""
    prompt = str(meta.get("prompt") or "")
    while True:
        packet = _packet(dict(meta, prompt=prompt), source_type)
        if len(packet) <= MAX_XMP:
            return packet
        if not prompt:
            raise ValueError(f"provenance XMP is {len(packet):,} bytes, over the {MAX_XMP:,} one JPEG segment holds")
        prompt = prompt[: len(prompt) // 2]


def _packet(meta: Mapping[str, Any], source_type: str) -> bytes:
    fields = [f"<Iptc4xmpExt:DigitalSourceType>{source_type}</Iptc4xmpExt:DigitalSourceType>"]
    for tag, key in (("AISystemUsed", "model"), ("AISystemVersionUsed", "revision"), ("AIPromptInformation", "prompt")):
        if meta.get(key) not in (None, ""):
            fields.append(f"<Iptc4xmpExt:{tag}>{escape(str(meta[key]))}</Iptc4xmpExt:{tag}>")
    head = ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            f'<rdf:Description rdf:about="" xmlns:Iptc4xmpExt="{IPTC_EXT}">')
    tail = '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    return (head + "".join(fields) + tail).encode()


def parameters_text(meta: Mapping[str, Any]) -> str:
    """The A1111 ``parameters`` text: prompt, ``Negative prompt:`` line, then ``Key: value`` settings."""
    lines = [str(meta.get("prompt", ""))]
    if meta.get("negative"):
        lines.append(f"Negative prompt: {meta['negative']}")
    settings = []
    for label, key in (("Steps", "steps"), ("CFG scale", "guidance"), ("Seed", "seed"), ("Size", "size"),
                       ("Denoising strength", "strength"), ("Model", "model"), ("Model hash", "revision"),
                       ("Backend", "backend")):
        value = meta.get(key)
        if value in (None, ""):
            continue
        if key == "size" and isinstance(value, (list, tuple)):
            value = f"{value[0]}x{value[1]}"
        settings.append(f"{label}: {value}")
    if settings:
        lines.append(", ".join(settings))
    return "\n".join(lines)


def save_options(fmt: str, meta: Mapping[str, Any], source_type: str = TRAINED) -> dict[str, Any]:
    """Pillow ``save`` keyword arguments that embed the provenance in a file of format ``fmt``."""
    xmp = xmp_packet(meta, source_type)
    text = parameters_text(meta)
    if fmt == "png":
        info = PngInfo()
        info.add_itxt("XML:com.adobe.xmp", xmp.decode())
        info.add_text("parameters", text)
        return {"pnginfo": info}
    exif = Image.Exif()
    exif.get_ifd(EXIF_IFD)[USER_COMMENT] = UNICODE_PREFIX + text[:MAX_COMMENT_CHARS].encode("utf-16-be")
    return {"xmp": xmp, "exif": exif.tobytes()}
