"""The preview's stand-in for an instruction edit: the image unchanged, marked, with the instruction written on it and
its reference images shown as numbered thumbnails (no model runs, so the preview says what a real one would get)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from PIL import Image, ImageDraw

from .text import Fonts, caption, label, preview_mark

Box = tuple[float, float, float, float]


def instruct(image: Image.Image, prompt: str, references: Sequence[Path],
             fonts: Fonts) -> tuple[Image.Image, list[Box]]:
    """``image`` with the instruction on a strip at the bottom, the references above it (image 2, 3, ... as a
    model would number them) and a ``PREVIEW · instruct`` mark; returns it and the boxes of what was drawn."""
    marked = image.copy()
    draw = ImageDraw.Draw(marked)
    boxes = caption(draw, marked.size, fonts, "", f"instruction (not applied on preview): {prompt}")
    bottom = min((b[1] for b in boxes), default=marked.height)
    side = max(8, min(marked.size) // 6)
    pad = max(2, side // 10)
    for number, path in enumerate(references, start=2):
        x = pad + (number - 2) * (side + pad)
        if x + side > marked.width:
            break
        y = bottom - side - pad
        with Image.open(path) as opened:
            thumb = opened.convert("RGB")
        thumb.thumbnail((side, side))
        marked.paste(thumb, (x, round(y)))
        draw.rectangle((x, y, x + thumb.width - 1, y + thumb.height - 1), outline=(255, 255, 255))
        label(draw, (x + side * 0.2, y + side * 0.2), str(number), fonts(max(7, side // 5)), (200, 30, 40))
        boxes.append((x, y, x + side, y + side))
    boxes.append(preview_mark(draw, marked.size, fonts, "PREVIEW · instruct"))
    return marked, boxes
