"""The contact-sheet exporter: every draft in a numbered grid, the pick outlined."""
from __future__ import annotations

import pytest
from PIL import Image

from helpers.exports import artifact, scene_png, written, xmp_fields
from zflow.contracts import ModelRef, Request, Task
from zflow.errors import TaskError
from zflow_exports.contact import CELL, ContactSheetExporter


def drafts(tmp_path, n):
    return [artifact(f"cafe/ep01/draft-{i}", scene_png(tmp_path / f"d{i}.png", (768, 1024)), seed=i)
            for i in range(1, n + 1)]


def contact(tmp_path, inputs, **params):
    task = Task(id="cafe/ep01/contact", kind="contact", params={"scene": "ep01", **params},
                inputs=tuple(a.task_id for a in inputs))
    return ContactSheetExporter().export(Request(task, "k", ModelRef("exporter"), tuple(inputs), tmp_path))


def test_four_drafts_make_a_two_by_two_grid_with_every_cell_filled(tmp_path):
    out = contact(tmp_path, drafts(tmp_path, 4), pick=3)
    path = written(tmp_path, out.files)["contact.jpg"]
    cells = out.meta["cells"]
    assert sorted(cells) == ["1", "2", "3", "4"]
    with Image.open(path) as img:
        assert img.format == "JPEG" and img.width > 2 * CELL
        for box in cells.values():
            x0, y0, x1, y1 = box
            r, g, b = img.convert("RGB").getpixel(((x0 + x1) // 2, (y0 + y1) * 2 // 5))
            assert (r, g, b) != (28, 28, 30)  # a draft is there, not the sheet's background
    assert xmp_fields(path)["DigitalSourceType"].endswith("compositeWithTrainedAlgorithmicMedia")


def test_picked_draft_is_outlined_in_red_and_others_are_not(tmp_path):
    out = contact(tmp_path, drafts(tmp_path, 3), pick=2)
    path = written(tmp_path, out.files)["contact.jpg"]
    with Image.open(path) as img:
        rgb = img.convert("RGB")
        for label, (x0, y0, x1, y1) in out.meta["cells"].items():
            r, g, b = rgb.getpixel((x0 - 2, (y0 + y1) // 2))
            assert (r > 200 and g < 90) == (label == "2"), label


def test_labels_must_match_the_drafts(tmp_path):
    with pytest.raises(TaskError, match="ep01"):
        contact(tmp_path, drafts(tmp_path, 2), labels=["a"])
