"""What zflow writes and removes under hostile conditions: links out of out/ and .zflow/, hand-edited outputs,
truncated tables, leftover temporary files, and a watch of some recipes beside others."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess

import pytest

from helpers.project import BASIC_RECIPE, ZFLOW
from helpers.hostile import folder_bytes, snapshot

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _retitle(project, old: str, new: str) -> None:
    recipe = project.root / "recipes/basic.py"
    recipe.write_text(recipe.read_text().replace(old, new))


def _link_out(project, rel: str, outside) -> dict[str, bytes]:
    """Move out/<rel> to ``outside`` and leave a link to it in its place; the outside folder's bytes."""
    shutil.move(project.root / "out" / rel, outside)
    (outside / "mine.txt").write_text("not zflow's")
    os.symlink(outside, project.root / "out" / rel)
    return folder_bytes(outside)


def test_a_rebuild_never_writes_through_a_linked_scene_folder(basic, tmp_path):
    assert basic.build().code == 0
    before = _link_out(basic, "s/a", tmp_path / "elsewhere")
    _retitle(basic, "pours coffee", "pours tea")
    result = basic.build()
    assert result.code == 1
    failed = {e["id"]: e["error"] for e in result.events if e["event"] == "task-failed"}
    assert "s/a/draft-1" in failed and "out/s/a is a symbolic link to" in failed["s/a/draft-1"]
    assert "never writes or deletes through it" in failed["s/a/draft-1"]
    assert folder_bytes(tmp_path / "elsewhere") == before
    assert result.summary["written"] >= 0 and "s/b/refine" not in failed


def test_narrowing_a_recipe_never_deletes_through_a_linked_folder(basic, tmp_path):
    assert basic.build().code == 0
    before = _link_out(basic, "s/a", tmp_path / "elsewhere")
    _retitle(basic, 's.scene("a", cast=[mina], action="pours coffee")\n', "")
    result = basic.build()
    kept = {e["path"]: e["reason"] for e in result.events if e["event"] == "kept"}
    assert "s/a/draft-1.png" in kept and "symbolic link" in kept["s/a/draft-1.png"]
    assert folder_bytes(tmp_path / "elsewhere") == before
    assert not any(p.startswith("s/a/") for p in result.summary["removed_files"])


def test_the_store_never_writes_through_a_linked_objects_folder(basic, tmp_path):
    assert basic.build().code == 0
    shutil.move(basic.root / ".zflow/objects", tmp_path / "objects")
    os.symlink(tmp_path / "objects", basic.root / ".zflow/objects")
    before = folder_bytes(tmp_path / "objects")
    _retitle(basic, "pours coffee", "pours tea")
    result = basic.build()
    assert result.code != 0
    assert ".zflow/objects is a symbolic link to" in result.stderr + json.dumps(result.events)
    assert folder_bytes(tmp_path / "objects") == before


def test_a_link_inside_out_that_stays_inside_is_followed(basic):
    assert basic.build().code == 0
    shutil.move(basic.root / "out/s/a", basic.root / "out/a-real")
    os.symlink("../a-real", basic.root / "out/s/a")
    _retitle(basic, "pours coffee", "pours tea")
    result = basic.build()
    assert result.code == 0, result.stderr
    assert (basic.root / "out/a-real/refine.png").exists()


def test_a_hand_edited_output_fails_its_task_and_is_kept(basic):
    assert basic.build().code == 0
    edited = basic.root / "out/s/a/refine.png"
    mine = edited.read_bytes() + b"retouched"
    edited.write_bytes(mine)
    _retitle(basic, "pours coffee", "pours tea")
    result = basic.build()
    assert result.code == 1
    failed = {e["id"]: e["error"] for e in result.events if e["event"] == "task-failed"}
    assert "was changed since zflow wrote it" in failed["s/a/refine"]
    assert "--overwrite-edited" in failed["s/a/refine"]
    assert edited.read_bytes() == mine
    again = basic.build()
    assert again.code == 1 and edited.read_bytes() == mine
    forced = basic.build("--overwrite-edited")
    assert forced.code == 0, forced.stderr
    assert edited.read_bytes() != mine and edited.read_bytes().startswith(b"\x89PNG")


def test_an_output_only_touched_is_still_zflows(basic):
    assert basic.build().code == 0
    touched = basic.root / "out/s/a/refine.png"
    os.utime(touched, (1_000_000, 1_000_000))
    _retitle(basic, "pours coffee", "pours tea")
    assert basic.build().code == 0


def test_a_hand_edited_output_of_a_removed_scene_is_kept(basic):
    assert basic.build().code == 0
    edited = basic.root / "out/s/a/refine.png"
    edited.write_bytes(b"my own picture")
    _retitle(basic, 's.scene("a", cast=[mina], action="pours coffee")\n', "")
    result = basic.build()
    assert result.code == 0
    kept = {e["path"]: e["reason"] for e in result.events if e["event"] == "kept"}
    assert "yours" in kept["s/a/refine.png"] and edited.read_bytes() == b"my own picture"
    assert "s/a/draft-1.png" in result.summary["removed_files"]


