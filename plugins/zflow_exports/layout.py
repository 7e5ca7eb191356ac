"""A webtoon strip: panels stacked top to bottom with gutters, each with its balloons, composed at 2x."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from PIL import Image

from .balloons import render
from .common import Box
from .placement import Head, NoRoom, place

#: Compose at 2x, then downscale once with LANCZOS (docs/platforms.md, Webtoon presets: 1600 wide -> 800).
SCALE = 2
#: Gutters at platform width: >= 200-250 px between panels, 600-1000 px at a scene or time change (docs/platforms.md,
#: Webtoon presets); the lower ends are used. The strip opens and closes with one plain gutter.
GUTTER, SCENE_GUTTER = 200, 600
#: Balloon text size as a share of the strip's width: 26 px on WEBTOON's 800-px column reads like print on a phone
#: (our choice), so Lezhin's 1440-px strip gets 47 px, the same size on screen.
TEXT_SHARE = 26 / 800


@dataclass(frozen=True, slots=True)
class Panel:
    """One scene as a panel: its image, its heads and drawn text (source px), its balloons, a scene break."""

    scene: str
    image: Image.Image
    heads: Sequence[Head]
    text: Sequence[Box]
    balloons: Sequence[Mapping[str, Any]]
    new_scene: bool = False


@dataclass(slots=True)
class Strip:
    """The composed strip at platform width, with where things are (strip px)."""

    image: Image.Image
    panels: list[tuple[str, int, int]] = field(default_factory=list)
    gutters: list[tuple[int, int]] = field(default_factory=list)
    balloons: list[dict[str, Any]] = field(default_factory=list)
    faces: list[dict[str, Any]] = field(default_factory=list)
    text: list[tuple[str, Box]] = field(default_factory=list)

    def keepouts(self) -> list[tuple[int, int]]:
        """Row spans no cut may enter: every balloon (tail included), face and drawn text."""
        boxes = [b["box"] for b in self.balloons] + [f["box"] for f in self.faces] + [b for _, b in self.text]
        return [(int(b[1]), math.ceil(b[3]) + 1) for b in boxes]


def compose(panels: Sequence[Panel], width: int, font_file: tuple[str, int], background: str = "#ffffff") -> Strip:
    """Lay the panels out at ``SCALE`` x ``width`` and downscale each block once; raises ValueError naming the scene."""
    blocks = []
    font_size = round(TEXT_SHARE * width * SCALE)
    for panel in panels:
        big = panel.image.resize((width * SCALE, _even(panel.image.height * width * SCALE / panel.image.width)),
                                 Image.Resampling.LANCZOS)
        k = big.width / panel.image.width
        heads = [Head(hd.who, _times(hd.box, k)) for hd in panel.heads]
        text = [_times(b, k) for b in panel.text]
        try:
            placed = place(big.size, panel.balloons, heads, text, font_file, font_size)
        except NoRoom as err:
            raise ValueError(f"scene {panel.scene!r} ({width}x{big.height // SCALE} px panel): {err}") from err
        drawn = [(p, render(big, p.balloon, p.origin, p.tip)) for p in placed]
        small = big.resize((width, big.height // SCALE), Image.Resampling.LANCZOS, reducing_gap=2.0)
        blocks.append((small, panel, heads, text, drawn))
    gaps = [GUTTER] + [SCENE_GUTTER if p.new_scene and i else GUTTER for i, p in enumerate(panels[1:], 1)] + [GUTTER]
    height = sum(gaps) + sum(b[0].height for b in blocks)
    strip = Strip(Image.new("RGB", (width, height), background))
    y = 0
    for gap, (small, panel, heads, text, drawn) in zip(gaps, blocks):
        strip.gutters.append((y, y + gap))
        y += gap
        strip.image.paste(small, (0, y))
        strip.panels.append((panel.scene, y, y + small.height))
        strip.faces += [{"scene": panel.scene, "who": hd.who, "box": _down(hd.box, y)} for hd in heads]
        strip.text += [(panel.scene, _down(b, y)) for b in text]
        strip.balloons += [{"scene": panel.scene, "kind": p.balloon.kind, "who": p.who, "text": p.spec.get("text"),
                            "box": _down(box, y), "body": _down(p.body, y),
                            "tip": None if p.tip is None else [p.tip[0] / SCALE, p.tip[1] / SCALE + y]}
                           for p, box in drawn]
        y += small.height
    strip.gutters.append((y, height))
    return strip


def _even(value: float) -> int:
    return max(SCALE, int(round(value / SCALE)) * SCALE)


def _times(box: Box | Sequence[float], k: float) -> Box:
    return (box[0] * k, box[1] * k, box[2] * k, box[3] * k)


def _down(box: Box, dy: int) -> list[float]:
    """A box at 2x on a panel as strip px: scaled down and moved to the panel's row."""
    return [box[0] / SCALE, box[1] / SCALE + dy, box[2] / SCALE, box[3] / SCALE + dy]
