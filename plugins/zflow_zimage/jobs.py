"""Requests turned into pipeline jobs per task kind: which pipeline mode, prompt, seed, strength and input images."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from zflow.contracts import Adapter, Request

from . import masks
from .options import Settings

#: Edit ops served with a mask on the inpaint pipeline; the rest are whole-image edits.
MASKED_OPS = ("inpaint", "background", "outpaint")
#: Shortest side of a reference image the Omni pipeline accepts.
REFERENCE_MIN = 64


@dataclass(frozen=True, slots=True)
class Job:
    """One image to make: the call-level settings (``batch_key``) and this image's own prompt, seed and inputs."""

    mode: str
    size: tuple[int, int]
    gen_size: tuple[int, int]
    prompt: str
    negative: str
    seed: int
    steps: int | None
    guidance: float | None
    strength: float | None
    image: Image.Image | None = None
    mask: Image.Image | None = None
    references: tuple[Image.Image, ...] = ()
    original: Image.Image | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    adapters: tuple[Adapter, ...] = ()  # LoRA adapters active in its call (jobs with other sets never share one)
    control: Any = None  # its control.Control (ControlNet, type, scale, map), or None

    def batch_key(self, index: int) -> tuple:
        """Jobs with equal keys run in one pipeline call (an Omni or instruct call shares its input images: never
        batched; jobs with another ControlNet, control type or scale, or none, never share one)."""
        alone = index if self.mode in ("omni", "instruct") else None
        control = self.control.group if self.control is not None else None
        return self.mode, self.gen_size, self.steps, self.guidance, self.strength, alone, self.adapters, control

    @property
    def pipeline(self) -> Any:
        """Which of a loaded model's pipelines runs the job: its mode's, or with control (mode, ControlNet)."""
        return self.mode if self.control is None else (self.mode, "controlnet", self.control.model)


def plan(request: Request, settings: Settings, gen_size: tuple[int, int], omni: bool,
         instruct: str | None = None) -> Job:
    """The job of one request (``instruct``: the instruction-edit pipeline's class name, when the model is one); a
    ValueError names what is wrong with its parameters."""
    params, kind = request.params, request.task.kind
    size = tuple(params["size"])
    common = {
        "size": size, "gen_size": gen_size, "prompt": str(params.get("prompt") or ""),
        "negative": combined_negative(settings.negative, str(params.get("negative") or "")),
        "seed": int(params.get("seed", 0)),
        "steps": params.get("steps") or settings.steps,
        "guidance": params["guidance"] if params.get("guidance") is not None else settings.guidance,
    }
    if instruct and (kind in ("sheet", "draft", "refine") or params.get("op") == "instruct"):
        from .instruct import plan as instruct_plan

        return instruct_plan(request, settings, common, instruct)
    if kind in ("sheet", "draft"):
        if omni and request.images:
            return _omni(request, common, ())
        return Job("text2image", strength=None, **common)
    if kind == "refine":
        if params.get("mode", "img2img") == "txt2img":
            return Job("text2image", strength=None, meta={"refine": "txt2img"}, **common)
        before = _before(request)
        if omni and len(request.images) > 1:  # the draft, then the scene's sheets: named in one Omni call
            return _omni(request, common, (before.resize(gen_size, Image.Resampling.LANCZOS),), {"refine": "omni"})
        strength = _strength(params, settings, 0.6)
        return Job("image2image", strength=strength, image=before.resize(gen_size, Image.Resampling.LANCZOS),
                   meta={"refine": "img2img", **_boxes(request, before, gen_size, size)}, **common)
    if kind == "edit":
        return _edit(request, settings, common, omni)
    raise ValueError(f"the zimage backend does not serve {kind!r} tasks (it serves sheet, draft, refine, edit)")


