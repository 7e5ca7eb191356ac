"""The webtoon exporter: panels on a strip, slices under the caps, never cut through balloons, faces or text."""
from __future__ import annotations

import pytest
from PIL import Image

from helpers.exports import artifact, export_request, scene_png, written, xmp_fields
from zflow.errors import TaskError
from zflow_exports.slicing import MIN_CONTENT, MIN_SHARE, NoCut, cuts
from zflow_exports.webtoon import WebtoonExporter
from zflow_exports.webtoon_presets import PRESETS

pytestmark = [pytest.mark.slow]  # full-size strips, encoded

BALLOONS = [
    [{"kind": "narration", "text": "그날 아침, 카페는 조용했다."},
     {"kind": "speech", "text": "어서 오세요! 뭐 드릴까요?"}],
    [{"kind": "thought", "text": "저 손님… 어디서 봤더라?"}, {"kind": "shout", "text": "앗!"}],
    [{"kind": "speech", "text": "One latte, please."}],
    [],
]
SIZES = [(1024, 1024), (768, 1024), (1024, 576), (576, 1024)]


def episode(tmp_path, options, sizes=SIZES, balloons=BALLOONS):
    inputs, scenes = [], []
    for i, (size, said) in enumerate(zip(sizes, balloons)):
        w, h = size
        face = [w * 2 // 5, h // 5, w * 3 // 5, h * 2 // 5]
        inputs.append(artifact(f"cafe/p{i}/final", scene_png(tmp_path / f"{i}.png", size, tuple(face)), faces=[face]))
        scenes.append({"id": f"p{i}", "image": i, "balloons": said, "prompt": f"panel {i}", "seed": i,
                       "vars": {"place": "cafe" if i < 2 else "street"}})
    out = WebtoonExporter().export(export_request(tmp_path, "webtoon", options, inputs, scenes))
    return out, written(tmp_path, out.files)


def test_slices_are_numbered_platform_wide_under_the_caps_and_rebuild_the_strip(tmp_path):
    out, files = episode(tmp_path, {"preset": "webtoon-canvas"})
    preset = PRESETS["webtoon-canvas"]
    names = sorted(n for n in files if n.startswith("episode/"))
    assert names == [f"episode/{i:03}.jpg" for i in range(1, len(names) + 1)]
    heights = []
    for name in names:
        with Image.open(files[name]) as img:
            assert img.format == "JPEG" and img.width == 800 and img.height <= preset.slice_height
            heights.append(img.height)
        assert files[name].stat().st_size <= preset.image_cap
        assert xmp_fields(files[name])["DigitalSourceType"].endswith("compositeWithTrainedAlgorithmicMedia")
    assert sum(heights) == out.meta["cuts"][-1]
    assert sum(files[n].stat().st_size for n in names) <= preset.episode_cap


def test_no_cut_crosses_a_balloon_or_a_face(tmp_path):
    out, _ = episode(tmp_path, {})
    inner = out.meta["cuts"][1:-1]
    boxes = [b["box"] for b in out.meta["balloons"]] + [f["box"] for f in out.meta["faces"]]
    assert len(out.meta["balloons"]) == 5 and len(out.meta["faces"]) == 4
    for cut in inner:
        assert not any(b[1] < cut < b[3] for b in boxes), cut


def test_cuts_in_gutters_leave_plain_background_at_slice_edges(tmp_path):
    out, files = episode(tmp_path, {})
    gutter_cuts = {c for c in out.meta["cuts"][1:-1] if any(a < c < b for a, b in out.meta["gutters"])}
    assert gutter_cuts
    for i, (top, bottom) in enumerate(zip(out.meta["cuts"], out.meta["cuts"][1:]), 1):
        with Image.open(files[f"episode/{i:03}.jpg"]) as img:
            rgb = img.convert("RGB")
            for row, cut in ((0, top), (img.height - 1, bottom)):
                if cut in gutter_cuts:
                    assert all(min(rgb.getpixel((x, row))) > 240 for x in range(0, 800, 40)), (i, row)


def test_no_slice_is_short_or_mostly_gutter(tmp_path):
    out, _ = episode(tmp_path, {})
    bounds, panels = out.meta["cuts"], out.meta["panels"]
    for top, bottom in zip(bounds, bounds[1:]):
        assert bottom - top >= 1280 * MIN_SHARE, (top, bottom)
        shown = sum(max(0, min(bottom, b) - max(top, a)) for _, a, b in panels)
        assert shown >= MIN_CONTENT * (bottom - top), (top, bottom)


def test_a_scene_change_gets_the_wide_gutter(tmp_path):
    out, _ = episode(tmp_path, {})
    gaps = [b - a for a, b in out.meta["gutters"]]
    assert gaps == [200, 200, 600, 200, 200]


def test_balloons_are_drawn_black_on_white_inside_their_boxes(tmp_path):
    out, files = episode(tmp_path, {})
    strip = Image.new("RGB", (800, out.meta["cuts"][-1]))
    for i, top in enumerate(out.meta["cuts"][:-1], 1):
        with Image.open(files[f"episode/{i:03}.jpg"]) as img:
            strip.paste(img, (0, top))
    for x0, y0, x1, y1 in (b["body"] for b in out.meta["balloons"]):
        region = strip.crop((int(x0), int(y0), int(x1), int(y1))).convert("L")
        histogram = region.histogram()
        white, black = sum(histogram[230:]), sum(histogram[:40])
        assert white > 0.3 * sum(histogram) and black > 0.02 * sum(histogram)


def test_episode_thumbnails_have_the_platform_sizes_and_caps(tmp_path):
    _, files = episode(tmp_path, {})
    for thumb in PRESETS["webtoon-canvas"].thumbs:
        path = files[f"thumbnails/{thumb.name}.jpg"]
        with Image.open(path) as img:
            assert img.size == thumb.size
        assert path.stat().st_size <= thumb.max_bytes


def test_naver_preset_uses_its_690_px_width(tmp_path):
    _, files = episode(tmp_path, {"preset": "naver-challenge"})
    with Image.open(files["episode/001.jpg"]) as img:
        assert img.width == 690


def test_panel_whose_face_fills_more_than_a_slice_names_scene_and_preset(tmp_path):
    path = scene_png(tmp_path / "tall.png", (400, 1600), (0, 0, 400, 1600))
    inputs = [artifact("cafe/tall/final", path, faces=[[0, 0, 400, 1600]])]
    with pytest.raises(TaskError) as err:
        WebtoonExporter().export(export_request(tmp_path, "webtoon", {}, inputs,
                                                [{"id": "tall", "image": 0, "balloons": []}]))
    assert "'tall'" in str(err.value) and "'webtoon-canvas'" in str(err.value)


def test_unknown_webtoon_preset_lists_the_known_ones():
    with pytest.raises(ValueError) as err:
        WebtoonExporter().check({"options": {"preset": "webtoon"}})
    assert "webtoon-canvas" in str(err.value) and "tapas" in str(err.value)


def test_cuts_prefer_gutters_then_free_rows_inside_a_panel_and_fail_without_one():
    gutters, panels = [(0, 200), (1100, 1300), (2800, 3000)], [(200, 1100), (1300, 2800)]
    bounds = cuts(3000, 1280, gutters, [], panels)
    assert len(bounds) == 4 and 1100 <= bounds[1] <= 1300  # three slices, the first cut in the gutter
    bounds = cuts(3000, 1280, gutters, [(1500, 2100)], panels)
    assert all(not 1500 < c < 2100 for c in bounds) and max(b - a for a, b in zip(bounds, bounds[1:])) <= 1280
    with pytest.raises(NoCut):
        cuts(3000, 1280, [], [(0, 2000)], [(0, 3000)])


def test_cuts_never_leave_a_blank_tail_of_gutter():
    # a strip that ends in a long plain stretch: cutting at the last gutter would leave a blank 500-px slice
    panels = [(200, 1200), (1400, 2300)]
    bounds = cuts(2800, 1280, [(0, 200), (1200, 1400), (2300, 2800)], [], panels)
    for top, bottom in zip(bounds, bounds[1:]):
        shown = sum(max(0, min(bottom, b) - max(top, a)) for a, b in panels)
        assert shown >= MIN_CONTENT * (bottom - top)


def test_balloon_too_big_for_its_panel_names_scene_and_preset(tmp_path):
    path = scene_png(tmp_path / "wide.png", (1024, 160))
    inputs = [artifact("cafe/wide/final", path)]
    said = [{"kind": "speech", "text": "a very long line of dialogue " * 12}]
    with pytest.raises(TaskError) as err:
        WebtoonExporter().export(export_request(tmp_path, "webtoon", {}, inputs,
                                                [{"id": "wide", "image": 0, "balloons": said}]))
    assert "'wide'" in str(err.value) and "'webtoon-canvas'" in str(err.value)


def test_the_speaker_is_the_named_head_else_the_only_one():
    from zflow_exports.placement import Head, speaker

    nabi, jun = Head("nabi", (0, 0, 10, 10)), Head("jun", (50, 0, 60, 10))
    assert speaker({"kind": "speech", "who": "nabi"}, [jun, nabi]) is nabi
    assert speaker({"kind": "shout", "who": "jun"}, [jun, nabi]) is jun
    assert speaker({"kind": "speech"}, [jun, nabi]) is None  # whose voice is unknown: no tail
    unnamed = Head(None, (0, 0, 10, 10))
    assert speaker({"kind": "speech", "who": "nabi"}, [unnamed]) is unnamed
    assert speaker({"kind": "narration"}, [nabi]) is None
