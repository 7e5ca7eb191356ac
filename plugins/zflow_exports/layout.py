"""A webtoon strip: panels stacked top to bottom with gutters, balloons placed clear of faces, composed at 2x."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from PIL import Image

from .balloons import Balloon, measure, render
from .common import Box

#: Compose at 2x, then downscale once with LANCZOS (sheet section 2's slicing recipe: 1600 wide -> 800).
SCALE = 2
#: Gutters at platform width: >= 200-250 px between panels, 600-1000 px at a scene or time change (sheet section 2,
#: craft guidance); the lower ends are used. The strip opens and closes with one plain gutter.
GUTTER, SCENE_GUTTER = 200, 600
#: Balloon text size at platform width, and the widest a balloon's text may run: 26 px reads like print on an 800-px
#: phone column; 40% keeps balloons in the central column (craft guidance: away from the screen edges) (our choices).
TEXT_SIZE, TEXT_WIDTH = 26, 0.40
#: Balloons keep this share of the width from the panel's edges (our choice).
EDGE = 0.06


@dataclass(frozen=True, slots=True)
class Panel:
    """One scene as a panel: its image, the boxes (source px) that must stay whole, its balloons, a scene break."""

    scene: str
    image: Image.Image
    keep: Sequence[Box]
    balloons: Sequence[Mapping[str, Any]]
    new_scene: bool = False


@dataclass(slots=True)
class Strip:
    """The composed strip at platform width, with where things are (rows in strip px)."""

    image: Image.Image
    panels: list[tuple[str, int, int]] = field(default_factory=list)
    gutters: list[tuple[int, int]] = field(default_factory=list)
    balloons: list[tuple[str, Box]] = field(default_factory=list)
    keep: list[tuple[str, Box]] = field(default_factory=list)

    def keepouts(self) -> list[tuple[int, int]]:
        """Row spans no cut may enter: every balloon and every kept (face/focus) box."""
        return [(int(b[1]), int(b[3]) + 1) for _, b in self.balloons + self.keep]


def compose(panels: Sequence[Panel], width: int, font_file: tuple[str, int], background: str = "#ffffff") -> Strip:
    """Lay the panels out at ``SCALE`` x ``width`` and downscale each block once; raises ValueError naming the scene."""
    blocks: list[tuple[Image.Image, Panel, list[Box], list[Box]]] = []
    for panel in panels:
        big = panel.image.resize((width * SCALE, _even(panel.image.height * width * SCALE / panel.image.width)),
                                 Image.Resampling.LANCZOS)
        k = big.width / panel.image.width
        keep = [(b[0] * k, b[1] * k, b[2] * k, b[3] * k) for b in panel.keep]
        placed = place_balloons(big, panel, keep, font_file)
        small = big.resize((width, big.height // SCALE), Image.Resampling.LANCZOS, reducing_gap=2.0)
        blocks.append((small, panel, [_scaled(b) for b in keep], [_scaled(b) for b in placed]))
    gaps = [GUTTER] + [SCENE_GUTTER if p.new_scene and i else GUTTER for i, p in enumerate(panels[1:], 1)] + [GUTTER]
    height = sum(gaps) + sum(b[0].height for b in blocks)
    strip = Strip(Image.new("RGB", (width, height), background))
    y = 0
    for gap, (small, panel, keep, placed) in zip(gaps, blocks):
        strip.gutters.append((y, y + gap))
        y += gap
        strip.image.paste(small, (0, y))
        strip.panels.append((panel.scene, y, y + small.height))
        strip.keep += [(panel.scene, _down(b, y)) for b in keep]
        strip.balloons += [(panel.scene, _down(b, y)) for b in placed]
        y += small.height
    strip.gutters.append((y, height))
    return strip


def place_balloons(img: Image.Image, panel: Panel, avoid: list[Box], font_file: tuple[str, int]) -> list[Box]:
    """Draw the panel's balloons in reading order (top to bottom, alternating sides), clear of faces and each other."""
    w, h = img.size
    size, edge = TEXT_SIZE * SCALE, round(w * EDGE)
    taken = list(avoid)
    boxes: list[Box] = []
    floor = edge
    for i, spec in enumerate(panel.balloons):
        balloon = measure(str(spec.get("kind", "speech")), str(spec["text"]), font_file, size, round(w * TEXT_WIDTH))
        bw, bh = balloon.body
        reach = balloon.reach
        if bh + 2 * (edge + reach) > h or bw + 2 * (edge + reach) > w:
            raise ValueError(f"scene {panel.scene!r}: balloon {spec['text']!r} does not fit its "
                             f"{w // SCALE}x{h // SCALE} px panel")
        origin = _spot(w, h, balloon, i, floor, edge, taken)
        toward = _speaker(avoid, origin, balloon) if balloon.kind != "narration" else None
        box = render(img, balloon, origin, toward)
        boxes.append(box)
        taken.append(box)
        floor = origin[1] + bh // 2
    return boxes


def _spot(w: int, h: int, balloon: Balloon, index: int, floor: int, edge: int, taken: list[Box]) -> tuple[int, int]:
    """The first body position, scanning down from ``floor``, whose box (tail room included) overlaps nothing taken;
    the least-overlapping one when every position overlaps."""
    bw, bh = balloon.body
    r = balloon.reach
    sides = [edge + r, w - edge - r - bw, (w - bw) // 2]
    if index % 2:
        sides[0], sides[1] = sides[1], sides[0]
    best, best_cost = (sides[0], max(floor, edge + r)), float("inf")
    for y in range(max(floor, edge + r), h - edge - r - bh + 1, max(8, bh // 4)):
        for x in sides:
            box = (x - r, y - r, x + bw + r, y + bh + r)
            cost = sum(_area(box, t) for t in taken)
            if cost == 0:
                return (x, y)
            if cost < best_cost:
                best, best_cost = (x, y), cost
    return best


def _speaker(faces: list[Box], origin: tuple[int, int], balloon: Balloon) -> tuple[float, float] | None:
    """The centre of the face nearest the balloon: where its tail points."""
    if not faces:
        return None
    cx, cy = origin[0] + balloon.body[0] / 2, origin[1] + balloon.body[1] / 2
    face = min(faces, key=lambda f: (f[0] + f[2] - 2 * cx) ** 2 + (f[1] + f[3] - 2 * cy) ** 2)
    return ((face[0] + face[2]) / 2, (face[1] + face[3]) / 2)


def _area(a: Box, b: Box) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _even(value: float) -> int:
    return max(SCALE, int(round(value / SCALE)) * SCALE)


def _scaled(box: Box) -> Box:
    return tuple(v / SCALE for v in box)  # type: ignore[return-value]


def _down(box: Box, dy: int) -> Box:
    return (box[0], box[1] + dy, box[2], box[3] + dy)
