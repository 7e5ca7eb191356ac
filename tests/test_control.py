"""`control=Control(...)` through the real `zflow` command: maps from the picked layout, from a photograph (Canny
through OpenCV), from another scene's image; the resize reported; what conditioned tasks receive; keys; errors."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps
from skimage import data

from helpers.layouts import built, graph_of, pixels

pytestmark = [pytest.mark.e2e]

RECIPE = '''\
from zflow import Character, Control, Edit, Series

mina = Character("mina", looks="barista, green apron")
s = Series("s", prompt="{{{{ cast }}}} {{{{ action }}}}", size="256x192", drafts=1)
s.scene("a", cast=[mina], action="pours coffee", control={control},
        edits=[Edit.inpaint("face", "a smile"), Edit.outpaint("1:1")])
s.scene("b", cast=[mina], action="reads a book")
'''
PHOTO = 'Control("canny", image="photos/astronaut.png", scale=0.7)'


def recipe(project, control: str) -> None:
    project.write("recipes/r.py", RECIPE.format(control=control))


@pytest.fixture
def photo(project):
    (project.root / "recipes/photos").mkdir(parents=True)
    Image.fromarray(data.astronaut()).save(project.root / "recipes/photos/astronaut.png")  # 512x512
    return project


def test_canny_from_a_photograph_is_resized_to_the_draft_and_the_resize_reported(photo):
    recipe(photo, PHOTO)
    result = photo.build()
    assert result.code == 0, result.stderr
    edges = pixels(photo.root / "out/s/a/control-canny.png")
    assert edges.shape == (192, 256, 3) and set(np.unique(edges)) == {0, 255}
    fitted = ImageOps.fit(Image.fromarray(data.astronaut()), (256, 192), method=Image.Resampling.LANCZOS)
    expected = cv2.Canny(np.asarray(fitted.convert("L")), 100, 200)
    assert (edges[..., 0] == expected).all()
    assert 0.02 < (expected > 0).mean() < 0.3  # a photograph's edges, not noise nor nothing
    notes = [e for e in result.events if e["event"] == "note"]
    assert notes == [{"event": "note", "file": "recipes/r.py", "line": 5, "message":
                      "s/a/control-canny: the recipes/photos/astronaut.png image is 512x512; its canny map was "
                      "resized to 256x192 (centre-cropped to that aspect)"}]
    meta, parts = built(photo.root, "s/a/control-canny")
    assert meta["role"] == "control" and meta["control"] == "canny"
    assert meta["resized_from"] == [512, 512] and meta["cropped"] is True
    assert parts["params"]["resized_from"] == [512, 512]
    assert parts["files"] == {"recipes/photos/astronaut.png": parts["files"]["recipes/photos/astronaut.png"]}


def test_conditioned_tasks_get_the_map_as_an_input_with_its_type_and_scale(photo):
    recipe(photo, PHOTO)
    assert photo.build().code == 0
    tasks = graph_of(photo.root).tasks
    for task_id in ("s/a/draft-1", "s/a/refine", "s/a/edit-1-inpaint"):
        assert "s/a/control-canny" in tasks[task_id].inputs
        assert tasks[task_id].params["control"] == {"type": "canny", "scale": 0.7}
    outpaint = tasks["s/a/edit-2-outpaint"]  # another size: no map of that size to follow
    assert "s/a/control-canny" not in outpaint.inputs and "control" not in outpaint.params
    assert "control" not in tasks["s/b/draft-1"].params
    draft, _ = built(photo.root, "s/a/draft-1")
    assert draft["control"] == {"type": "canny", "scale": 0.7, "map": "s/a/control-canny"}
    refine, _ = built(photo.root, "s/a/refine")
    assert refine["control"] == {"type": "canny", "scale": 0.7}  # recorded by the preview's refine


def test_the_preview_draft_shows_its_control_map(photo):
    recipe(photo, PHOTO)
    assert photo.build().code == 0
    shown = pixels(photo.root / "out/s/a/draft-1.png")
    edges = pixels(photo.root / "out/s/a/control-canny.png")[..., 0] > 0
    recipe(photo, "None")
    assert photo.build().code == 0
    plain = pixels(photo.root / "out/s/a/draft-1.png")
    changed = (shown != plain).any(axis=2)
    assert changed[edges].mean() > 0.5 and changed[~edges].mean() < 0.05  # lighter where the edges are


def test_keys_change_with_the_control_settings(photo):
    recipe(photo, PHOTO)
    assert photo.build().code == 0
    recipe(photo, PHOTO.replace("0.7", "0.5"))
    result = photo.build()
    assert result.ids("task-done") == {"s/a/draft-1", "s/a/contact", "s/a/refine", "s/a/edit-1-inpaint",
                                       "s/a/edit-2-outpaint"}  # the map is the same; what it conditions is not
    recipe(photo, PHOTO.replace("canny", "depth").replace("photos/astronaut.png", "layout"))
    result = photo.build()
    assert "s/a/control-depth" in result.ids("task-done") and "s/a/layout-1" in result.ids("task-done")
    assert not {i for i in result.ids("task-done") if i.startswith("s/b/")}


def test_a_map_from_another_scenes_image_follows_that_scene(photo):
    photo.write("recipes/r.py", '''\
        from zflow import Control, Series
        s = Series("s", prompt="{{ action }}", size="128x128", drafts=1)
        s.scene("first", action="a street", control=Control("canny", image="@s/source"))
        src = s.scene("source", action="a harbour", size="192x128")
        ''')
    result = photo.build()
    assert result.code == 0, result.stderr
    task = graph_of(photo.root).tasks["s/first/control-canny"]
    assert task.inputs == ("s/source/refine",) and task.params["resized_from"] == [192, 128]
    assert pixels(photo.root / "out/s/first/control-canny.png").shape == (128, 128, 3)
    photo.write("recipes/r.py", (photo.root / "recipes/r.py").read_text().replace("a harbour", "a forest"))
    result = photo.build()
    assert {"s/first/control-canny", "s/first/draft-1"} <= result.ids("task-done")


def test_missing_detector_weights_fail_the_task_with_what_to_download(photo):
    recipe(photo, 'Control("pose", image="photos/astronaut.png")')
    result = photo.build()
    assert result.code == 1
    [failed] = [e for e in result.events if e["event"] == "task-failed"]
    assert failed["id"] == "s/a/control-pose"
    for words in ("MissingDetector", "OpenposeDetector", "body_pose_model.pth", "lllyasviel/Annotators",
                  "[stages.control]", "annotators", "pip install controlnet-aux"):
        assert words in failed["error"]
    assert {"s/a/draft-1", "s/a/refine"} <= result.ids("task-skipped")
    assert "s/b/refine" in result.ids("task-done")  # independent work completes
    (photo.root / "weights").mkdir()
    photo.write("zflow.toml", (photo.root / "zflow.toml").read_text()
                + '[stages.control]\noptions = { annotators = "weights" }\n')
    result = photo.build()
    assert result.code == 1
    [failed] = [e for e in result.events if e["event"] == "task-failed"]
    assert "pose maps need body_pose_model.pth in the annotators folder" in failed["error"]
    assert str(photo.root / "weights") in failed["error"]


@pytest.mark.parametrize("kind, detector, files", [
    ("depth", "MidasDetector", "dpt_hybrid-midas-501f0c75.pt"),
    ("hed", "HEDdetector", "ControlNetHED.pth"),
    ("mlsd", "MLSDdetector", "mlsd_large_512_fp32.pth"),
])
def test_each_detector_names_its_own_weights(photo, kind, detector, files):
    recipe(photo, f'Control("{kind}", image="photos/astronaut.png")')
    result = photo.build()
    assert result.code == 1
    [failed] = [e for e in result.events if e["event"] == "task-failed"]
    assert failed["id"] == f"s/a/control-{kind}" and detector in failed["error"] and files in failed["error"]


@pytest.mark.parametrize("control, message", [
    ('Control("posse")', "recipes/r.py:5: Control('posse'): unknown control type (known: pose, depth, canny, hed, "
                         "mlsd); did you mean pose?"),
    ('Control("pose", scale=3)', "recipes/r.py:5: Control('pose'): scale must be a number from 0 to 2, not 3"),
    ('Control("depth", scale="high")', "scale must be a number from 0 to 2, not 'high'"),
    ('Control("canny", image="photos/nope.png")', "recipes/r.py:5: control image recipes/photos/nope.png not found"),
    ('Control("hed")', "recipes/r.py:5: Control('hed'): a layout has pose, depth, canny maps, not hed"),
    ('Control("canny", image="@s/nowhere")', "recipes/r.py:5: scene 's/a': control from unknown scene 's/nowhere'"),
    ('"pose"', "recipes/r.py:5: control='pose': give Control("),
    ('Control("canny", image="@s/a")', "recipes/r.py:5: scene 's/a': control from its own image"),
])
def test_a_wrong_control_is_refused_at_its_line(photo, control, message):
    recipe(photo, control)
    result = photo.build()
    assert result.code == 2
    assert message in result.stderr
    assert not (photo.root / "out").exists()
