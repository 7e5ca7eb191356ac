"""Depth and edge maps of a preview composition: its layers (sky, ground, the figures by nearness) as a MiDaS-style
depth map (near is bright) and their outlines as a Canny-style edge map (white lines on black)."""
from __future__ import annotations

from PIL import Image, ImageDraw, ImageFilter

from .body import proportions
from .layout import Layout

#: Grey levels: the sky farthest, the ground from the horizon (far) to the frame's bottom (near), figures nearer.
_SKY, _GROUND_FAR, _GROUND_NEAR, _FIGURE_FAR, _FIGURE_NEAR = 10, 40, 150, 170, 255


def depth_map(size: tuple[int, int], layout: Layout) -> Image.Image:
    """The composition's layers as depth, far figures drawn first so nearer ones cover them."""
    width, height = size
    image = Image.new("L", size, _SKY)
    draw = ImageDraw.Draw(image)
    horizon = round(layout.horizon * height)
    for y in range(horizon, height):
        t = (y - horizon) / max(1, height - horizon)
        draw.line((0, y, width, y), fill=round(_GROUND_FAR + (_GROUND_NEAR - _GROUND_FAR) * t))
    for place in sorted(layout.placements, key=lambda p: p.feet):
        near = (place.feet - layout.horizon) / max(1e-6, 1 - layout.horizon)
        grey = round(_FIGURE_FAR + (_FIGURE_NEAR - _FIGURE_FAR) * min(max(near, 0.0), 1.0))
        _silhouette(draw, place.x * width, place.feet * height, place.height * height, grey)
    if not layout.placements:
        x0, y0, x1, y1 = layout.subject
        draw.rectangle((x0 * width, y0 * height, x1 * width, y1 * height), fill=_FIGURE_FAR)
    return image.convert("RGB")


def edge_map(depth: Image.Image) -> Image.Image:
    """The outlines of a depth map's layers: where the depth jumps (not the ground's gentle slope)."""
    grey = depth.convert("L")
    edges = grey.filter(ImageFilter.FIND_EDGES).point(lambda v: 255 if v > 12 else 0)
    edges = edges.crop((1, 1, grey.width - 1, grey.height - 1))  # FIND_EDGES leaves the border undefined
    framed = Image.new("L", grey.size)
    framed.paste(edges, (1, 1))
    return framed.convert("RGB")


def _silhouette(draw: ImageDraw.ImageDraw, cx: float, feet: float, height: float, grey: int) -> None:
    """A figure's shape with ``draw_figure``'s proportions (head, neck, torso, arms, legs), flat."""
    top, r, shoulder_y, hip_y, half_top, half_hip, arm_w, leg_w = proportions(feet, height)
    draw.ellipse((cx - r, top, cx + r, top + 2 * r), fill=grey)
    draw.rectangle((cx - r * 0.28, top + 1.8 * r, cx + r * 0.28, shoulder_y), fill=grey)
    draw.polygon([(cx - half_top, shoulder_y), (cx + half_top, shoulder_y), (cx + half_hip, hip_y),
                  (cx - half_hip, hip_y)], fill=grey)
    for sign in (-1, 1):
        draw.line((cx + sign * (half_top - arm_w / 2), shoulder_y + 0.2 * r, cx + sign * (half_hip + arm_w),
                   hip_y + 0.3 * r), fill=grey, width=max(1, round(arm_w)))
        x = cx + sign * (half_hip - leg_w * 0.7) - leg_w / 2
        draw.rectangle((x, hip_y - r * 0.2, x + leg_w, feet), fill=grey)
