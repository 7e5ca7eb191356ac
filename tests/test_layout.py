"""The layout stage, through the real `zflow` command: cheap composition variants picked like drafts (recipe,
picks.json), each with OpenPose, depth and edge maps of its composition, that the scene's drafts follow."""
from __future__ import annotations

import json

import numpy as np
import pytest

from helpers.layouts import LAYOUT_RECIPE, built, centroid, graph_of, pixels
from helpers.project import CONFIG
from zflow_preview.looks import look_of
from zflow_preview.palette import mix
from zflow_preview.pose import KEYPOINTS as POINTS

pytestmark = [pytest.mark.e2e]

#: OpenPose colours of the keypoints the measurements use (controlnet_aux's draw_bodypose).
NOSE, RIGHT_ANKLE, LEFT_ANKLE = (255, 0, 0), (0, 170, 255), (85, 0, 255)


@pytest.fixture
def layouts(project):
    project.write("recipes/r.py", LAYOUT_RECIPE)
    result = project.build()
    assert result.code == 0, result.stderr
    return project


def test_a_layout_stores_its_frame_and_pose_depth_and_edge_maps(layouts):
    out = layouts.root / "out/s/a"
    for i in (1, 2, 3):
        names = sorted(p.name for p in (out / f"layout-{i}").iterdir())
        assert names == ["canny.png", "depth.png", "image.png", "pose.png"]
        for name in names:
            assert pixels(out / f"layout-{i}" / name).shape == (192, 256, 3)
    meta, parts = built(layouts.root, "s/a/layout-1")
    assert meta["role"] == "layout" and meta["maps"] == ["canny", "depth", "pose"]
    assert parts["kind"] == "layout" and parts["model"]["id"] == "preview"  # served by the preview by default
    depth, edges = pixels(out / "layout-1/depth.png"), pixels(out / "layout-1/canny.png")
    near = depth[..., 0]
    assert near[-1].mean() > near[0].mean()  # the ground at the bottom is nearer than the sky
    assert set(np.unique(edges)) == {0, 255}  # white outlines on black, like Canny's


def test_the_pose_skeleton_lies_on_each_figure(layouts):
    """Measured: each figure's nose dot lies in that figure's drawn head, its ankle dots at its drawn feet."""
    out = layouts.root / "out/s/a"
    for i in (1, 2, 3):
        meta, _ = built(layouts.root, f"s/a/layout-{i}")
        pose = pixels(out / f"layout-{i}/pose.png")
        heads = dict(zip(["mina", "jun"], meta["faces"]))
        places = {p[0]: p for p in meta["composition"]["placements"]}
        assert [f["name"] for f in meta["poses"]] == [["mina", "jun"][p[0]] for p in
                                                       meta["composition"]["placements"]]
        for figure in meta["poses"]:
            member, x, feet, tall, _ = places[["mina", "jun"].index(figure["name"])]
            x0, y0, x1, y1 = heads[figure["name"]]
            nose = figure["keypoints"][0]
            assert x0 < nose[0] < x1 and y0 < nose[1] < y1
            # the drawn dots: the red one nearest this figure's nose keypoint is within 2 px of it
            reds = np.argwhere((pose == NOSE).all(axis=2))
            assert len(reds)
            nearest = min(reds, key=lambda yx: (yx[1] - nose[0]) ** 2 + (yx[0] - nose[1]) ** 2)
            assert abs(nearest[1] - nose[0]) <= 3 and abs(nearest[0] - nose[1]) <= 3
            for ankle in (figure["keypoints"][10], figure["keypoints"][13]):
                assert abs(ankle[1] - feet * 192) < 0.06 * tall * 192  # at the feet
                assert abs(ankle[0] - x * 256) < 0.2 * tall * 192  # under the figure, within its hips
    assert centroid(pose, RIGHT_ANKLE) and centroid(pose, LEFT_ANKLE)
    right, left = centroid(pose, RIGHT_ANKLE), centroid(pose, LEFT_ANKLE)
    assert right[0] != left[0]


def test_the_keypoints_land_on_the_drawn_parts_of_each_figure(layouts):
    """Measured in the layout's frame: the nose on the face's skin, the wrists on the hands, the knees on the
    trousers, the ankles on the shoes; and every keypoint inside the figure's silhouette in the depth map."""
    looks = {"mina": "barista, green apron", "jun": "pilot, blue jacket"}
    for i in (1, 2, 3):
        meta, _ = built(layouts.root, f"s/a/layout-{i}")
        frame = pixels(layouts.root / f"out/s/a/layout-{i}/image.png")
        depth = pixels(layouts.root / f"out/s/a/layout-{i}/depth.png")[..., 0]
        for figure in meta["poses"]:
            look = look_of(figure["name"], looks[figure["name"]])
            at = {name: tuple(frame[round(y), round(x)]) for name, (x, y) in zip(POINTS, figure["keypoints"])}
            assert at["nose"] == look.skin
            assert at["right_wrist"] == at["left_wrist"] == look.skin
            assert at["right_knee"] == at["left_knee"] == mix(look.outfit, (0, 0, 0), 0.45)
            assert at["right_ankle"] == at["left_ankle"] == (40, 34, 32)
            for x, y in figure["keypoints"]:
                assert depth[round(y) - 1:round(y) + 2, round(x) - 1:round(x) + 2].max() >= 170


