"""Character training in recipes, through the CLI on the preview backend: a train task every scene casting the
character depends on, keyed by its images, captions and settings; a marked placeholder adapter on preview that the
cast's frames show; `zflow train`; turnaround sheets; and mistakes refused at their line."""
from __future__ import annotations

import json

import pytest
from PIL import Image

from helpers.preview import adapter_tagged
from helpers.watch import serve  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.e2e]

RECIPE = '''\
from zflow import Character, Series, Sheets, Train
nabi = Character("nabi", looks="a grey cat", trigger="nabi_cat",
                 train=Train(images="nabi/*.png", steps=100, rank=4))
momo = Character("momo", looks="a white dog", train=Train(images=Sheets(n=3, drop=[2]), weight=0.7))
mina = Character("mina", looks="barista")
s = Series("s", prompt="{{ cast }} {{ action }}", size="192x192", drafts=1)
s.scene("cat", cast=[nabi], action="naps")
s.scene("pair", cast=[nabi, mina], action="play")
s.scene("dog", cast=[momo], action="runs")
s.scene("barista", cast=[mina], action="pours")
'''


def _image(path, shade: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 64), (shade, 120, 80)).save(path)


def _train_project(project):
    for i in range(3):
        _image(project.root / f"recipes/nabi/{i}.png", 40 * i)
    project.write("recipes/nabi/1.txt", "nabi_cat, a grey cat with a red scarf\n")
    project.write("recipes/r.py", RECIPE)
    return project


def test_a_recipe_that_trains_runs_end_to_end_on_preview_with_a_marked_placeholder(project):
    _train_project(project)
    result = project.build()
    assert result.code == 0, result.stderr
    done = result.ids("task-done")
    assert {"characters/nabi/train", "characters/momo/train", "characters/momo/turnaround-01",
            "characters/momo/turnaround-03"} <= done
    assert "characters/momo/turnaround-02" in done  # made, to be seen in the gallery, but dropped from the set
    out = project.root / "out"
    dataset = json.loads((out / "characters/nabi/train/dataset.json").read_text())
    assert [i["file"] for i in dataset["images"]] == [f"recipes/nabi/{i}.png" for i in range(3)]
    assert [i["caption"] for i in dataset["images"]] == ["nabi_cat, a grey cat",
                                                         "nabi_cat, a grey cat with a red scarf",
                                                         "nabi_cat, a grey cat"]
    assert dataset["settings"]["steps"] == 100 and dataset["settings"]["rank"] == 4
    momo = json.loads((out / "characters/momo/train/dataset.json").read_text())
    assert [i["task"] for i in momo["images"]] == ["characters/momo/turnaround-01", "characters/momo/turnaround-03"]
    assert momo["images"][1]["caption"] == "momo, a white dog, back view"  # trigger defaults to the name
    lora = (out / "characters/nabi/train/lora.safetensors").read_bytes()
    header = json.loads(lora[8:8 + int.from_bytes(lora[:8], "little")])
    assert header["__metadata__"]["zflow_placeholder"].startswith("preview")
    for frame in ("s/cat/draft-1.png", "s/pair/refine.png", "s/dog/draft-1.png"):
        assert adapter_tagged(project, frame), frame
    assert not adapter_tagged(project, "s/barista/draft-1.png")
    with Image.open(out / "s/cat/draft-1.png") as image:
        assert image.info["parameters"].startswith("nabi_cat nabi (a grey cat) naps")
    details = project.zflow("explain", "s/cat/draft-1")
    assert details.code == 0


def test_changing_one_training_image_retrains_and_rebuilds_exactly_the_cast_scenes(project):
    _train_project(project)
    every = project.build().ids("task-done")
    assert project.build().summary["ran"] == 0
    _image(project.root / "recipes/nabi/2.png", 250)
    again = project.build()
    assert again.code == 0, again.stderr
    assert again.ids("task-done") == {t for t in every if t.startswith(("characters/nabi/train", "s/cat/",
                                                                        "s/pair/"))}
    project.write("recipes/nabi/0.txt", "nabi_cat sleeping")  # a new caption file retrains too
    assert project.build().ids("task-done") == again.ids("task-done")
    _image(project.root / "recipes/nabi/3.png", 10)  # an image added to the globbed folder
    assert "characters/nabi/train" in project.build().ids("task-done")
    project.write("recipes/r.py", RECIPE.replace("weight=0.7", "weight=0.5"))  # applied weight: no retraining
    assert project.build().ids("task-done") == {t for t in every if t.startswith("s/dog/")}


def test_zflow_train_builds_just_that_character_and_its_sheets(project):
    _train_project(project)
    result = project.zflow("train", "momo", "--json")
    assert result.code == 0, result.stderr
    assert result.ids("task-done") == {"characters/momo/train", "characters/momo/turnaround-01",
                                       "characters/momo/turnaround-03"}
    assert not (project.root / "out/s").exists()
    whole = project.build()
    assert "characters/momo/train" not in whole.ids("task-done") and whole.summary["cached"] == 3
    wrong = project.zflow("train", "mina")
    assert wrong.code == 2 and "no character 'mina' with train=Train(...)" in wrong.stderr
    assert "characters that train: momo, nabi" in wrong.stderr


