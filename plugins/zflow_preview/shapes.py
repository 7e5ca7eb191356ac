"""Drawing primitives that work at any size (Pillow's rounded rectangle fails on fractional pixel boxes)."""
from __future__ import annotations

from typing import Any

from PIL import ImageDraw


def rounded_box(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], radius: float,
                **style: Any) -> None:
    """A rounded rectangle snapped to whole pixels."""
    x0, y0, x1, y1 = (round(v) for v in box)
    draw.rounded_rectangle((x0, y0, max(x0, x1), max(y0, y1)), radius=round(radius), **style)
