"""Faces on real photographs: OpenCV's bundled cascade finds them, and exports frame and title around them."""
from __future__ import annotations

import pytest
from PIL import Image
from skimage import data

from zflow.store import Store
from zflow_exports.faces import detect
from zflow_exports.focus import saliency_box, subject

#: The astronaut's face in skimage.data.astronaut() (512x512): hairline to chin, cheek to cheek, measured by eye on
#: a 32-px grid drawn over the photograph.
ASTRONAUT_FACE = (180, 70, 272, 172)
#: Her eyes and mouth, which any box that covers the face must hold.
EYES_AND_MOUTH = ((208, 110), (247, 110), (226, 145))


def iou(a, b):
    inter = max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def test_the_bundled_cascade_finds_the_astronauts_face():
    boxes = detect(Image.fromarray(data.astronaut()))
    assert len(boxes) == 1
    box = boxes[0]
    assert iou(box, ASTRONAUT_FACE) >= 0.6, box
    assert all(box[0] < x < box[2] and box[1] < y < box[3] for x, y in EYES_AND_MOUTH), box


def test_the_face_is_found_at_any_scale_and_in_a_larger_frame():
    photo = Image.fromarray(data.astronaut())
    big = photo.resize((2048, 2048), Image.Resampling.LANCZOS)  # larger than the detector's working size
    box = detect(big)[0]
    assert iou([v / 4 for v in box], ASTRONAUT_FACE) >= 0.6


def test_a_photo_without_a_face_has_none():
    assert detect(Image.fromarray(data.coffee())) == []


def test_focus_order_is_backend_meta_then_detector_then_saliency():
    photo = Image.fromarray(data.astronaut())
    assert subject({"faces": [[10, 10, 60, 60]]}, photo)[1] == (10.0, 10.0, 60.0, 60.0)  # the backend's word wins
    box, faces = subject({"faces": [], "focus": [100, 100, 300, 400]}, photo)  # the backend said: no faces
    assert box == (100.0, 100.0, 300.0, 400.0) and faces == (200.0, 250.0, 200.0, 250.0)
    box, faces = subject({}, photo)  # nothing recorded: the detector
    assert iou(faces, ASTRONAUT_FACE) >= 0.6 and box == faces
    coffee = Image.fromarray(data.coffee())
    assert subject({}, coffee)[0] == saliency_box(coffee)  # no face anywhere: saliency


@pytest.mark.e2e
def test_a_photo_scenes_thumbnail_and_story_keep_the_face_clear_and_in_frame(project):
    (project.root / "recipes").mkdir(parents=True)
    Image.fromarray(data.astronaut()).save(project.root / "recipes" / "astronaut.png")
    project.write("recipes/p.py", '''\
        from zflow import Series, sns, thumbnail
        s = Series("p", drafts=1, refine=False)
        s.scene("astro", photo="astronaut.png", title="Mission day: the crew portrait")
        thumbnail(s, preset="yt_thumbnail")
        sns(s, "ig_story")
        ''')
    result = project.build()
    assert result.code == 0, result.stderr
    store = Store(project.root, project.root / "out")
    meta = store.artifact(store.index.last_keys()["p/export/thumbnail"]).meta
    store.close()
    info = meta["files"]["yt_thumbnail/astro.jpg"]
    title = info["title_box"]
    with Image.open(project.root / "out" / "p" / "export" / "thumbnail" / "yt_thumbnail" / "astro.jpg") as img:
        face = detect(img.convert("RGB"))[0]  # where the face is in the exported picture
    assert not (title[0] < face[2] and face[0] < title[2] and title[1] < face[3] and face[1] < title[3]), (title, face)
    with Image.open(project.root / "out" / "p" / "export" / "sns" / "ig_story" / "astro.jpg") as img:
        story = detect(img.convert("RGB"))
    assert story, "the face is cut out of the story"