def test_the_reference_image_is_the_default_training_set(project):
    _image(project.root / "recipes/refs/kit.png", 90)
    project.write("recipes/r.py", 'from zflow import Character, Series, Train\n'
                                  'kit = Character("kit", looks="a fox", reference="refs/kit.png", train=Train())\n'
                                  's = Series("s", prompt="{{ cast }}", size="64x64", drafts=1, refine=False)\n'
                                  's.scene("a", cast=[kit])\n')
    result = project.build()
    assert result.code == 0, result.stderr
    dataset = json.loads((project.root / "out/characters/kit/train/dataset.json").read_text())
    assert [i["task"] for i in dataset["images"]] == ["characters/kit/sheet"]


GOOD = 'from zflow import Character, Lora, Sheets, Train\n'


@pytest.mark.parametrize("declared, message", [
    ('Character("c", looks="x", train=Train(images="gone.png"))', "training image recipes/gone.png not found"),
    ('Character("c", looks="x", train=Train(images="none/*.png"))', "no images (.png, .jpg, .jpeg, .webp) match"),
    ('Character("c", looks="x", train=Train(images=["r.py"]))', "not an image file"),
    ('Character("c", looks="x", train=Train(images=Sheets(), steps=0))', "Train(steps=0): must be a whole number"),
    ('Character("c", looks="x", train=Train(images=Sheets(), rank=2.5))', "Train(rank=2.5): must be a whole number"),
    ('Character("c", looks="x", train=Train(images=Sheets(), lr=-1))', "Train(lr=-1): must be a number in (0, 1]"),
    ('Character("c", looks="x", train=Train(images=Sheets(), resolution=770))',
     "Train(resolution=770): must be a multiple of 16 (use 768)"),
    ('Character("c", looks="x", train=Train(images=Sheets(), base="turbo"))',
     "Train(base='turbo'): name the stage whose model to train on"),
    ('Character("c", looks="x", train=Train(images=Sheets(n=0)))', "Sheets(n=0): n must be a whole number from 1"),
    ('Character("c", looks="x", train=Train(images=Sheets(n=2, drop=[1, 2])))', "leaves no sheet to train on"),
    ('Character("c", looks="x", train=Train(images="reference"))', "Train(images='reference') needs the character's"),
    ('Character("c", looks="x", train={"steps": 5})', "train= takes Train(...)"),
    ('Character("c", looks="x", lora=Lora("a/b"), train=Train(images=Sheets()))', "give lora= or train=, not both"),
])
def test_training_mistakes_are_errors_at_their_line(project, declared, message):
    project.write("recipes/r.py", GOOD + declared + "\n")
    result = project.build()
    assert result.code == 2, result.stderr
    assert "zflow: error: recipes/r.py:2: " in result.stderr and message in result.stderr, result.stderr


def test_gc_removes_the_work_folders_of_tasks_no_longer_built(project):
    from zflow.engine import Project

    _train_project(project)
    assert project.build().code == 0
    session = Project(project.root)
    try:
        key = session.plan(session.load()).items["characters/nabi/train"].key
    finally:
        session.close()
    work = project.root / ".zflow/work"
    for name in (key, "0" * 64):
        (work / name).mkdir(parents=True)
        (work / name / "checkpoint.pt").write_bytes(b"state")
    result = project.zflow("gc", "--json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["work"] == 1
    assert sorted(p.name for p in work.iterdir()) == [key]  # a current task's checkpoint stays for its resume


def test_the_gallery_shows_the_training_card_and_the_turnaround_sheets(project, serve):
    import urllib.request

    _train_project(project)
    port = serve(project, until="summary").port
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/state", timeout=30) as response:
        state = json.loads(response.read())
    shown = {c["id"]: c for c in state["characters"]}
    assert {"characters/momo/turnaround-01", "characters/momo/turnaround-03"} <= set(shown)
    dropped = shown["characters/momo/turnaround-02"]  # shown too, marked as the recipe's drop
    assert dropped["dropped"] and dropped["url"] and dropped["recipe_drop"].startswith(
        "dropped by the recipe at recipes/r.py:4: take 2 out")
    assert shown["characters/momo/turnaround-01"]["recipe_drop"] is None
    train = shown["characters/nabi/train"]
    assert train["url"].startswith("/files/characters/nabi/train/card.png?v=")
    assert {f["name"] for f in train["files"]} == {"lora.safetensors", "card.png", "dataset.json"}
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{train['url']}", timeout=30) as response:
        assert response.read()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_progress_bar_says_the_step_loss_and_speed_of_a_training():
    from zflow.cli.display import train_line

    event = {"event": "train-progress", "id": "characters/nabi/train", "step": 120, "steps": 2000, "loss": 0.123456,
             "it_s": 3.2109, "checkpoint": True}
    assert train_line(event) == "characters/nabi/train step 120/2000 loss 0.1235 3.21 it/s, checkpoint saved"
