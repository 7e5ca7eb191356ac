"""AI provenance text for image files: the IPTC DigitalSourceType XMP packet and the A1111 ``parameters`` text."""
from __future__ import annotations

from typing import Any, Mapping
from xml.sax.saxutils import escape

#: IPTC NewsCodes digital source types (docs/platforms.md, "Provenance").
TRAINED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
COMPOSITE = "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
IPTC_EXT = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
#: JPEG carries XMP in one APP1 segment of at most 65,535 bytes, or Pillow raises; prompts are cut so the packet
#: stays under this.
MAX_XMP = 60_000
#: The A1111 settings line: label and meta key, in A1111's order, then zflow's own (Backend, Stage).
SETTINGS = (("Steps", "steps"), ("Sampler", "pipeline"), ("CFG scale", "guidance"), ("Seed", "seed"),
            ("Size", "size"), ("Model hash", "revision"), ("Model", "model"), ("Denoising strength", "strength"),
            ("Backend", "backend"), ("Stage", "stage"))


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
    """The ``parameters`` text A1111, Civitai and ComfyUI readers show: the prompt, a ``Negative prompt:`` line when
    there is one, then ``Key: value`` settings on one line."""
    lines = [str(meta.get("prompt") or "")]
    if meta.get("negative"):
        lines.append(f"Negative prompt: {meta['negative']}")
    settings = []
    for label, key in SETTINGS:
        value = meta.get(key)
        if value in (None, ""):
            continue
        if key == "size" and isinstance(value, (list, tuple)):
            value = "x".join(str(v) for v in value)
        settings.append(f"{label}: {value}")
    if settings:
        lines.append(", ".join(settings))
    return "\n".join(lines)


def png_info(meta: Mapping[str, Any], source_type: str = TRAINED) -> Any:
    """Pillow ``PngInfo`` with the XMP packet (iTXt ``XML:com.adobe.xmp``) and the ``parameters`` text chunk."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp_packet(meta, source_type).decode())
    info.add_text("parameters", parameters_text(meta))
    return info
