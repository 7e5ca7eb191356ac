"""Webtoon episodes built through the CLI with two-person panels, measured: tails, balloon room, cuts, text size."""
from __future__ import annotations

import math

import pytest
from PIL import Image, ImageStat

from zflow.store import Store

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

RECIPE = '''\
from zflow import Character, Series, narrate, say, shout, think, webtoon

nabi = Character("nabi", looks="girl, yellow raincoat")
jun = Character("jun", looks="boy, grey hoodie")
s = Series("ep", prompt="{{ cast }} {{ action }}", drafts=1, refine=False, seed=3)
for i in range(6):
    s.scene(f"p{i}", cast=[nabi, jun] if i % 3 else [jun, nabi], action="talk at the bus stop",
            title=f"Bus stop {i}", size="21:9" if i % 2 else "3:4",
            balloons=[narrate("The rain would not stop that evening."), say("Did you bring an umbrella?", who=nabi),
                      (think if i % 2 else shout)("No... I thought it was sunny!", who=jun)])
webtoon(s, preset="webtoon-canvas")
webtoon(s, preset="lezhin", name="lezhin")
'''
#: Outfit colours the preview draws for the looks above (zflow_preview.looks): yellow raincoat, grey hoodie.
OUTFIT = {"nabi": (240, 200, 50), "jun": (130, 134, 140)}
FONT_SIZE = 26  # balloon text px at 800 wide (zflow_exports.layout.TEXT_SHARE)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from helpers.project import ProjectDir

    project = ProjectDir(tmp_path_factory.mktemp("webtoon") / "proj")
    project.write("zflow.toml", 'output = "out"\nbase_pixels = 262144\n')
    project.write("recipes/ep.py", RECIPE)
    result = project.build()
    assert result.code == 0, result.stderr
    store = Store(project.root, project.root / "out")
    keys = store.index.last_keys()
    episodes = {name: store.artifact(keys[f"ep/export/{name}"]).meta for name in ("webtoon", "lezhin")}
    drafts = {f"p{i}": store.artifact(keys[f"ep/p{i}/draft-1"]).meta for i in range(6)}
    store.close()
    return project.root / "out" / "ep" / "export", episodes, drafts


def strip_of(folder, meta):
    """The episode's slices pasted back into one strip."""
    strip = Image.new("RGB", (meta["width"], meta["cuts"][-1]))
    for i, top in enumerate(meta["cuts"][:-1], 1):
        with Image.open(folder / "episode" / f"{i:03}.jpg") as img:
            strip.paste(img.convert("RGB"), (0, top))
    return strip


def distance(point, box):
    dx = max(box[0] - point[0], 0, point[0] - box[2])
    dy = max(box[1] - point[1], 0, point[1] - box[3])
    return math.hypot(dx, dy)


