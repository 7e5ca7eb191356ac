"""Reframes keep the subject large and its face in each platform's safe zone, measured on built exports."""
from __future__ import annotations

import pytest
from PIL import Image
from skimage import data

from zflow.store import Store
from zflow_exports.faces import detect
from zflow_exports.presets import BUILTIN

YELLOW = (240, 200, 50)  # the preview's "yellow raincoat" (zflow_preview.looks)
KOREAN = "카페 다이어리 3화: 첫 손님이 왔어요!"


def colour_box(img, colour, tolerance=30):
    """The bounding box of the pixels within ``tolerance`` of ``colour``."""
    r, g, b = (img.convert("RGB").getchannel(c) for c in "RGB")
    masks = [ch.point(lambda v, t=t: 255 if abs(v - t) <= tolerance else 0) for ch, t in zip((r, g, b), colour)]
    mask = Image.new("L", img.size, 255)
    for m in masks:
        mask = Image.composite(m, Image.new("L", img.size, 0), mask)
    return mask.getbbox()


@pytest.mark.e2e
def test_a_wide_scenes_figure_stays_large_in_a_story(project):
    project.write("zflow.toml", 'output = "out"\nbase_pixels = 262144\n')
    project.write("recipes/r.py", '''\
        from zflow import Character, Series, sns
        nabi = Character("nabi", looks="girl, yellow raincoat")
        s = Series("r", prompt="{{ cast }} waits", drafts=1, refine=False, seed=11)
        s.scene("wide", cast=[nabi], size="16:9")
        s.scene("cinema", cast=[nabi], size="21:9")
        sns(s, "ig_story")
        ''')
    result = project.build()
    assert result.code == 0, result.stderr
    out = project.root / "out" / "r"
    for scene in ("wide", "cinema"):
        with Image.open(out / scene / "draft-1.png") as img:
            source = colour_box(img, YELLOW)
            source_share = (source[3] - source[1]) / img.height
        with Image.open(out / "export" / "sns" / "ig_story" / f"{scene}.jpg") as img:
            story = colour_box(img, YELLOW)
            story_share = (story[3] - story[1]) / img.height
        # the whole scene shrunk into the story would give source_share * (9/16) / (16/9) or less
        assert story_share >= 0.9 * min(source_share, 0.6), (scene, source_share, story_share)


@pytest.mark.e2e
def test_a_photos_face_stays_in_the_banners_safe_zone_and_clear_of_the_title(project):
    (project.root / "recipes").mkdir(parents=True)
    photo = Image.new("RGB", (910, 512), (128, 128, 130))
    photo.paste(Image.fromarray(data.astronaut()), (300, 0))  # a 16:9 photograph, the face high and left of centre
    photo.save(project.root / "recipes" / "wide.png")
    project.write("recipes/r.py", f'''\
        from zflow import Series, sns, thumbnail
        s = Series("r", drafts=1, refine=False)
        s.scene("astro", photo="wide.png")
        sns(s, "yt_banner", "ig_story", "yt_thumbnail")
        thumbnail(s, title="{KOREAN}", preset="yt_thumbnail")
        ''')
    result = project.build()
    assert result.code == 0, result.stderr
    out = project.root / "out" / "r" / "export"
    source_face = detect(photo)[0]
    with Image.open(out / "sns" / "yt_banner" / "astro.jpg") as img:
        face = detect(img.convert("RGB"))[0]
    sx0, sy0, sx1, sy1 = BUILTIN["yt_banner"].safe_box
    assert sx0 <= face[0] and sy0 <= face[1] and face[2] <= sx1 and face[3] <= sy1, face
    with Image.open(out / "sns" / "ig_story" / "astro.jpg") as img:
        face = detect(img.convert("RGB"))[0]
        assert (face[3] - face[1]) / img.height >= 0.8 * (source_face[3] - source_face[1]) / photo.height
    store = Store(project.root, project.root / "out")
    meta = store.artifact(store.index.last_keys()["r/export/thumbnail"]).meta
    store.close()
    title = meta["files"]["yt_thumbnail/astro.jpg"]["title_box"]
    with Image.open(out / "sns" / "yt_thumbnail" / "astro.jpg") as img:  # the same frame without the title
        face = detect(img.convert("RGB"))[0]
    assert not (title[0] < face[2] and face[0] < title[2] and title[1] < face[3] and face[1] < title[3]), (title, face)


def test_subject_share_sets_how_large_the_subject_stays_and_is_checked(tmp_path):
    import pytest

    from helpers.exports import artifact, export_request, scene_png, written
    from zflow_exports.sns import SnsExporter

    face = (760, 120, 840, 200)  # a head on a body that fills the scene's height
    src = scene_png(tmp_path / "a.png", (1600, 900), face)
    canvas = Image.new("RGB", (1600, 2848), (90, 90, 100))  # an outpainted reframe: the scene in its middle
    with Image.open(src) as img:
        canvas.paste(img, (0, (2848 - 900) // 2))
    canvas.save(tmp_path / "canvas.png")
    inputs = [artifact("cafe/ep01/final", src, faces=[list(face)], focus=[720, 120, 880, 900]),
              artifact("cafe/ep01/reframe", tmp_path / "canvas.png")]
    scenes = [{"id": "ep01", "image": 0, "reframes": {"outpaint-1600x2848": 1}}]
    heights = {}
    for share in (0.4, 0.9):
        out = SnsExporter().export(export_request(tmp_path, "sns", {"presets": ["ig_story"], "subject_share": share},
                                                  inputs, scenes))
        with Image.open(written(tmp_path / str(share), out.files)["ig_story/ep01.jpg"]) as img:
            head, body = colour_box(img, (236, 188, 160)), colour_box(img, (30, 120, 60))
            heights[share] = (body[3] - head[1]) / img.height  # the subject: from the head's top to the body's foot
    assert heights[0.4] == pytest.approx(0.4, abs=0.05)
    assert heights[0.9] == pytest.approx((900 - 120) / 900, abs=0.05)  # as large as in the scene, no larger
    with pytest.raises(ValueError, match="subject_share"):
        SnsExporter().check({"options": {"presets": ["ig_story"], "subject_share": 1.5}})
