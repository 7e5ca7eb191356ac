"""Pruning a character's turnaround set from picks.json (what the gallery's drop button writes): a dropped sheet
leaves the training set, so the train task and exactly its cast's scenes rebuild; restoring it brings the original
keys (and the store's artifacts) back; dropping every sheet, or a value other than 0 or 1, is a clear error."""
from __future__ import annotations

import json

import pytest

from helpers.pruning import RECIPE, SHEET
from helpers.watch import serve  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.e2e]


def _keys(project) -> dict[str, str]:
    from zflow.engine import Project

    session = Project(project.root)
    try:
        return {task_id: item.key for task_id, item in session.plan(session.load()).items.items()}
    finally:
        session.close()


def _trained_on(project) -> list[str]:
    dataset = json.loads((project.root / "out/characters/momo/train/dataset.json").read_text())
    return [image["task"] for image in dataset["images"]]


def test_a_dropped_sheet_retrains_and_rebuilds_only_the_cast_scenes_and_a_restore_reuses_the_store(project):
    project.write("recipes/r.py", RECIPE)
    assert project.build().code == 0
    original = _keys(project)
    assert _trained_on(project) == [f"characters/momo/turnaround-0{i}" for i in (1, 2, 3)]

    project.write("picks.json", json.dumps({SHEET + "#drop": 1}))
    dropped = project.build()
    assert dropped.code == 0, dropped.stderr
    dog = {task_id for task_id in original if task_id.startswith("s/dog/")}
    assert dog and dropped.ids("task-done") == {"characters/momo/train"} | dog
    keys = _keys(project)
    assert {t for t in original if keys[t] != original[t]} == {"characters/momo/train"} | dog
    assert _trained_on(project) == ["characters/momo/turnaround-01", "characters/momo/turnaround-03"]

    project.write("picks.json", json.dumps({SHEET + "#drop": 0}))
    restored = project.build()
    assert restored.code == 0, restored.stderr
    assert restored.ids("task-done") == set()  # the first build's artifacts, from the store
    assert _keys(project) == original


@pytest.mark.parametrize("picks, message", [
    ({f"characters/momo/turnaround-0{i}#drop": 1 for i in (1, 2, 3)},
     "every turnaround sheet of 'momo' is dropped, which leaves no sheet to train on"),
    ({SHEET + "#drop": 2}, f"{SHEET}#drop: 2 is neither 1 (dropped) nor 0 (kept)"),
])
def test_a_bad_drop_in_the_picks_file_is_an_error_at_the_picks_file(project, picks, message):
    project.write("recipes/r.py", RECIPE)
    project.write("picks.json", json.dumps(picks))
    result = project.build()
    assert result.code == 2, result.stderr
    assert "zflow: error: picks.json:1: " in result.stderr and message in result.stderr, result.stderr


def test_the_gallery_refuses_bad_drops_with_a_400(project, serve):
    import urllib.error
    import urllib.request

    project.write("recipes/r.py", RECIPE.replace("Sheets(n=3)", "Sheets(n=2, drop=[1])"))
    api = f"http://127.0.0.1:{serve(project, until='summary').port}/api/pick"
    for body, message in [({"sheet": "characters/momo/turnaround-02", "drop": True}, "is the last sheet momo "
                                                                                     "trains on"),
                          ({"sheet": "characters/momo/turnaround-01", "drop": True}, "turnaround-01 is already "
                                                                                     "dropped by the recipe at "
                                                                                     "recipes/r.py:2"),
                          ({"sheet": "characters/momo/turnaround-01", "drop": False}, "turnaround-01 is dropped by "
                                                                                      "the recipe at recipes/r.py:2:"
                                                                                      " take 1 out of its Sheets("),
                          ({"sheet": "characters/momo/turnaround-04", "drop": False}, "no turnaround sheet"),
                          ({"sheet": "characters/momo/train", "drop": True}, "no turnaround sheet"),
                          ({"sheet": "characters/momo/turnaround-02", "drop": 1}, "drop true or false")]:
        request = urllib.request.Request(api, json.dumps(body).encode(), {"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 400 and message in json.loads(refused.value.read())["error"], body
    assert not (project.root / "picks.json").exists()


def test_removing_a_pick_leaves_the_picks_file_as_it_was_before_it(project):
    from zflow.engine.picks import write_pick

    path, root = project.root / "picks.json", project.root
    write_pick(path, root, SHEET + "#drop", 1)
    write_pick(path, root, SHEET + "#drop", None)
    assert not path.exists()  # there was none before the drop
    write_pick(path, root, SHEET + "#drop", None)  # nothing to remove: no file made
    assert not path.exists()
    write_pick(path, root, "s/dog", 1)
    before = path.read_bytes()
    write_pick(path, root, SHEET + "#drop", 1)
    assert json.loads(path.read_text()) == {"s/dog": 1, SHEET + "#drop": 1}
    write_pick(path, root, SHEET + "#drop", None)
    assert path.read_bytes() == before
    assert sorted(p.name for p in root.iterdir() if p.name.startswith("picks")) == ["picks.json"]  # no temporaries
