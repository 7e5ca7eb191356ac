"""Shared helpers of the export tests: synthetic scene images, requests, and metadata readers."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from zflow.contracts import Artifact, ModelRef, Request, Task

IPTC = "{http://iptc.org/std/Iptc4xmpExt/2008-02-29/}"


def scene_png(path: Path, size: tuple[int, int] = (1024, 1024), face: tuple[int, int, int, int] | None = None) -> Path:
    """A textured picture with a skin-coloured head at ``face`` (default: upper middle) on a body."""
    w, h = size
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    for y in range(0, h, 8):
        draw.rectangle((0, y, w, y + 8), fill=(40 + y * 80 // h, 90, 140 - y * 60 // h))
    for x in range(0, w, 64):
        draw.line((x, 0, x + 40, h), fill=(70, 110, 150), width=3)
    fx0, fy0, fx1, fy1 = face or (w * 2 // 5, h // 5, w * 3 // 5, h * 2 // 5)
    draw.rectangle((fx0 - (fx1 - fx0) // 2, fy1, fx1 + (fx1 - fx0) // 2, h), fill=(30, 120, 60))
    draw.ellipse((fx0, fy0, fx1, fy1), fill=(236, 188, 160), outline=(20, 20, 20), width=4)
    img.save(path)
    return path


def artifact(task_id: str, path: Path, **meta: Any) -> Artifact:
    base = {"model": "Tongyi-MAI/Z-Image-Turbo", "revision": "abc123", "backend": "preview", "prompt": "a barista",
            "negative": "blurry", "seed": 7, "steps": 8, "guidance": 0.0}
    return Artifact(task_id, f"key-{task_id}", {"image.png": path}, {**base, **meta})


def export_request(tmp_path: Path, exporter: str, options: dict[str, Any], inputs: list[Artifact],
                   scenes: list[dict[str, Any]] | None = None, kind: str = "export") -> Request:
    if scenes is None:
        scenes = [{"id": "/".join(a.task_id.split("/")[1:-1]), "image": i, "title": "", "alt": "",
                   "prompt": "a barista", "seed": 7, "reframes": {}} for i, a in enumerate(inputs)]
    params = {"exporter": exporter, "name": exporter, "options": options, "scenes": scenes}
    task = Task(id=f"s/export/{exporter}", kind=kind, params=params, inputs=tuple(a.task_id for a in inputs))
    return Request(task, key="k", model=ModelRef("exporter"), inputs=tuple(inputs), root=tmp_path)


def written(tmp_path: Path, files: dict[str, bytes]) -> dict[str, Path]:
    """The output files written under tmp_path/out, by relative name."""
    out = {}
    for name, data in files.items():
        path = tmp_path / "out" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        out[name] = path
    return out


def xmp_fields(path: Path) -> dict[str, str]:
    """The Iptc4xmpExt fields of the file's XMP packet, parsed with ElementTree."""
    with Image.open(path) as img:
        raw = img.info.get("xmp") or img.info.get("XML:com.adobe.xmp")
    assert raw, f"{path.name} has no XMP"
    text = raw.decode() if isinstance(raw, bytes) else raw
    root = ET.fromstring(text[text.index("<x:xmpmeta"): text.index("</x:xmpmeta>") + len("</x:xmpmeta>")])
    return {el.tag.removeprefix(IPTC): (el.text or "") for el in root.iter() if el.tag.startswith(IPTC)}


def parameters(path: Path) -> str:
    """The A1111 ``parameters`` text: a PNG text chunk or the EXIF UserComment."""
    with Image.open(path) as img:
        if img.format == "PNG":
            return img.info["parameters"]
        comment = img.getexif().get_ifd(0x8769)[0x9286]
    assert comment[:8] == b"UNICODE\x00"
    return comment[8:].decode("utf-16-be")