def test_the_draft_follows_its_picked_layout_and_takes_its_pose_map(layouts):
    _, parts = built(layouts.root, "s/a/draft-1")
    assert "s/a/layout-1" in parts["inputs"] and "s/a/control-pose" in parts["inputs"]
    assert parts["params"]["control"] == {"type": "pose", "scale": 0.8}
    _, control = built(layouts.root, "s/a/control-pose")
    assert list(control["inputs"]) == ["s/a/layout-1"]
    out = layouts.root / "out/s/a"
    assert (pixels(out / "control-pose.png") == pixels(out / "layout-1/pose.png")).all()
    draft, _ = built(layouts.root, "s/a/draft-1")
    layout, _ = built(layouts.root, "s/a/layout-1")
    assert draft["layout"] == "s/a/layout-1" and draft["faces"] == layout["faces"]  # the same composition
    assert draft["control"]["map"] == "s/a/control-pose"


def test_picking_another_layout_in_picks_json_rebuilds_only_that_scene(layouts):
    before = built(layouts.root, "s/a/draft-1")[0]
    layouts.write("picks.json", json.dumps({"s/a#layout": 2}))
    result = layouts.build()
    assert result.code == 0, result.stderr
    assert result.ids("task-done") == {"s/a/control-pose", "s/a/draft-1", "s/a/draft-2", "s/a/contact",
                                       "s/a/refine"}
    after = built(layouts.root, "s/a/draft-1")[0]
    assert after["layout"] == "s/a/layout-2" and after["faces"] != before["faces"]  # the figures moved
    out = layouts.root / "out/s/a"
    assert (pixels(out / "control-pose.png") == pixels(out / "layout-2/pose.png")).all()


def test_the_recipe_picks_a_layout_and_picks_json_overrides_it(layouts):
    first = (layouts.root / "out/s/b/draft-1.png").read_bytes()
    layouts.write("recipes/r.py", LAYOUT_RECIPE.replace('reads a book", layouts=2', 'reads a book", layouts=2, '
                                                                                     'layout=2'))
    result = layouts.build()
    assert result.code == 0, result.stderr
    assert result.ids("task-done") == {"s/b/draft-1", "s/b/draft-2", "s/b/contact", "s/b/refine"}
    assert "s/b/layout-2" in graph_of(layouts.root).tasks["s/b/draft-1"].inputs
    assert (layouts.root / "out/s/b/draft-1.png").read_bytes() != first
    layouts.write("picks.json", json.dumps({"s/b#layout": 1}))
    result = layouts.build()
    assert result.code == 0 and result.summary["ran"] == 0  # layout 1's drafts are in the store already
    assert "s/b/layout-1" in graph_of(layouts.root).tasks["s/b/draft-1"].inputs
    assert (layouts.root / "out/s/b/draft-1.png").read_bytes() == first


@pytest.mark.parametrize("change, message", [
    ("layouts=2, layout=3)", "recipes/r.py:7: scene s/b: layout 3 is not one of its 2 layouts"),
    ("layouts=99)", "recipes/r.py:7: layouts must be a whole number from 0 to 16, not 99"),
    ("layuots=2)", "did you mean layouts?"),
])
def test_a_wrong_layout_setting_is_refused_at_its_line(project, change, message):
    project.write("recipes/r.py", LAYOUT_RECIPE.replace("layouts=2)", change))
    result = project.build()
    assert result.code == 2
    assert message in result.stderr
    assert not (project.root / "out").exists()


def test_a_layout_pick_out_of_range_in_picks_json_names_the_file(layouts):
    layouts.write("picks.json", json.dumps({"s/a#layout": 7}))
    result = layouts.build()
    assert result.code == 2
    assert "picks.json:1: scene s/a: layout 7 is not one of its 3 layouts" in result.stderr


def test_a_full_quality_refine_keeps_the_picked_layout(project):
    project.write("recipes/r.py", LAYOUT_RECIPE.replace('from zflow import', 'from zflow import Refine,').replace(
        '"reads a book", layouts=2', '"reads a book", layouts=2, layout=2, refine=Refine(mode="txt2img")'))
    assert project.build().code == 0
    layout, _ = built(project.root, "s/b/layout-2")
    refine, _ = built(project.root, "s/b/refine")
    assert np.abs(np.array(refine["faces"]) - np.array(layout["faces"])).max() <= 1


@pytest.mark.parametrize("stage, message", [
    ('backend = "nope"', "stages.layout.backend in "),
    ('backend = "zimage"\nmodel = "x/y"', "stages.layout.backend: backend 'zimage' cannot serve 'layout' tasks"),
])
def test_the_layout_stage_is_configured_like_the_others(project, stage, message):
    project.write("zflow.toml", CONFIG + f"[stages.layout]\n{stage}\n")
    project.write("recipes/r.py", LAYOUT_RECIPE)
    result = project.build()
    assert result.code == 2 and message in result.stderr
