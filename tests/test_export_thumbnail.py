"""The thumbnail exporter: titles fitted to a box inside the safe zone, clear of overlays, CJK rendered."""
from __future__ import annotations

import pytest
from PIL import Image, ImageChops

from helpers.exports import artifact, export_request, scene_png, written, xmp_fields
from zflow.contracts.provenance import COMPOSITE
from zflow.contracts.text import covers, find_font
from zflow.errors import TaskError
from zflow_exports.presets import BUILTIN
from zflow_exports.thumbnail import ThumbnailExporter

KOREAN = "카페 다이어리 3화: 첫 손님이 왔어요!"


def export(tmp_path, options, face=None):
    src = scene_png(tmp_path / "a.png", (1024, 576), face)
    meta = {"faces": [list(face)]} if face else {}
    out = ThumbnailExporter().export(export_request(tmp_path, "thumbnail", options,
                                                    [artifact("cafe/ep01/final", src, **meta)]))
    return out, written(tmp_path / options.get("title", "none")[:4], out.files)


def changed_box(tmp_path, preset, title, face=None, **options):
    """Where a title changed the pixels of the preset's thumbnail."""
    _, plain = export(tmp_path, {"preset": preset, **options}, face)
    out, titled = export(tmp_path, {"preset": preset, "title": title, **options}, face)
    name = f"{preset}/ep01.jpg"
    with Image.open(plain[name]) as a, Image.open(titled[name]) as b:
        assert b.size == BUILTIN[preset].size and b.format == "JPEG"
        diff = ImageChops.difference(a.convert("L"), b.convert("L")).point(lambda v: 255 if v > 40 else 0)
    return diff.getbbox(), out.meta["files"][name], titled[name]


def overlaps(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_youtube_title_stays_clear_of_the_duration_badge(tmp_path):
    box, info, path = changed_box(tmp_path, "yt_thumbnail", "Barista Mina's first customer", position="bottom")
    assert box is not None
    assert not overlaps(box, BUILTIN["yt_thumbnail"].overlays[0])
    assert path.stat().st_size <= BUILTIN["yt_thumbnail"].max_bytes
    assert xmp_fields(path)["DigitalSourceType"] == COMPOSITE


def test_story_title_stays_inside_the_safe_zone(tmp_path):
    box, _, _ = changed_box(tmp_path, "ig_story", "A very long title that has to wrap over several lines")
    x0, y0, x1, y1 = BUILTIN["ig_story"].safe_box
    assert box[0] >= x0 and box[1] >= y0 and box[2] <= x1 and box[3] <= y1


def test_auto_position_keeps_the_title_off_the_face(tmp_path):
    face = (412, 330, 612, 540)  # low in the frame: the title must go to the top
    box, info, _ = changed_box(tmp_path, "yt_thumbnail", "Latte art", face=face)
    assert box[3] < 720 / 2


def test_korean_title_is_drawn_with_a_font_that_has_hangul(tmp_path):
    path, index = find_font(KOREAN)
    assert covers(path, index, KOREAN)
    box, info, _ = changed_box(tmp_path, "yt_thumbnail", KOREAN)
    assert box is not None and info["title_box"] is not None


def test_title_too_long_for_its_box_names_scene_and_preset(tmp_path):
    with pytest.raises(TaskError) as err:
        export(tmp_path, {"preset": "fb_cover", "title": "word " * 120, "min_size": 40})
    assert "'ep01'" in str(err.value) and "'fb_cover'" in str(err.value) and "smallest size" in str(err.value)


def test_unknown_position_is_refused():
    with pytest.raises(ValueError, match="position"):
        ThumbnailExporter().check({"options": {"position": "middle"}})
