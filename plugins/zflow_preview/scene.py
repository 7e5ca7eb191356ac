"""Drawing a scene preview: setting, the cast as labelled figures, title, prompt; with the faces and focus boxes."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from PIL import Image, ImageDraw

from .figure import Box, draw_figure
from .layout import Layout, layout_for
from .looks import look_of
from .palette import mix, palette_for
from .reading import words
from .scenery import draw_setting, draw_weather
from .seeding import stream
from .shapes import rounded_box
from .text import MIN_TEXT, Fonts, caption, label, preview_mark


@dataclass(slots=True)
class Picture:
    """A drawn image, where its faces (``faces[i]`` is the head of cast member ``i``), subject and drawn text
    (title, prompt strip, name labels) are (pixel boxes), and what was drawn (``drawn``: the figures' species, the
    scenery and weather, for the image's meta)."""

    image: Image.Image
    faces: list[list[int]]
    focus: list[int] | None
    drawn: dict[str, Any] = field(default_factory=dict)
    text: list[list[int]] = field(default_factory=list)


def draw_scene(fonts: Fonts, *, prompt: str, style: str, title: str, cast: Sequence[Mapping[str, Any]],
               size: tuple[int, int], seed: int, index: int, mark: str = "PREVIEW", supersample: int = 1,
               layout: Layout | None = None) -> Picture:
    """Variant ``index`` of a scene seeded ``seed`` at ``size``, composed as ``layout`` (a picked layout's) or as
    the seed and index have it; ``supersample`` > 1 draws larger and scales down."""
    width, height = size[0] * supersample, size[1] * supersample
    found = words(f"{prompt} {style}")
    palette = palette_for(prompt, style)
    layout = layout or layout_for(seed, index, len(cast), width / height)
    rng = stream("scene", seed, index)
    image = Image.new("RGB", (width, height))
    scenery = draw_setting(image, palette, layout.horizon, found, rng)
    draw = ImageDraw.Draw(image)
    boxes: list[Box] = []
    faces: list[Box] = [(0, 0, 0, 0)] * len(cast)
    figures: list[dict[str, str]] = []
    for place in layout.placements:
        member = cast[place.member]
        look = look_of(str(member.get("name", "")), str(member.get("looks", "")))
        cx, feet, tall = place.x * width, place.feet * height, place.height * height
        _shadow(draw, cx, feet, tall, mix(palette.ground, (0, 0, 0), 0.35))
        faces[place.member] = draw_figure(draw, look, cx, feet, tall, "front", place.facing)
        figures.append({"name": look.name, "species": look.species})
        boxes.append((cx - tall * 0.23, feet - tall, cx + tall * 0.23, feet))
    creature = look_of("", prompt) if not cast else None
    if creature is not None and creature.species != "person":
        # No cast, but the prompt names an animal or a robot: it stands where the subject would be.
        x0, y0, x1, y1 = layout.subject
        cx, feet, tall = (x0 + x1) / 2 * width, y1 * height, (y1 - y0) * height
        _shadow(draw, cx, feet, tall, mix(palette.ground, (0, 0, 0), 0.35))
        faces.append(draw_figure(draw, creature, cx, feet, tall, "front", 1))
        figures.append({"name": "", "species": creature.species})
        boxes.append((cx - tall * 0.23, feet - tall, cx + tall * 0.23, feet))
    elif not cast:
        boxes.append(_subject(draw, layout.subject, (width, height), palette.accent, fonts))
    weather = draw_weather(image, found, rng)
    text = caption(draw, (width, height), fonts, title, prompt)
    if height / 34 >= MIN_TEXT:
        for place in layout.placements:
            name = str(cast[place.member].get("name", ""))
            text.append(label(draw, (place.x * width, place.feet * height + height / 34), name,
                              fonts(height / 34, name), palette.accent))
    text.append(preview_mark(draw, (width, height), fonts, mark))
    if supersample > 1:
        image = image.reduce(supersample)
    drawn = {"figures": figures, "scenery": scenery, "weather": weather, "palette": palette.mood}
    return Picture(image, [pixel_box(f, supersample, size) for f in faces], pixel_box(_union(boxes), supersample, size),
                   drawn, [pixel_box(t, supersample, size) for t in text])


def _shadow(draw: ImageDraw.ImageDraw, cx: float, feet: float, tall: float, colour: tuple[int, int, int]) -> None:
    draw.ellipse((cx - tall * 0.2, feet - tall * 0.03, cx + tall * 0.2, feet + tall * 0.03), fill=colour)


def _subject(draw: ImageDraw.ImageDraw, box: Box, size: tuple[int, int], colour: tuple[int, int, int],
             fonts: Fonts) -> Box:
    """A storyboard's "subject here" block for a scene without cast."""
    width, height = size
    x0, y0, x1, y1 = box[0] * width, box[1] * height, box[2] * width, box[3] * height
    line = max(1, width // 250)
    rounded_box(draw, (x0, y0, x1, y1), radius=(x1 - x0) * 0.08, fill=mix(colour, (255, 255, 255), 0.55),
                outline=colour, width=line)
    draw.line((x0, y0, x1, y1), fill=colour, width=line)
    draw.line((x0, y1, x1, y0), fill=colour, width=line)
    if height / 34 >= MIN_TEXT:
        label(draw, ((x0 + x1) / 2, (y0 + y1) / 2), "subject", fonts(height / 34), colour)
    return x0, y0, x1, y1


def _union(boxes: list[Box]) -> Box:
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def pixel_box(box: Box, scale: float, size: tuple[int, int]) -> list[int]:
    """``box`` divided by ``scale``, rounded to whole pixels and kept inside an image of ``size``."""
    width, height = size
    x0, y0, x1, y1 = (round(v / scale) for v in box)
    return [min(max(x0, 0), width), min(max(y0, 0), height), min(max(x1, 0), width), min(max(y1, 0), height)]
