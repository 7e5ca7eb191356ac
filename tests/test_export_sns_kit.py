"""The sns exporter's upload kit: images numbered into posts within each platform's carousel limit, manifests (JSON
and CSV) that list every file with its size, alt text, caption and hashtags, alt and caption files, zips."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from PIL import Image

from helpers.exports import artifact, export_request, scene_png, written
from zflow.errors import TaskError
from zflow_exports.common import PlatformWarning
from zflow_exports.sns import SnsExporter

TITLES = ["Open", "Pour", "Steam", "Latte", "Rain", "Close"]


def kit(tmp_path, presets, **options):
    inputs, scenes = [], []
    for i, title in enumerate(TITLES):
        inputs.append(artifact(f"cafe/ep{i}/final", scene_png(tmp_path / f"{i}.png", (320, 240))))
        scenes.append({"id": f"ep{i}", "series": "cafe", "image": i, "title": title, "alt": f"Mina: {title.lower()}",
                       "prompt": "p", "seed": i, "vars": {"mood": "calm"}, "reframes": {}})
    out = SnsExporter().export(export_request(tmp_path, "sns", {"presets": presets, "kit": True, **options},
                                              inputs, scenes))
    return out.files, written(tmp_path, out.files)


def manifest(files, platform):
    rows = json.loads(files[f"kit/{platform}/manifest.json"])
    table = list(csv.DictReader(io.StringIO(files[f"kit/{platform}/manifest.csv"].decode())))
    assert [{k: str(v) if k != "hashtags" else " ".join(v) for k, v in row.items()} for row in rows] == table
    return rows


def test_images_are_numbered_into_posts_within_each_platforms_carousel_limit(tmp_path):
    data, files = kit(tmp_path, ["x_post", "ig_portrait", "og_image"],
                      caption="{{ title }}, {{ mood }} ({{ post }}: {{ count }} images)",
                      captions={"x": "{{ title }} on {{ platform }}"},
                      hashtags={"instagram": ["cafe", "#barista"], "": ["cafe"]})
    x = manifest(data, "x")
    assert [(r["post"], r["position"]) for r in x] == [(1, 1), (1, 2), (1, 3), (1, 4), (2, 1), (2, 2)]
    assert [r["order"] for r in x] == list(range(1, 7))
    assert [r["scene"] for r in x] == [f"ep{i}" for i in range(6)]
    instagram = manifest(data, "instagram")
    assert {r["post"] for r in instagram} == {1} and len(instagram) == 6
    assert [r["post"] for r in manifest(data, "web")] == [1, 2, 3, 4, 5, 6]  # an og:image is one image
    for platform, rows in (("x", x), ("instagram", instagram)):
        for row in rows:
            path = files[f"kit/{platform}/{row['file']}"]
            assert path.read_bytes() == data[f"{row['preset']}/{row['scene']}.jpg"]
            with Image.open(path) as img:
                assert [img.width, img.height] == [row["width"], row["height"]] and img.format == "JPEG"
            assert row["bytes"] == path.stat().st_size
            assert files[f"kit/{platform}/{row['file']}.alt.txt"].read_text() == row["alt"]
            assert row["alt"] == f"Mina: {TITLES[int(row['scene'][2:])].lower()}"
    assert files["kit/x/post02.caption.txt"].read_text() == "Rain on x\n\n#cafe"
    assert files["kit/instagram/post01.caption.txt"].read_text() == "Open, calm (1: 6 images)\n\n#cafe #barista"
    assert instagram[0]["hashtags"] == ["#cafe", "#barista"] and x[0]["caption"] == "Open on x\n\n#cafe"


def test_each_platform_zips_its_kit_the_same_bytes_every_time(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, _ = kit(tmp_path / "a", ["x_post"], zip=True)
    second, _ = kit(tmp_path / "b", ["x_post"], zip=True)
    assert first["kit/x.zip"] == second["kit/x.zip"]
    with zipfile.ZipFile(io.BytesIO(first["kit/x.zip"])) as archive:
        names = archive.namelist()
        assert names == sorted(n.removeprefix("kit/") for n in first if n.startswith("kit/x/"))
        assert all(archive.read(n) == first["kit/" + n] for n in names)


def test_a_series_caption_template_is_used_when_the_export_names_none(tmp_path):
    inputs = [artifact("cafe/ep0/final", scene_png(tmp_path / "0.png", (320, 240)))]
    scenes = [{"id": "ep0", "series": "cafe", "image": 0, "title": "Open", "alt": "Mina", "prompt": "p", "seed": 1,
               "vars": {"caption": "{{ series }}: {{ title }}"}, "reframes": {}}]
    out = SnsExporter().export(export_request(tmp_path, "sns", {"presets": ["threads"], "kit": True}, inputs, scenes))
    assert out.files["kit/threads/post01.caption.txt"] == b"cafe: Open"


def test_a_caption_over_the_platforms_limit_fails_naming_scene_and_platform(tmp_path):
    with pytest.raises(TaskError) as err:
        kit(tmp_path, ["x_post", "ig_square"], caption="{{ title }} " + "word " * 60)
    assert "scene 'ep0', platform 'x'" in str(err.value) and "280" in str(err.value)
    assert "instagram" not in str(err.value)


def test_too_many_instagram_hashtags_fail(tmp_path):
    with pytest.raises(TaskError, match="31 hashtags, over instagram's 30"):
        kit(tmp_path, ["ig_square"], hashtags=[f"tag{i}" for i in range(31)])


@pytest.mark.parametrize("options,message", [
    ({"kit": True, "caption": "{{ title "}, "caption template 'caption'"),
    ({"zip": True}, "add kit=True"),
    ({"kit": True, "hashtags": ["two words"]}, "one word"),
])
def test_bad_kit_options_are_refused_before_anything_runs(options, message):
    with pytest.raises(ValueError, match=message):
        SnsExporter().check({"options": {"presets": ["x_post"], **options}})


def test_ig_tall_warns_that_the_instagram_api_refuses_its_aspect():
    with pytest.warns(PlatformWarning, match=r"ig_tall.*4:5 to 1\.91:1"):
        SnsExporter().check({"options": {"presets": ["ig_tall"]}})