def overlaps(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_every_tail_ends_at_its_speakers_head_and_that_head_is_the_speakers(built):
    folder, metas, drafts = built
    meta = metas["webtoon"]
    strip = strip_of(folder / "webtoon", meta)
    spoken = [b for b in meta["balloons"] if b["kind"] != "narration"]
    assert len(spoken) == 12 and all(b["who"] in OUTFIT for b in spoken)
    for balloon in spoken:
        heads = [f for f in meta["faces"] if f["scene"] == balloon["scene"]]
        assert len(heads) == 2
        own = next(f["box"] for f in heads if f["who"] == balloon["who"])
        other = next(f["box"] for f in heads if f["who"] != balloon["who"])
        tip = balloon["tip"]
        assert distance(tip, own) < distance(tip, other), balloon
        assert distance(tip, own) <= 0.7 * FONT_SIZE, balloon  # at the head, not at the feet or the name label
        # the pixels: the tail's black outline is drawn where the tip is said to be
        x, y = round(tip[0]), round(tip[1])
        assert min(strip.convert("L").crop((x - 2, y - 2, x + 3, y + 3)).get_flattened_data()) < 90, balloon
        # the head the episode names is where the scene's own image drew that character
        draft = drafts[balloon["scene"]]
        k = meta["width"] / draft["size"][0]
        top = next(a for scene, a, _ in meta["panels"] if scene == balloon["scene"])
        x0, y0, x1, y1 = draft["faces"][[c["name"] for c in draft["cast"]].index(balloon["who"])]
        assert own == pytest.approx([x0 * k, y0 * k + top, x1 * k, y1 * k + top], abs=1.0)


def test_the_preview_records_each_cast_members_own_head(built):
    folder, _, drafts = built
    for i in range(6):
        meta = drafts[f"p{i}"]
        with Image.open(folder.parent / f"p{i}" / "draft-1.png") as img:
            rgb = img.convert("RGB")
        for member, (x0, y0, x1, y1) in zip(meta["cast"], meta["faces"]):
            torso = rgb.getpixel((round((x0 + x1) / 2 - (x1 - x0) * 0.3), round(y1 + (y1 - y0) * 0.6)))
            assert min(OUTFIT, key=lambda n: math.dist(torso, OUTFIT[n])) == member["name"], (i, member, torso)


def test_balloons_are_clear_of_faces_text_and_each_other(built):
    _, metas, _ = built
    for meta in metas.values():
        balloons = meta["balloons"]
        assert len(balloons) == 18
        for i, balloon in enumerate(balloons):
            scene = balloon["scene"]
            body = balloon["body"]
            tail = _tail(balloon)
            for face in (f["box"] for f in meta["faces"] if f["scene"] == scene):
                assert not overlaps(body, face) and not any(_inside(p, face) for p in tail), (balloon, face)
            for text in (t for s, t in meta["text"] if s == scene):
                assert not overlaps(body, text), (balloon, text)  # the narration never hides the title
            for other in balloons[:i] + balloons[i + 1:]:
                assert not overlaps(body, other["body"]) and not any(_inside(p, other["body"]) for p in tail)


def _tail(balloon):
    """Points along a tail, from where it leaves the body's box to its tip."""
    if balloon["tip"] is None:
        return []
    (x0, y0, x1, y1), tip = balloon["body"], balloon["tip"]
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    points = [(cx + (tip[0] - cx) * k / 50, cy + (tip[1] - cy) * k / 50) for k in range(51)]
    return [p for p in points if not _inside(p, balloon["body"])]


def _inside(point, box):
    return box[0] < point[0] < box[2] and box[1] < point[1] < box[3]


def test_short_panels_keep_their_balloons_in_reading_order(built):
    _, metas, _ = built
    meta = metas["webtoon"]
    for scene in ("p1", "p3", "p5"):  # 21:9
        bodies = [b["body"] for b in meta["balloons"] if b["scene"] == scene]
        for before, after in zip(bodies, bodies[1:]):
            # below the previous one, or beside it to its right
            assert after[1] > before[1] or after[0] >= (before[0] + before[2]) / 2, (scene, before, after)


def test_slices_are_neither_short_nor_nearly_blank(built):
    folder, metas, _ = built
    for name, meta in metas.items():
        heights = []
        for i in range(1, len(meta["cuts"])):
            with Image.open(folder / name / "episode" / f"{i:03}.jpg") as img:
                rgb = img.convert("RGB")
            heights.append(rgb.height)
            busy = sum(1 for y in range(0, rgb.height, 4)
                       if max(ImageStat.Stat(rgb.crop((0, y, rgb.width, y + 1))).stddev) > 6
                       or min(ImageStat.Stat(rgb.crop((0, y, rgb.width, y + 1))).mean) < 235)
            assert busy >= 0.25 * len(range(0, rgb.height, 4)), (name, i)
        assert len(heights) > 1 and min(heights) >= 1280 // 4 and max(heights) <= 1280, (name, heights)


def test_cuts_cross_no_balloon_face_or_text(built):
    _, metas, _ = built
    for meta in metas.values():
        boxes = [b["box"] for b in meta["balloons"]] + [f["box"] for f in meta["faces"]] + [t for _, t in meta["text"]]
        for cut in meta["cuts"][1:-1]:
            assert not any(b[1] < cut < b[3] for b in boxes), cut


def test_balloon_text_keeps_its_size_relative_to_the_strip(built):
    _, metas, _ = built
    canvas, lezhin = metas["webtoon"], metas["lezhin"]
    assert (canvas["width"], lezhin["width"]) == (800, 1440)
    first = [b for b in canvas["balloons"] if b["kind"] == "narration"][0]
    wide = [b for b in lezhin["balloons"] if b["kind"] == "narration" and b["scene"] == first["scene"]][0]
    share = [(b["body"][3] - b["body"][1]) / m["width"] for b, m in ((first, canvas), (wide, lezhin))]
    assert share[1] == pytest.approx(share[0], rel=0.15)


def test_balloons_that_cannot_fit_fail_naming_the_scene(project):
    project.write("zflow.toml", 'output = "out"\nbase_pixels = 262144\n')
    project.write("recipes/ep.py", '''\
        from zflow import Character, Series, say, webtoon

        nabi = Character("nabi", looks="girl, yellow raincoat")
        s = Series("ep", prompt="{{ cast }} waits", drafts=1, refine=False, seed=3, size="21:9")
        s.scene("crowded", cast=[nabi], balloons=[say("This is far too much to say in one short panel " * 3,
                                                      who=nabi)] * 5)
        webtoon(s)
        ''')
    result = project.build()
    assert result.code != 0
    assert "crowded" in result.stderr + result.stdout and "balloon" in result.stderr + result.stdout
    assert not (project.root / "out" / "ep" / "export").exists()
