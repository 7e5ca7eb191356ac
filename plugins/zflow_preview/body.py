"""The body proportions of the preview's storyboard figures, shared by the figure drawn (``figure.draw_figure``),
its pose skeleton (``pose.skeleton``) and its depth silhouette (``maps``), so the three line up."""
from __future__ import annotations

from typing import NamedTuple


class Body(NamedTuple):
    """Heights (y, px) and sizes (px) of a figure standing in the image."""

    top: float  #: top of the head
    r: float  #: head radius
    shoulder_y: float
    hip_y: float
    half_top: float  #: half the torso's width at the shoulders
    half_hip: float  #: half the torso's width at the hips
    arm_w: float
    leg_w: float


def proportions(feet: float, height: float, view: str = "front") -> Body:
    """A figure with its feet at ``feet``, ``height`` px tall, seen from the front, or narrower from the side."""
    top, r = feet - height, height * 0.11
    side = view == "side"
    return Body(top, r, top + 2.05 * r, top + height * 0.58, height * (0.1 if side else 0.17),
                height * (0.09 if side else 0.13), height * 0.055, height * (0.08 if side else 0.085))
