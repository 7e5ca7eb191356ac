"""OpenPose skeletons of the preview's figures: 18 body keypoints where ``figure.draw_figure`` draws each part (both
from ``body.proportions``), drawn in the OpenPose colour convention that pose ControlNets are trained on."""
from __future__ import annotations

import math
from typing import Sequence

from PIL import Image, ImageDraw

from .body import proportions

Point = tuple[float, float]

#: The 18 COCO body keypoints in OpenPose's order (index 0 is the nose). "right" is the figure's own right: on the
#: image's left for a figure facing the viewer.
KEYPOINTS = ("nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow",
             "left_wrist", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
             "right_eye", "left_eye", "right_ear", "left_ear")
#: Limbs as 1-based keypoint pairs, and the colour of each keypoint and limb (limbs at 60 %), exactly as
#: controlnet_aux 0.0.10 ``open_pose/util.py`` ``draw_bodypose`` (from lllyasviel's ControlNet annotator) has them.
LIMBS = ((2, 3), (2, 6), (3, 4), (4, 5), (6, 7), (7, 8), (2, 9), (9, 10), (10, 11), (2, 12), (12, 13), (13, 14),
         (2, 1), (1, 15), (15, 17), (1, 16), (16, 18))
COLOURS = ((255, 0, 0), (255, 85, 0), (255, 170, 0), (255, 255, 0), (170, 255, 0), (85, 255, 0), (0, 255, 0),
           (0, 255, 85), (0, 255, 170), (0, 255, 255), (0, 170, 255), (0, 85, 255), (0, 0, 255), (85, 0, 255),
           (170, 0, 255), (255, 0, 255), (255, 0, 170), (255, 0, 85))
#: OpenPose draws at 512 px with limbs 4 px thick and keypoints of radius 4: scaled to the map's shorter side.
_AT, _STICK, _DOT = 512, 4, 4


def skeleton(cx: float, feet: float, height: float) -> list[Point]:
    """The 18 keypoints (pixels) of a front-view figure standing with its feet at (cx, feet), ``height`` px tall,
    with the proportions ``draw_figure`` draws it with."""
    top, r, shoulder_y, hip_y, half_top, half_hip, arm_w, leg_w = proportions(feet, height)
    hy = top + r
    points: dict[str, Point] = {"nose": (cx, hy + 0.25 * r), "neck": (cx, shoulder_y)}
    for side, sign in (("right", -1), ("left", 1)):
        shoulder = (cx + sign * (half_top - arm_w / 2), shoulder_y + 0.2 * r)
        wrist = (cx + sign * (half_hip + arm_w), hip_y + 0.3 * r)
        leg = cx + sign * (half_hip - leg_w * 0.7)  # the middle of the leg draw_figure draws on this side
        ankle = (leg, feet - height * 0.035)
        points |= {f"{side}_shoulder": shoulder, f"{side}_elbow": _middle(shoulder, wrist), f"{side}_wrist": wrist,
                   f"{side}_hip": (leg, hip_y), f"{side}_knee": _middle((leg, hip_y), ankle),
                   f"{side}_ankle": ankle, f"{side}_eye": (cx + sign * 0.36 * r, hy + 0.1 * r),
                   f"{side}_ear": (cx + sign * r, hy)}
    return [points[name] for name in KEYPOINTS]


def draw_pose(size: tuple[int, int], skeletons: Sequence[Sequence[Point]]) -> Image.Image:
    """An OpenPose map: each skeleton's limbs and keypoints on black, at ``size``."""
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    scale = min(size) / _AT
    stick, dot = max(1.0, _STICK * scale), max(1.5, _DOT * scale)
    for points in skeletons:
        for (a, b), colour in zip(LIMBS, COLOURS):
            _limb(draw, points[a - 1], points[b - 1], stick, tuple(int(c * 0.6) for c in colour))
        for (x, y), colour in zip(points, COLOURS):
            draw.ellipse((x - dot, y - dot, x + dot, y + dot), fill=colour)
    return image


def _limb(draw: ImageDraw.ImageDraw, a: Point, b: Point, half_width: float, colour: tuple[int, ...]) -> None:
    """A limb as OpenPose draws it: a filled ellipse from ``a`` to ``b``, ``half_width`` across its middle."""
    (x0, y0), (x1, y1) = a, b
    length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-6)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    steps = 24
    outline = []
    for i in range(steps):
        t = 2 * math.pi * i / steps
        along, across = math.cos(t) * length / 2, math.sin(t) * half_width
        outline.append((mx + ux * along - uy * across, my + uy * along + ux * across))
    draw.polygon(outline, fill=colour)


def _middle(a: Point, b: Point) -> Point:
    return (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
