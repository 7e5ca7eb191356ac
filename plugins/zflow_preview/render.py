"""Preview rendering per request kind: draws sheets, drafts, refines, edits and upscales, and packs PNG with provenance
(IPTC XMP and A1111 ``parameters``)."""
from __future__ import annotations

import io
from typing import Any, Mapping, Sequence

from PIL import Image, ImageDraw, ImageOps

from zflow.contracts import Artifact, Output, Request, adapters_of
from zflow.contracts.provenance import COMPOSITE, TRAINED, png_info

from . import edit
from .adapters import adapter_label, draw_adapter_tag
from .instruct import instruct
from .refine import refine_image
from .layout import layout_from
from .scene import Picture, draw_scene
from .sheet import draw_sheet
from .storyboard import composition, layout_files, overlay_control
from .text import Fonts, preview_mark

#: PNG compression: fast, and the same bytes for the same pixels.
_PNG_LEVEL = 3


def render(fonts: Fonts, request: Request) -> Output:
    """The image of one request, by its task kind; a task with LoRA adapters gets a tag naming them."""
    return _RUNNERS[request.task.kind](fonts, request)


def _tagged(fonts: Fonts, request: Request, picture: Picture) -> dict[str, Any]:
    """Draw the adapter tag on ``picture`` when the task names adapters; the meta that records them."""
    adapters = request.params.get("adapters")
    if not adapters:
        return {}
    untrained = {a.task for a in adapters_of(request.params, request.inputs) if a.placeholder}
    adapters = [{**a, "untrained": a.get("task") in untrained} if "task" in a else a for a in adapters]
    box = draw_adapter_tag(ImageDraw.Draw(picture.image), picture.image.size, fonts, adapters)
    picture.text.append([round(v) for v in box])
    return {"adapters": adapter_label(adapters)}


def _sheet(fonts: Fonts, request: Request) -> Output:
    p = request.params
    picture = draw_sheet(fonts, name=p["name"], looks=p.get("looks", ""), style=p.get("style", ""),
                         prompt=p.get("prompt", ""), size=_size(p), seed=p["seed"])
    return _output(fonts, request, picture, {})


def _draft(fonts: Fonts, request: Request) -> Output:
    """A draft, composed as its picked layout (when the scene has a layout stage), its control map laid over it."""
    p = request.params
    cast = list(p.get("cast", []))
    layouts = request.inputs_of("layout")
    layout = layout_from(layouts[0].meta["composition"]) if layouts else None
    picture = draw_scene(fonts, prompt=p.get("prompt", ""), style=p.get("style", ""), title=p.get("title", ""),
                         cast=cast, size=_size(p), seed=p["seed"], index=p.get("index", 0), layout=layout)
    scene = {"cast": cast, "title": p.get("title", ""), "style": p.get("style", ""), "index": p.get("index", 0)}
    followed = {"layout": layouts[0].task_id, "composition": layouts[0].meta["composition"]} if layouts else {}
    return _output(fonts, request, picture, scene, **followed, **overlay_control(picture.image, request))


def _layout(fonts: Fonts, request: Request) -> Output:
    """A layout: the frame of one composition of the scene, and its control maps beside it."""
    p = request.params
    cast, size, layout = list(p.get("cast", [])), _size(p), composition(request)
    picture = draw_scene(fonts, prompt=p.get("prompt", ""), style=p.get("style", ""), title=p.get("title", ""),
                         cast=cast, size=size, seed=p["seed"], index=p["index"], layout=layout,
                         mark=f"PREVIEW · layout {p['index']}")
    files, meta = layout_files(layout, size, cast)
    output = _output(fonts, request, picture, {"cast": cast, "title": p.get("title", ""), "index": p["index"]},
                     **meta)
    output.files |= files
    return output


def _refine(fonts: Fonts, request: Request) -> Output:
    p, source = request.params, request.images[0]
    size, strength = _size(p), float(p.get("strength", 0.5))
    if p.get("mode", "img2img") == "txt2img":
        m = source.meta
        picture = draw_scene(fonts, prompt=p.get("prompt", ""), style=m.get("style", ""), title=m.get("title", ""),
                             cast=m.get("cast", []), size=size, seed=p["seed"], index=m.get("index", 0),
                             mark="PREVIEW · refined", supersample=2,
                             layout=layout_from(m["composition"]) if "composition" in m else None)
    else:
        with Image.open(source.main) as image:
            refined = refine_image(image, size, strength, fonts)
            factor = (size[0] / image.width, size[1] / image.height)
        faces = [_scaled(f, factor) for f in source.meta.get("faces", [])]
        focus = _scaled(source.meta["focus"], factor) if source.meta.get("focus") else None
        picture = Picture(refined, faces, focus, text=[_scaled(t, factor) for t in source.meta.get("text", [])])
    return _output(fonts, request, picture, _scene_of(source), strength=strength)


