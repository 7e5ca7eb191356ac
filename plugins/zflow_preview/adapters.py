"""The tag a preview frame carries when its task names LoRA adapters: which ones, at which weights."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from PIL import ImageDraw

from .text import MIN_TEXT, Fonts


def adapter_label(adapters: Sequence[Mapping[str, Any]]) -> str:
    """``LoRA nabi 0.8 + ink 0.5``: each adapter's short name and weight, in the order they apply (``nabi
    (untrained)`` for a preview train task's placeholder)."""
    return "LoRA " + " + ".join(f"{a.get('lora', '?')}{' (untrained)' if a.get('untrained') else ''} "
                                f"{float(a.get('weight', 0)):g}" for a in adapters)


def draw_adapter_tag(draw: ImageDraw.ImageDraw, size: tuple[int, int], fonts: Fonts,
                     adapters: Sequence[Mapping[str, Any]]) -> tuple[float, float, float, float]:
    """A small dark tag with the adapters' label at the right edge, below the PREVIEW mark; returns its box."""
    width, height = size
    px = max(MIN_TEXT, min(width, height) / 36)
    text = adapter_label(adapters)
    font = fonts(px, text)
    left, top, right, bottom = font.getbbox(text)
    pad = max(2, px / 3)
    x1, y0 = width - pad, min(width, height) / 9
    box = (max(0, x1 - (right - left) - 2 * pad), y0, x1, y0 + (bottom - top) + 2 * pad)
    draw.rectangle(box, fill=(30, 30, 60), outline=(170, 170, 255), width=1)
    draw.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), text, font=font, fill=(220, 220, 255), anchor="mm")
    return box