TABLE_RECIPE = '''\
from zflow import Series
s = Series("cal", prompt="{{ action }}", size="32x32", drafts=1, refine=False)
for row in s.rows("cal.csv"):
    s.scene(f"e{row.n}", action=row.action)
'''


def test_an_empty_table_is_an_error_and_removes_nothing(project):
    project.write("recipes/cal.py", TABLE_RECIPE)
    project.write("recipes/cal.csv", "n,action\n1,waves\n2,sits\n")
    assert project.build().code == 0
    before = snapshot(project.root)
    (project.root / "recipes/cal.csv").write_bytes(b"")
    result = project.build()
    assert result.code == 2
    assert result.events[-1]["file"].endswith("recipes/cal.csv") and "is empty" in result.events[-1]["error"]
    assert "recipes/cal.csv:1: " in result.stderr
    assert snapshot(project.root) == before


def test_a_header_only_table_builds_nothing_and_says_what_it_removed(project):
    project.write("recipes/cal.py", TABLE_RECIPE)
    project.write("recipes/cal.csv", "n,action\n1,waves\n2,sits\n")
    assert project.build().code == 0
    (project.root / "recipes/cal.csv").write_text("n,action\n")
    result = project.build()
    assert result.code == 0
    notes = [e for e in result.events if e["event"] == "note"]
    assert notes and "cal.csv has no rows" in notes[0]["message"] and notes[0]["file"].endswith("recipes/cal.py")
    assert notes[0]["line"] == 3 and result.summary["notes"] == [{k: v for k, v in notes[0].items() if k != "event"}]
    assert set(result.summary["removed_files"]) == {"cal/e1/draft-1.png", "cal/e1/contact/contact.jpg",
                                                   "cal/e2/draft-1.png", "cal/e2/contact/contact.jpg"}
    assert result.summary["removed"] == 4
    (project.root / "recipes/cal.csv").write_text("n,action\n1,waves\n")
    assert project.build().code == 0
    (project.root / "recipes/cal.csv").write_text("n,action\n")
    human = project.zflow("build")
    assert "cal.csv has no rows" in human.stderr
    assert "removed 2 files from out/: cal/e1/" in human.stderr


def test_a_killed_writers_temporary_files_are_removed_by_the_next_build_and_by_gc(basic):
    assert basic.build().code == 0
    objects = basic.root / ".zflow/objects"
    sub = next(p for p in objects.iterdir() if p.is_dir())
    stale = [sub / ".0123abcd.k3j_x9q2.tmp", basic.root / "out/s/.a.png.q8w7e6r5.tmp",
             basic.root / ".zflow/.last-load.json.zz99aa11.tmp",
             basic.root / ".picks.json.p1ck5abc.tmp"]  # a watch killed while it wrote a pick
    for path in stale:
        path.write_bytes(b"")
        os.utime(path, (1_000_000, 1_000_000))
    mine = basic.root / "out/notes.tmp"
    mine.write_text("a user's file")
    live = basic.root / ".picks.json.w4tch1ng.tmp"  # a running watch's pick, written outside the project lock
    live.write_text("{}")
    theirs = basic.root / ".notes.txt.abcd1234.tmp"  # beside the picks file, but another program's
    theirs.write_bytes(b"")
    os.utime(theirs, (1_000_000, 1_000_000))
    (basic.root / ".zflow/building").write_text("")  # what a build killed with SIGKILL leaves
    assert basic.build().code == 0
    assert not any(p.exists() for p in stale) and mine.exists() and live.exists() and theirs.exists()
    assert not (basic.root / ".zflow/building").exists()
    for path in (stale[0], stale[3]):
        path.write_bytes(b"")
        os.utime(path, (1_000_000, 1_000_000))
    gc = basic.zflow("gc", "--json")
    assert gc.code == 0 and json.loads(gc.stdout)["temporaries"] == 2 and not stale[0].exists()
    assert not stale[3].exists() and live.exists() and theirs.exists()


def test_a_pick_removes_what_a_watch_killed_while_writing_picks_left(basic):
    from zflow.engine import Project

    left = basic.root / ".picks.json.p1ck5abc.tmp"
    left.write_text('{"s/a": ')
    os.utime(left, (1_000_000, 1_000_000))
    Project(basic.root).write_pick("s/a", 2)
    assert not left.exists() and json.loads((basic.root / "picks.json").read_text()) == {"s/a": 2}


def test_watching_one_recipe_keeps_the_other_recipes_outputs(basic):
    basic.write("recipes/other.py", BASIC_RECIPE.replace('Series("s"', 'Series("o"').replace('"mina"', '"ana"')
                .replace('"warm"', '"cool"'))
    assert basic.build().code == 0
    others = {k: v for k, v in basic.out_files().items() if k.startswith(("o/", "characters/ana"))}
    assert others
    proc = subprocess.Popen([ZFLOW, "watch", "--json", "recipes/basic.py"], cwd=basic.root, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        for line in proc.stdout:
            event = json.loads(line)
            if event["event"] in ("summary", "error"):
                break
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    assert event["event"] == "summary" and event["removed"] == 0, event
    assert {k: v for k, v in basic.out_files().items() if k.startswith(("o/", "characters/ana"))} == others