def _edit(fonts: Fonts, request: Request) -> Output:
    p, source = request.params, request.images[0]
    op = p["op"]
    with Image.open(source.main) as opened:
        image = opened.convert("RGB")
    # A photo nothing has described (a product shot) gets its subject estimated from the pixels.
    meta = {**source.meta, "focus": source.meta.get("focus") or edit.estimate_subject(image)}
    boxes = (list(meta.get("faces", [])), meta["focus"])
    text = list(meta.get("text", []))
    strength = None
    if op == "inpaint":
        strength = float(p.get("strength", 1.0))
        mask = edit.region_mask(p["region"], image.size, meta, request.root)
        image = edit.inpaint(image, mask, p["prompt"], strength)
    elif op == "background":
        image = edit.background(image, boxes[1], p["prompt"], p.get("seed", 0), fonts)
    elif op == "outpaint":
        prompt = p.get("prompt") or source.meta.get("prompt", "")
        image, offset = edit.outpaint(image, _size(p), prompt, source.meta.get("style", ""), p.get("seed", 0), fonts)
        boxes = edit.shifted(boxes, offset)
        text = edit.shifted((text, None), offset)[0]
    elif op == "restyle":
        strength = float(p.get("strength", 0.6))
        image = edit.restyle(image, p["prompt"], strength)
    elif op == "instruct":
        image, drawn = instruct(image, p["prompt"], [a.main for a in request.images[1:]], fonts)
        text += [[round(v) for v in box] for box in drawn]
    else:
        raise ValueError(f"the preview backend has no edit operation {op!r} (it knows inpaint, background, "
                         f"outpaint, restyle and instruct)")
    extra = {"op": op} | ({"strength": strength} if strength is not None else {})
    return _output(fonts, request, Picture(image, boxes[0], boxes[1], text=text), _scene_of(source), **extra)


def _upscale(fonts: Fonts, request: Request) -> Output:
    """Lanczos to the upscale's size (covering it, centre-cropped when its aspect differs a little), tagged."""
    p, source = request.params, request.images[0]
    size = _size(p)
    with Image.open(source.main) as opened:
        small = opened.size
        image = ImageOps.fit(opened.convert("RGB"), size, method=Image.Resampling.LANCZOS)
    factor = max(size[0] / small[0], size[1] / small[1])
    tag = f"PREVIEW · upscaled {factor:g}x" if factor == int(factor) else f"PREVIEW · upscaled to {size[0]}x{size[1]}"
    preview_mark(ImageDraw.Draw(image), size, fonts, tag)
    shift = ((small[0] * factor - size[0]) / 2, (small[1] * factor - size[1]) / 2)
    m = source.meta
    faces = [_moved(f, factor, shift) for f in m.get("faces", [])]
    focus = _moved(m["focus"], factor, shift) if m.get("focus") else None
    picture = Picture(image, faces, focus, text=[_moved(t, factor, shift) for t in m.get("text", [])])
    return _output(fonts, request, picture, _scene_of(source), strength=float(p["strength"]), upscaled_from=list(small))


_RUNNERS = {"layout": _layout, "sheet": _sheet, "draft": _draft, "refine": _refine, "edit": _edit, "upscale": _upscale}


def _output(fonts: Fonts, request: Request, picture: Picture, scene: Mapping[str, Any], **extra: Any) -> Output:
    """The PNG of ``picture`` and its provenance (plus the scene facts a later txt2img refine redraws from)."""
    p = request.params
    meta = {"backend": "preview", "model": "preview", "revision": None, "stage": request.task.kind,
            "prompt": p.get("prompt", ""), "negative": p.get("negative", ""), "seed": p.get("seed"),
            "size": list(picture.image.size), "faces": picture.faces, "focus": picture.focus, "text": picture.text}
    meta |= picture.drawn | dict(scene) | extra | _tagged(fonts, request, picture)
    if "control" in p and "control" not in meta:  # conditioned, but not by a map the preview lays over its frame
        meta["control"] = dict(p["control"])
    drawn_from = request.images[:1] if request.task.kind == "refine" else request.images  # not a refine's sheets
    if any(a.meta.get("stage") == "source" or a.meta.get("composite") for a in drawn_from):
        meta["composite"] = True  # an edit of the user's own photo
    buffer = io.BytesIO()
    info = png_info(meta, COMPOSITE if meta.get("composite") else TRAINED)
    picture.image.save(buffer, "PNG", compress_level=_PNG_LEVEL, pnginfo=info)
    return Output(files={"image.png": buffer.getvalue()}, meta=meta)


def _scene_of(source: Artifact) -> dict[str, Any]:
    """The scene facts an input preview carried, passed on down the chain."""
    return {k: source.meta[k] for k in ("cast", "title", "style", "index") if k in source.meta}


def _size(params: Mapping[str, Any]) -> tuple[int, int]:
    width, height = params["size"]
    return int(width), int(height)


def _moved(box: Sequence[float], factor: float, shift: tuple[float, float]) -> list[int]:
    return [round(box[0] * factor - shift[0]), round(box[1] * factor - shift[1]), round(box[2] * factor - shift[0]),
            round(box[3] * factor - shift[1])]


def _scaled(box: Sequence[float], factor: tuple[float, float]) -> list[int]:
    fx, fy = factor
    return [round(box[0] * fx), round(box[1] * fy), round(box[2] * fx), round(box[3] * fy)]
