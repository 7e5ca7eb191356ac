"""What one task asks the model: the images it sends (source, character sheets, mask) and the instruction text."""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from PIL import Image

from zflow.contracts import Artifact, Request
from zflow.contracts.references import reference_role, reference_text, refine_text
from zflow.errors import TaskError

_MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}


@dataclass(frozen=True, slots=True)
class Picture:
    """One image sent with a request, and what it is (for the instruction and the provenance)."""

    data: bytes
    mime: str
    role: str


@dataclass(frozen=True, slots=True)
class Ask:
    """A task's request: its images in order and the instruction text that refers to them by number."""

    pictures: tuple[Picture, ...]
    text: str


def build(request: Request, model: str, max_images: int) -> Ask:
    """The request of a ``sheet``, ``draft``, ``refine``, ``edit`` or ``upscale`` task; a TaskError past the model's image limit."""
    kind, p = request.task.kind, request.params
    if kind == "sheet":
        ask = Ask((), _with_style(p, p.get("prompt", "")))
    elif kind == "draft":
        ask = _draft(p, request.images)
    elif kind == "refine":
        ask = _refine(p, request.images[0], request.images[1:])
    elif kind == "edit":
        ask = _edit(p, request.images[0], request.images[1:], request.root)
    elif kind == "upscale":
        ask = _upscale(p, request.images[0])
    else:
        raise TaskError(request.task.id, f"the nanobanana backend cannot serve {kind!r} tasks")
    if len(ask.pictures) > max_images:
        roles = ", ".join(picture.role for picture in ask.pictures)
        raise TaskError(request.task.id, f"{len(ask.pictures)} images to send ({roles}) but {model} takes at most "
                                         f"{max_images} per request (options.max_images); cast fewer characters")
    return ask


def _draft(p: Mapping[str, Any], sheets: Sequence[Artifact]) -> Ask:
    names = [c.get("name", "") for c in p.get("cast", [])]
    pictures = tuple(_picture(a, reference_role(a, names, i)) for i, a in enumerate(sheets))
    return Ask(pictures, reference_text([pic.role for pic in pictures], 1) + _with_style(p, p.get("prompt", "")))


def _refine(p: Mapping[str, Any], draft: Artifact, sheets: Sequence[Artifact]) -> Ask:
    """The draft (image 1) redrawn finished, the scene's cast sheets and references after it, named by number."""
    prompt = _with_style(p, p.get("prompt", ""))
    if p.get("mode", "img2img") == "txt2img":
        return Ask((), prompt)
    pictures = (_picture(draft, "the draft to refine"),) + tuple(
        _picture(a, reference_role(a, [], i)) for i, a in enumerate(sheets))
    named = reference_text([pic.role for pic in pictures[1:]], 2)
    return Ask(pictures, named + refine_text(float(p.get("strength", 0.5))) + prompt)


def _upscale(p: Mapping[str, Any], image: Artifact) -> Ask:
    """The model's own upscale: the image again at the image size the scene's size maps to ("4K": zflow's tier)."""
    width, height = p["size"]
    text = (f"Image 1 is a finished image. Reproduce it at high resolution ({width}x{height}) with finer, sharper "
            f"detail, keeping its composition, characters, colours and any text exactly; change at most about "
            f"{float(p.get('strength', 0.3)):.0%} of it.\n{p.get('prompt', '')}")
    return Ask((_picture(image, "the image to upscale"),), text)


def _edit(p: Mapping[str, Any], source: Artifact, sheets: Sequence[Artifact], root: Path) -> Ask:
    op, prompt = p["op"], p.get("prompt", "")
    pictures = [_picture(source, "the image to edit")]
    if op == "inpaint":
        region = p.get("region", "subject")
        if isinstance(region, Mapping):
            path = Path(region.get("file") or region["mask"])
            pictures.append(_file(path if path.is_absolute() else root / path, "the edit mask"))
            where = "the white area of image 2 (a mask of image 1)"
        elif isinstance(region, str):
            where = {"face": "the face", "subject": "the main subject"}.get(region, region)
        else:
            x0, y0, x1, y1 = (round(float(v) * 100) for v in region)
            where = f"the area from {x0}% to {x1}% across and {y0}% to {y1}% down"
        text = f"Edit image 1: change only {where} to show {prompt}. Leave everything else exactly as it is."
    elif op == "background":
        text = f"Edit image 1: replace the background with {prompt}. Keep the subject exactly as it is."
    elif op == "outpaint":
        width, height = p["size"]
        text = (f"Extend image 1 outward to a {width}x{height} frame, keeping the original image unchanged in "
                f"the centre" + (f"; the new areas show {prompt}." if prompt else "."))
    elif op == "restyle":
        text = f"Restyle image 1 as {prompt}, changing about {float(p.get('strength', 0.6)):.0%} of its look."
    elif op == "instruct":
        text = f"Edit image 1: {prompt}" + (f" (change about {float(p['strength']):.0%} of it)."
                                            if p.get("strength") is not None else "")
    else:
        raise ValueError(f"the nanobanana backend has no edit operation {op!r} (it knows inpaint, background, "
                         f"outpaint, restyle and instruct)")
    first = len(pictures) + 1
    pictures += [_picture(a, reference_role(a, [], i)) for i, a in enumerate(sheets)]
    scene = p.get("scene_prompt", "")
    context = f"\nThe scene: {scene}" if scene else ""
    named = reference_text([pic.role for pic in pictures[first - 1:]], first)
    return Ask(tuple(pictures), named + text + context + _avoid(p))


def _with_style(p: Mapping[str, Any], prompt: str) -> str:
    style = p.get("style", "")
    text = f"{prompt}. Style: {style}" if style and style not in prompt else prompt
    return text + _avoid(p)


def _avoid(p: Mapping[str, Any]) -> str:
    negative = p.get("negative", "")
    return f"\nAvoid: {negative}." if negative else ""


def _picture(artifact: Artifact, role: str) -> Picture:
    return _file(artifact.main, role)


def _file(path: Path, role: str) -> Picture:
    """An image file's bytes as sent: PNG, JPEG and WebP as they are, anything else converted to PNG."""
    mime = _MIME.get(path.suffix.lower())
    if mime is not None:
        return Picture(path.read_bytes(), mime, role)
    with Image.open(path) as image:
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
    return Picture(buffer.getvalue(), "image/png", role)
