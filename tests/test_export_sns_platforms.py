"""One recipe using every SNS preset (with the upload kit), every webtoon preset and every blog flavour, built through
`zflow build`; each exported file is checked against the numbers in docs/platforms.md (size, format, bytes, colour
mode and profile), and exiftool reads the IPTC digital source type back from every image zflow wrote."""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from helpers.ci import need_exiftool
from helpers.platforms import amount, size, table
from helpers.project import CONFIG, ProjectDir

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

SNS = table("SNS presets")
WEBTOON = table("Webtoon presets")
CAROUSELS = table("Carousels and captions")
FLAVORS = ("hugo", "jekyll", "astro", "eleventy", "html")
FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WebP": "WEBP", "AVIF": "AVIF"}
IMAGE = re.compile(r"\.(jpg|png|webp|avif)$")

RECIPE = f'''\
from zflow import Character, Series, blog, narrate, say, sns, webtoon

mina = Character("mina", looks="barista, green apron")
s = Series("s", prompt="{{{{ cast }}}} {{{{ action }}}}", size="640x480", drafts=1, refine=False)
s.scene("open", cast=[mina], action="opens the cafe", title="Opening", alt="Mina unlocks the door",
        balloons=[narrate("Monday"), say("Good morning!", who=mina)])
s.scene("pour", cast=[mina], action="pours coffee", size="480x640", title="Pouring",
        balloons=[say("One latte.", who=mina)])
sns(s, *{sorted(SNS)!r}, kit=True, zip=True, hashtags=["cafe"])
for preset in {sorted(WEBTOON)!r}:
    webtoon(s, preset=preset, name=preset)
for flavor in {FLAVORS!r}:
    blog(s, name="blog-" + flavor, flavor=flavor, title="Cafe", base_url="https://example.org/cafe/")
'''


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    proj = ProjectDir(tmp_path_factory.mktemp("platforms") / "proj")
    proj.write("zflow.toml", CONFIG)
    proj.write("recipes/all.py", RECIPE)
    result = proj.build()
    assert result.code == 0, result.stderr
    assert "ig_tall" in result.stderr and "4:5 to 1.91:1" in result.stderr  # the warning reaches the user
    return proj.root / "out" / "s" / "export"


def check_colour(img: Image.Image) -> None:
    """8-bit RGB with an embedded sRGB profile."""
    assert img.mode == "RGB"
    profile = ImageCms.ImageCmsProfile(io.BytesIO(img.info["icc_profile"]))
    assert "sRGB" in ImageCms.getProfileDescription(profile)


@pytest.mark.parametrize("preset", sorted(SNS))
def test_every_sns_preset_matches_docs_platforms(out, preset):
    _, px, fmt, cap, *_ = SNS[preset]
    files = sorted((out / "sns" / preset).iterdir())
    assert [f.name for f in files] == ["open.jpg", "pour.jpg"]
    for path in files:
        assert path.stat().st_size <= amount(cap), path
        with Image.open(path) as img:
            assert img.size == size(px) and img.format == FORMATS[fmt]
            check_colour(img)


def test_the_upload_kit_lists_every_sns_file_within_each_platforms_carousel_limit(out):
    kit = out / "sns" / "kit"
    listed = []
    for manifest in sorted(kit.glob("*/manifest.json")):
        platform = manifest.parent.name
        limit = int(CAROUSELS[platform][1])
        rows = json.loads(manifest.read_text())
        assert max(r["position"] for r in rows) <= limit
        assert (kit / f"{platform}.zip").exists()
        for row in rows:
            assert list(size(SNS[row["preset"]][1])) == [row["width"], row["height"]]
            assert (kit / platform / row["file"]).read_bytes() == (out / "sns" / row["preset"] /
                                                                  f"{row['scene']}.jpg").read_bytes()
            assert row["hashtags"] == ["#cafe"]
            listed.append((row["preset"], row["scene"]))
    assert sorted(listed) == sorted((p, s) for p in SNS for s in ("open", "pour"))


@pytest.mark.parametrize("preset", sorted(WEBTOON))
def test_every_webtoon_preset_matches_docs_platforms(out, preset):
    row = WEBTOON[preset] if WEBTOON[preset][1] != "as Canvas" else WEBTOON["webtoon-canvas"]
    width, slice_height, per_image, per_episode = int(row[1]), int(row[2].lstrip("≤")), amount(row[3]), row[4]
    slices = sorted((out / preset / "episode").iterdir())
    assert slices and [p.name for p in slices] == [f"{i:03}.jpg" for i in range(1, len(slices) + 1)]
    for path in slices:
        assert path.stat().st_size <= per_image
        with Image.open(path) as img:
            assert img.width == width and img.height <= slice_height and img.format == "JPEG"
            check_colour(img)
    if per_episode != "–":
        assert sum(p.stat().st_size for p in slices) <= amount(per_episode.split(" or ")[0])
        if "images" in per_episode:
            assert len(slices) <= int(re.search(r"(\d+) images", per_episode).group(1))
    for thumb in sorted((out / preset).glob("thumbnails/*.jpg")):
        documented = re.search(rf"{thumb.stem} (\d+×\d+) <(\d+ KB)", row[6])
        with Image.open(thumb) as img:
            if documented:  # the thumbnails with a published size and cap
                assert img.size == size(documented.group(1))
                assert thumb.stat().st_size < amount(documented.group(2))
            assert f"{img.width}×{img.height}" in row[6]


@pytest.mark.parametrize("flavor", FLAVORS)
def test_every_blog_flavour_writes_its_featured_image_and_every_width(out, flavor):
    files = [p for p in (out / f"blog-{flavor}").rglob("*") if IMAGE.search(p.name)]
    featured = [p for p in files if p.name == "featured.jpg"]
    assert len(featured) == 1
    with Image.open(featured[0]) as img:
        assert img.size == size(SNS["og_image"][1]) and img.format == "JPEG"
    widths = sorted({int(re.search(r"-(\d+)\.", p.name).group(1)) for p in files if p.name != "featured.jpg"})
    assert widths == [480, 640]  # 480 from docs/platforms.md's widths, then each source's own (640 wide at most)
    for path in files:
        with Image.open(path) as img:
            assert img.format == {"jpg": "JPEG", "webp": "WEBP", "avif": "AVIF"}[path.suffix[1:]]
            check_colour(img)


def test_exiftool_reads_the_iptc_source_type_from_every_exported_image(out):
    need_exiftool()
    images = sorted(str(p) for p in out.rglob("*") if IMAGE.search(p.name) and "/kit/" not in str(p))
    assert len(images) > 100
    proc = subprocess.run([shutil.which("exiftool"), "-j", "-XMP-iptcExt:DigitalSourceType", *images],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    read = {entry["SourceFile"]: entry.get("DigitalSourceType", "") for entry in json.loads(proc.stdout)}
    assert sorted(read) == images
    prefix = "http://cv.iptc.org/newscodes/digitalsourcetype/"
    missing = [f for f, value in read.items() if not value.startswith(prefix)]
    assert missing == []
