"""Drawing a character sheet preview: the character from the front and the side, its name, looks and colours."""
from __future__ import annotations

from PIL import ImageDraw

from .figure import draw_figure
from .looks import Look, look_of
from .palette import mix, palette_for
from .scene import Picture, pixel_box
from .scenery import gradient
from .seeding import stream
from .shapes import rounded_box
from .text import MIN_TEXT, Fonts, label, preview_mark, wrap

_WHITE = (255, 255, 255)


def draw_sheet(fonts: Fonts, *, name: str, looks: str, style: str, prompt: str, size: tuple[int, int],
               seed: int) -> Picture:
    """A sheet for ``name`` at ``size``; ``seed`` picks which way the side view faces."""
    width, height = size
    palette = palette_for(prompt, style)
    look = look_of(name, looks)
    paper = mix(palette.sky_bottom, _WHITE, 0.7)
    floor = height * 0.78
    image = gradient(size, [(0.0, paper), (0.78, mix(paper, palette.far, 0.15)),
                            (0.78, mix(paper, palette.ground, 0.35)), (1.0, mix(paper, palette.ground, 0.5))])
    draw = ImageDraw.Draw(image)
    grid = mix(paper, (0, 0, 0), 0.08)
    step = max(8, height // 16)
    for y in range(int(floor), 0, -step):
        draw.line((0, y, width, y), fill=grid, width=1)
    tall = min(height * 0.58, width * 0.9)
    facing = 1 if stream("sheet", seed).random() < 0.5 else -1
    views = (("front", width * 0.3, 1), ("side", width * 0.68, facing))
    faces, boxes = [], []
    for view, cx, face_dir in views:
        draw.ellipse((cx - tall * 0.2, floor - tall * 0.03, cx + tall * 0.2, floor + tall * 0.03), fill=grid)
        faces.append(draw_figure(draw, look, cx, floor, tall, view, face_dir))
        boxes.append((cx - tall * 0.23, floor - tall, cx + tall * 0.23, floor))
    small = min(width, height) / 36
    if small >= MIN_TEXT:
        for view, cx, _ in views:
            label(draw, (cx, floor + small * 1.6), view, fonts(small), palette.accent)
        draw.text((small, small), name, font=fonts(small * 2.2, name), fill=(24, 24, 28))
        draw.text((small, small * 3.6), "character sheet", font=fonts(small * 0.9), fill=(90, 90, 96))
        for i, line in enumerate(wrap(looks, fonts(small, looks), width - 2 * small, 3)):
            draw.text((small, floor + small * (3.2 + i * 1.35)), line, font=fonts(small, looks), fill=(40, 40, 46))
        _swatches(draw, look, width - small * 2.6, small * 5, small, fonts)
    preview_mark(draw, size, fonts)
    focus = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    return Picture(image, [pixel_box(f, 1, size) for f in faces], pixel_box(focus, 1, size),
                   {"figures": [{"name": name, "species": look.species}]})


def _swatches(draw: ImageDraw.ImageDraw, look: Look, x: float, y: float, small: float, fonts: Fonts) -> None:
    """Hair, outfit and skin colours as labelled chips down the right edge."""
    for i, (word, colour) in enumerate((("hair", look.hair), ("outfit", look.outfit), ("skin", look.skin))):
        top = y + i * small * 2.6
        rounded_box(draw, (x, top, x + small * 1.6, top + small * 1.6), radius=small * 0.3, fill=colour,
                    outline=(60, 60, 60))
        draw.text((x - small * 0.4, top + small * 0.8), word, font=fonts(small * 0.8), fill=(60, 60, 66), anchor="rm")
