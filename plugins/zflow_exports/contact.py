"""The ``contact-sheet`` exporter: a scene's drafts in a numbered grid, the picked one outlined, for choosing."""
from __future__ import annotations

import math
from typing import Any, Mapping

from PIL import Image, ImageDraw, ImageOps

from zflow.contracts import Output, Request
from zflow.contracts.provenance import COMPOSITE
from zflow.contracts.text import find_font
from zflow.errors import TaskError

from .common import Box, open_rgb
from .encode import encode_capped
from .provenance import save_options
from .text import draw, fit

#: Cell width in px: two columns of 512 fit a 1080-px-wide phone screen at about full size (our choice).
CELL = 512
#: Gap between cells and around the grid, and the label strip under each cell, in px (our choice).
GAP, LABEL = 16, 56
#: The sheet is a picking aid, not an upload: JPEG q90 under 8 MB (the IG cap, docs/platforms.md, Encoding) keeps it
#: shareable.
MAX_BYTES = 8_000_000
PICK_COLOUR, PICK_WIDTH = "#ff3b30", 8


def sheet(images: list[Image.Image], labels: list[str], pick: str | None) -> tuple[Image.Image, list[Box]]:
    """The grid (columns = ceil(sqrt(n))) and each cell's box; the cell labelled ``pick`` is outlined."""
    columns = max(1, math.ceil(math.sqrt(len(images))))
    rows = math.ceil(len(images) / columns)
    cell_h = max(round(CELL * img.height / img.width) for img in images)
    size = (GAP + columns * (CELL + GAP), GAP + rows * (cell_h + LABEL + GAP))
    canvas = Image.new("RGB", size, "#1c1c1e")
    pen = ImageDraw.Draw(canvas)
    font = find_font("".join(labels) or "0")
    boxes = []
    for i, (img, label) in enumerate(zip(images, labels)):
        x, y = GAP + (i % columns) * (CELL + GAP), GAP + (i // columns) * (cell_h + LABEL + GAP)
        thumb = ImageOps.contain(img, (CELL, cell_h), Image.Resampling.LANCZOS)
        canvas.paste(thumb, (x + (CELL - thumb.width) // 2, y + (cell_h - thumb.height) // 2))
        box = (x, y, x + CELL, y + cell_h)
        boxes.append(box)
        if label == pick:
            pen.rectangle((x - PICK_WIDTH // 2, y - PICK_WIDTH // 2, x + CELL + PICK_WIDTH // 2 - 1,
                           y + cell_h + PICK_WIDTH // 2 - 1), outline=PICK_COLOUR, width=PICK_WIDTH)
        layout = fit(label, font, (CELL, LABEL - 8), LABEL - 16, 12, max_lines=1)
        draw(canvas, layout, (x, y + cell_h + 4, x + CELL, y + cell_h + LABEL - 4), shadow=None)
    return canvas, boxes


class ContactSheetExporter:
    """Serves ``contact`` tasks: ``contact.jpg`` with every draft numbered (``labels``, default 1..n)."""

    name = "contact-sheet"
    version = "2"

    def check(self, params: Mapping[str, Any]) -> None:
        labels = params.get("labels")
        if labels is not None and not isinstance(labels, (list, tuple)):
            raise ValueError(f"labels must be a list, not {labels!r}")

    def reframes(self, params: Mapping[str, Any], size: tuple[int, int]) -> dict[str, dict[str, str]]:
        return {}

    def export(self, request: Request) -> Output:
        params = request.params
        labels = [str(v) for v in params.get("labels") or range(1, len(request.inputs) + 1)]
        if not request.inputs or len(labels) != len(request.inputs):
            raise TaskError(request.task.id, f"scene {params.get('scene')!r}: {len(request.inputs)} drafts and "
                                             f"{len(labels)} labels; a contact sheet needs one label per draft")
        pick = None if params.get("pick") is None else str(params["pick"])
        images = [open_rgb(a.main) for a in request.inputs]
        canvas, boxes = sheet(images, labels, pick)
        meta = {k: v for k, v in request.inputs[0].meta.items() if k != "seed"}  # the drafts' seeds differ
        data, _ = encode_capped(canvas, "jpeg", MAX_BYTES, save_options("jpeg", meta, COMPOSITE))
        cells = {label: list(box) for label, box in zip(labels, boxes)}
        return Output({"contact.jpg": data}, {"exporter": self.name, "scene": params.get("scene"), "cells": cells,
                                              "pick": pick})