def _edit(request: Request, settings: Settings, common: dict, omni: bool) -> Job:
    params, gen_size, size = request.params, common["gen_size"], common["size"]
    op = params.get("op")
    before = _before(request)
    common["prompt"] = edit_prompt(params, omni)
    meta = {"op": op}
    if op in MASKED_OPS:
        if op == "outpaint":
            canvas, mask, place = masks.outpaint_canvas(before, gen_size)
            meta.update(_boxes(request, before, gen_size, size, place))
        else:
            canvas = before.resize(gen_size, Image.Resampling.LANCZOS)
            if op == "inpaint":
                mask, meta["region"] = masks.region_mask(params.get("region"), request.images[0].meta, gen_size,
                                                         request.root)
            else:
                mask, meta["region"] = masks.background_mask(request.images[0].meta, gen_size)
            meta.update(_boxes(request, before, gen_size, size))
        strength = _strength(params, settings, 1.0)
        return Job("inpaint", strength=strength, image=canvas, mask=mask, original=canvas, meta=meta, **common)
    meta.update(_boxes(request, before, gen_size, size))
    if op == "restyle":  # img2img on every model, Omni's weights included: its strength is honoured
        return Job("image2image", strength=_strength(params, settings, 0.6),
                   image=before.resize(gen_size, Image.Resampling.LANCZOS), meta=meta, **common)
    if omni:
        return _omni(request, common, (before.resize(gen_size, Image.Resampling.LANCZOS),), meta)
    raise ValueError(f"edit op {op!r} needs a Z-Image Omni/Edit model on the edit stage (zimage serves inpaint, "
                     f"background, outpaint and restyle on any model)")


def _omni(request: Request, common: dict, first: tuple[Image.Image, ...], meta: dict | None = None) -> Job:
    """An Omni job: ``first`` (the image to edit), then the sheets and references, named in the prompt by number."""
    from .instruct import named, provenance

    roles, prompt = named(request, common["prompt"])
    images = request.images[len(first):]
    refs = first + tuple(_reference(rgb_image(a.main)) for a in images)
    return Job("omni", strength=None, references=refs, meta={**(meta or {}), **provenance(request.images, roles)},
               **{**common, "prompt": prompt})


def combined_negative(*parts: str) -> str:
    """The negative prompt of an image: the stage's (``options.negative``, or the model flavour's default), then the
    recipe's (the style's, then the scene's), as comma-separated terms, each kept once (the first time it appears,
    compared without case or surrounding spaces)."""
    terms: dict[str, str] = {}
    for part in parts:
        for term in part.split(","):
            if term.strip():
                terms.setdefault(term.strip().casefold(), term.strip())
    return ", ".join(terms.values())


def edit_prompt(params, omni: bool) -> str:
    """What an edit asks for: the op's prompt then the scene's, so the repainted part fits the scene; a background
    replacement or an Omni instruction uses the op's prompt alone (the scene's place would fight it)."""
    own, scene = str(params.get("prompt") or ""), str(params.get("scene_prompt") or "")
    if (omni and params.get("op") not in MASKED_OPS + ("restyle",)) or params.get("op") == "background":
        return own or scene
    return ", ".join(p for p in (own, scene) if p)


def _before(request: Request) -> Image.Image:
    """The image a refine or edit starts from: the first input."""
    if not request.images:
        raise ValueError(f"a {request.task.kind} task needs its input image (none was given)")
    return rgb_image(request.images[0].main)


def _strength(params, settings: Settings, default: float) -> float:
    value = params.get("strength")
    value = float(value if value is not None else settings.strength if settings.strength is not None else default)
    if not 0.0 < value <= 1.0:
        raise ValueError(f"strength {value} must be in (0, 1]")
    return value


def _reference(image: Image.Image) -> Image.Image:
    """A reference image at least ``REFERENCE_MIN`` px on its short side (the Omni processor refuses smaller)."""
    scale = REFERENCE_MIN / min(image.size)
    if scale <= 1:
        return image
    return image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)


def rgb_image(path) -> Image.Image:
    """The image file at ``path`` as RGB (read and closed at once)."""
    with Image.open(path) as img:
        return img.convert("RGB")


def _boxes(request: Request, before: Image.Image, gen_size, size, place=None) -> dict:
    """Carry the input's subject/face boxes into the output's pixels (``size``)."""
    if place is not None:
        sx, sy = size[0] / gen_size[0], size[1] / gen_size[1]
        place = (round(place[0] * sx), round(place[1] * sy), round(place[2] * sx), round(place[3] * sy))
    return masks.moved_boxes(request.images[0].meta, before.size, place or (0, 0, size[0], size[1]))


def finish(job: Job, image: Image.Image) -> Image.Image:
    """The made image as the task asked for it: the original pixels kept outside the mask, at exactly ``size``."""
    if job.original is not None and job.mask is not None:
        image = masks.paste_back(image, job.original, job.mask)
    if image.size != job.size:
        image = image.resize(job.size, Image.Resampling.LANCZOS)
    return image
