"""Edit geometry in pixels: region masks (box, named region, mask file), inverted subject masks, outpaint canvases."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from PIL import Image, ImageDraw, ImageFilter

#: Where a named region is assumed to be (0-1 box) when the input image's meta does not say.
DEFAULT_REGIONS = {"face": (0.33, 0.08, 0.67, 0.45), "subject": (0.2, 0.05, 0.8, 1.0)}
#: Meta keys of an image artifact that hold a named region's pixel box(es).
META_REGIONS = {"face": "faces", "subject": "focus"}


def region_box(region: Any, meta: Mapping[str, Any], size: tuple[int, int]) -> tuple[tuple[float, ...], str]:
    """A named region or a 0-1 box as a pixel box of an image of ``size``, and where it came from."""
    width, height = size
    if isinstance(region, str):
        if region not in DEFAULT_REGIONS:
            raise ValueError(f"unknown region {region!r}: use {', '.join(DEFAULT_REGIONS)}, a box [x0, y0, x1, y1] "
                             f"in 0-1 units, or {{'file': 'masks/mask.png'}}")
        found = meta.get(META_REGIONS[region])
        if found and isinstance(found[0], Sequence):
            found = found[0]
        if found:
            sx, sy = _meta_scale(meta, size)
            return (found[0] * sx, found[1] * sy, found[2] * sx, found[3] * sy), f"meta.{META_REGIONS[region]}"
        region = DEFAULT_REGIONS[region]
        source = "default"
    else:
        source = "box"
    if not (isinstance(region, Sequence) and len(region) == 4 and all(0 <= float(v) <= 1 for v in region)):
        raise ValueError(f"region {region!r}: a box is [x0, y0, x1, y1] in 0-1 units")
    x0, y0, x1, y1 = (float(v) for v in region)
    return (x0 * width, y0 * height, x1 * width, y1 * height), source


def _meta_scale(meta: Mapping[str, Any], size: tuple[int, int]) -> tuple[float, float]:
    """Meta boxes are in the pixels of the image they describe; scale them to ``size``."""
    made = meta.get("size") or size
    return size[0] / made[0], size[1] / made[1]


def box_mask(box: Sequence[float], size: tuple[int, int], ellipse: bool = False) -> Image.Image:
    """White (regenerate) inside ``box``, black elsewhere."""
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    (draw.ellipse if ellipse else draw.rectangle)([round(v) for v in box], fill=255)
    return mask


def region_mask(region: Any, meta: Mapping[str, Any], size: tuple[int, int], root: Path) -> tuple[Image.Image, str]:
    """The inpaint mask of a region (a mask file, ``{"file": path}`` or ``{"mask": path}``, is read relative to the
    project root and resized)."""
    if isinstance(region, Mapping):
        name = region.get("file") or region.get("mask")
        if not name:
            raise ValueError(f"region {dict(region)!r}: a mask region is {{'file': 'masks/mask.png'}}")
        path = Path(str(name))
        path = path if path.is_absolute() else root / path
        if not path.is_file():
            raise ValueError(f"mask file {path} not found")
        with Image.open(path) as img:
            return img.convert("L").resize(size, Image.Resampling.BILINEAR), "file"
    box, source = region_box(region, meta, size)
    return box_mask(box, size, ellipse=region == "face"), source


def background_mask(meta: Mapping[str, Any], size: tuple[int, int]) -> tuple[Image.Image, str]:
    """Everything but the subject (an ellipse in its box) is regenerated."""
    box, source = region_box("subject", meta, size)
    mask = Image.new("L", size, 255)
    ImageDraw.Draw(mask).ellipse([round(v) for v in box], fill=0)
    return mask, source


def outpaint_canvas(image: Image.Image, size: tuple[int, int]) -> tuple[Image.Image, Image.Image, tuple]:
    """``image`` scaled to fit inside ``size`` and centred; the mask covers the new border (plus a few pixels of
    overlap so the seam blends). Returns canvas, mask and the placement ``(x, y, w, h)``."""
    width, height = size
    scale = min(width / image.width, height / image.height)
    w, h = max(1, round(image.width * scale)), max(1, round(image.height * scale))
    x, y = (width - w) // 2, (height - h) // 2
    canvas = Image.new("RGB", size, _mean_colour(image))
    canvas.paste(image.resize((w, h), Image.Resampling.LANCZOS), (x, y))
    overlap = max(1, min(w, h) // 32)
    mask = Image.new("L", size, 255)
    ImageDraw.Draw(mask).rectangle([x + overlap, y + overlap, x + w - 1 - overlap, y + h - 1 - overlap], fill=0)
    return canvas, mask, (x, y, w, h)


def _mean_colour(image: Image.Image) -> tuple[int, ...]:
    return image.convert("RGB").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))


def paste_back(made: Image.Image, original: Image.Image, mask: Image.Image) -> Image.Image:
    """Keep the original's pixels where the mask is black (inpaint returns them only as a VAE round trip), with a
    soft edge so the seam does not show."""
    soft = mask.filter(ImageFilter.GaussianBlur(max(1, min(mask.size) // 128)))
    return Image.composite(made, original.convert("RGB"), soft)


def moved_boxes(meta: Mapping[str, Any], input_size: tuple[int, int], place: tuple[int, int, int, int]) -> dict:
    """The input's ``focus``/``faces`` boxes in the output's pixels, the input having landed at ``place``
    ``(x, y, w, h)`` of the output (the whole output, or an outpaint placement)."""
    made = meta.get("size") or input_size
    x, y, w, h = place
    sx, sy = w / made[0], h / made[1]

    def move(box):
        return [round(box[0] * sx + x), round(box[1] * sy + y), round(box[2] * sx + x), round(box[3] * sy + y)]

    moved = {}
    if meta.get("focus"):
        moved["focus"] = move(meta["focus"])
    if meta.get("faces"):
        moved["faces"] = [move(b) for b in meta["faces"]]
    return moved
