"""The sns exporter: every preset's size, format and byte cap, subject-keeping crops, outpainted reframes."""
from __future__ import annotations

import random

import pytest
from PIL import Image

from helpers.exports import artifact, export_request, scene_png, written, xmp_fields
from zflow.errors import TaskError
from zflow_exports.focus import saliency_box
from zflow_exports.presets import BUILTIN
from zflow_exports.sns import SnsExporter

SKIN = (236, 188, 160)


def skin_box(img: Image.Image) -> tuple[int, int, int, int] | None:
    """The box of the pixels close to the head's skin colour."""
    px = img.convert("RGB").load()
    xs, ys = [], []
    for y in range(0, img.height, 2):
        for x in range(0, img.width, 2):
            r, g, b = px[x, y]
            if abs(r - SKIN[0]) < 18 and abs(g - SKIN[1]) < 18 and abs(b - SKIN[2]) < 18:
                xs.append(x)
                ys.append(y)
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def run(tmp_path, options, inputs, scenes=None):
    out = SnsExporter().export(export_request(tmp_path, "sns", options, inputs, scenes))
    return out, written(tmp_path, out.files)


def test_every_builtin_preset_has_its_pixel_size_jpeg_format_and_stays_under_its_cap(tmp_path):
    src = scene_png(tmp_path / "a.png")
    out, files = run(tmp_path, {"presets": list(BUILTIN)}, [artifact("cafe/ep01/final", src)])
    assert len(files) == len(BUILTIN)
    for preset in BUILTIN.values():
        path = files[f"{preset.name}/ep01.jpg"]
        with Image.open(path) as img:
            assert img.size == preset.size and img.format == "JPEG"
        assert path.stat().st_size <= preset.max_bytes
        assert xmp_fields(path)["DigitalSourceType"].endswith("/trainedAlgorithmicMedia")


def test_long_platform_names_resolve_to_presets(tmp_path):
    src = scene_png(tmp_path / "a.png")
    _, files = run(tmp_path, {"presets": ["instagram-portrait", "x-post", "youtube-thumbnail", "og"]},
                   [artifact("cafe/ep01/final", src)])
    assert sorted(files) == ["ig_portrait/ep01.jpg", "og_image/ep01.jpg", "x_post/ep01.jpg", "yt_thumbnail/ep01.jpg"]


def test_unknown_preset_is_refused_with_the_known_ones_listed():
    with pytest.raises(ValueError) as err:
        SnsExporter().check({"options": {"presets": ["ig_squarre"]}})
    assert "ig_squarre" in str(err.value) and "ig_square" in str(err.value) and "yt_banner" in str(err.value)


def test_user_preset_from_options_is_exported_at_its_size_and_format(tmp_path):
    src = scene_png(tmp_path / "a.png")
    banner = {"name": "my_banner", "size": "1500x500", "format": "webp", "max_bytes": 2_000_000}
    _, files = run(tmp_path, {"presets": ["ig_square", banner]}, [artifact("cafe/ep01/final", src)])
    with Image.open(files["my_banner/ep01.webp"]) as img:
        assert img.size == (1500, 500) and img.format == "WEBP"


def test_head_at_the_edge_is_never_cut_by_any_crop(tmp_path):
    face = (20, 300, 220, 520)
    src = scene_png(tmp_path / "a.png", (1024, 1024), face)
    _, files = run(tmp_path, {"presets": list(BUILTIN)}, [artifact("cafe/ep01/final", src, faces=[list(face)])])
    for name, path in files.items():
        with Image.open(path) as img:
            box = skin_box(img)
            assert box is not None, name
            assert box[0] > 0 and box[1] > 0 and box[2] < img.width - 2 and box[3] < img.height - 2, name
            ratio = (box[2] - box[0]) / (box[3] - box[1])
            assert abs(ratio - 200 / 220) < 0.12, name  # a whole head keeps its shape


def test_subject_at_the_right_edge_is_moved_clear_of_the_tiktok_buttons(tmp_path):
    face = (1500, 400, 1680, 560)
    src = scene_png(tmp_path / "a.png", (1920, 1080), face)
    _, files = run(tmp_path, {"presets": ["tiktok_photo"]}, [artifact("cafe/ep01/final", src, faces=[list(face)])])
    with Image.open(files["tiktok_photo/ep01.jpg"]) as img:
        box = skin_box(img)
    x0, y0, x1, y1 = BUILTIN["tiktok_photo"].safe_box
    assert box[1] >= y0 and box[3] <= y1 and box[0] >= x0 and box[2] <= x1


def test_far_aspect_is_framed_from_the_outpainted_reframe_and_near_aspect_is_cropped(tmp_path):
    src = scene_png(tmp_path / "a.png", (1024, 1024))
    reframes = SnsExporter().reframes({"options": {"presets": ["x_post", "ig_portrait"]}}, (1024, 1024))
    assert list(reframes) == ["outpaint-1824x1024"]
    assert reframes["outpaint-1824x1024"] == {"op": "outpaint", "size": "1824x1024"}
    canvas = Image.new("RGB", (1824, 1024), (255, 0, 255))
    with Image.open(src) as img:
        canvas.paste(img, (400, 0))
    canvas.save(tmp_path / "wide.png")
    inputs = [artifact("cafe/ep01/final", src), artifact("cafe/ep01/reframe", tmp_path / "wide.png")]
    scenes = [{"id": "ep01", "image": 0, "reframes": {"outpaint-1824x1024": 1}}]
    _, files = run(tmp_path, {"presets": ["x_post", "ig_portrait"]}, inputs, scenes)
    with Image.open(files["x_post/ep01.jpg"]) as wide, Image.open(files["ig_portrait/ep01.jpg"]) as tall:
        assert wide.size == (1600, 900)
        r, g, b = wide.convert("RGB").getpixel((20, 450))
        assert r > 200 and g < 60 and b > 200  # the outpainted margin, not a crop of the source
        r, g, b = tall.convert("RGB").getpixel((20, 675))
        assert not (r > 200 and g < 60 and b > 200)


def test_byte_cap_is_met_by_searching_a_lower_quality(tmp_path):
    rng = random.Random(3)
    noisy = Image.frombytes("RGB", (1024, 1024), bytes(rng.randrange(256) for _ in range(1024 * 1024 * 3)))
    noisy.save(tmp_path / "noise.png")
    tight = {"name": "tight", "size": "600x600", "format": "jpeg", "max_bytes": 150_000}
    out, files = run(tmp_path, {"presets": [tight]}, [artifact("cafe/ep01/final", tmp_path / "noise.png")])
    assert files["tight/ep01.jpg"].stat().st_size <= 150_000
    assert out.meta["files"]["tight/ep01.jpg"]["quality"] < 90


def test_cap_no_quality_can_meet_fails_naming_scene_and_preset(tmp_path):
    src = scene_png(tmp_path / "a.png")
    tiny = {"name": "tiny", "size": "1000x1000", "max_bytes": 3_000}
    with pytest.raises(TaskError) as err:
        run(tmp_path, {"presets": ["ig_square", tiny]}, [artifact("cafe/ep01/final", src)])
    assert "'ep01'" in str(err.value) and "'tiny'" in str(err.value) and "ig_square" not in str(err.value)


def test_saliency_box_finds_a_lone_subject_on_a_plain_background():
    img = Image.new("RGB", (800, 600), (40, 40, 40))
    img.paste((250, 220, 40), (560, 80, 700, 220))
    x0, y0, x1, y1 = saliency_box(img)
    assert x0 <= 630 <= x1 and y0 <= 150 <= y1
    assert x0 > 400 and y1 < 400
