"""`zflow watch`: saved files rebuild exactly their downstream tasks, editors' saves and zflow's own writes are
handled, recipe errors keep the last good outputs, and the terminal shows one line per rebuild."""
from __future__ import annotations

import json
import os
import re

import pytest

from helpers.project import BASIC_RECIPE, ProjectDir
from helpers.watch import WatchProcess, ran, started, watching  # noqa: F401  (watching is a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def mtimes(proj: ProjectDir) -> dict[str, int]:
    out = proj.root / "out"
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def test_saved_prompt_rebuilds_only_its_scene_with_models_kept_loaded(watching) -> None:
    proj, proc, first = watching
    everything = started(first)
    before, stamps = proj.out_files(), mtimes(proj)
    proj.write("recipes/basic.py", BASIC_RECIPE.replace("pours coffee", "pours tea"))
    events = proc.rebuild()
    assert events[0] == {"event": "change", "files": ["recipes/basic.py"]}
    assert ran(events) == {t for t in everything if t.startswith("s/a/")}
    assert not [e for e in events if e["event"] == "model-load"], "models were loaded again"
    summary = events[-1]
    assert (summary["ran"], summary["failed"], summary["skipped"]) == (len(ran(events)), 0, 0)
    after, now = proj.out_files(), mtimes(proj)
    assert after["s/a/draft-1.png"] != before["s/a/draft-1.png"]
    assert {k for k in after if k.startswith("s/b/")} == {k for k in before if k.startswith("s/b/")}
    assert all(now[k] == stamps[k] for k in stamps if k.startswith(("s/b/", "characters/")))


def test_rename_over_save_is_seen(watching) -> None:
    proj, proc, first = watching
    temp = proj.write("recipes/.basic.py.tmp", BASIC_RECIPE.replace("reads a book", "reads a letter"))
    os.replace(temp, proj.root / "recipes/basic.py")
    events = proc.rebuild()
    assert events[0]["files"] == ["recipes/basic.py"]
    assert ran(events) == {t for t in started(first) if t.startswith("s/b/")}


def test_vim_style_save_with_backup_is_seen_as_one_change(watching) -> None:
    proj, proc, first = watching
    recipe = proj.root / "recipes/basic.py"
    backup = recipe.with_name("basic.py~")
    os.rename(recipe, backup)
    proj.write("recipes/.basic.py.swp", "swap")
    proj.write("recipes/basic.py", BASIC_RECIPE.replace("pours coffee", "pours cocoa"))
    backup.unlink()
    events = proc.rebuild()
    assert events[-1]["event"] == "summary", events[-1]
    assert ran(events) == {t for t in started(first) if t.startswith("s/a/")}


def test_zflow_own_writes_and_editor_temp_files_are_ignored(watching) -> None:
    proj, proc, _ = watching
    proj.write("out/notes.txt", "mine")
    proj.write(".zflow/scratch", "x")
    proj.write("recipes/#basic.py#", "emacs autosave")
    proj.write("recipes/4913", "vim probe")
    proj.write("recipes/basic.py", BASIC_RECIPE.replace("pours coffee", "pours juice"))
    events = proc.rebuild()
    assert events[0] == {"event": "change", "files": ["recipes/basic.py"]}


def test_syntax_error_keeps_outputs_and_fixing_it_resumes(watching) -> None:
    proj, proc, first = watching
    before = proj.out_files()
    proj.write("recipes/basic.py", BASIC_RECIPE + "oops = (\n")
    events = proc.rebuild()
    error = events[-1]
    assert error["event"] == "error"
    assert (error["file"], error["line"]) == ("recipes/basic.py", BASIC_RECIPE.count("\n") + 1)
    assert "never closed" in error["error"]
    assert not started(events)
    assert proj.out_files() == before
    proj.write("recipes/basic.py", BASIC_RECIPE.replace("reads a book", "reads a poem"))
    events = proc.rebuild()
    assert events[-1]["event"] == "summary"
    assert ran(events) == {t for t in started(first) if t.startswith("s/b/")}


def test_helper_module_edits_reload_afresh(project: ProjectDir) -> None:
    project.write("recipes/words.py", 'ACTION = "pours coffee"\n')
    project.write("recipes/basic.py", BASIC_RECIPE.replace('"pours coffee"', "words.ACTION").replace(
        "from zflow import", "import words\nfrom zflow import"))
    proc = WatchProcess(project)
    first = proc.until(lambda e: e["event"] == "watching")
    scene_a = {t for t in started(first) if t.startswith("s/a/")}
    for action in ("pours tea", "pours milk"):
        project.write("recipes/words.py", f'ACTION = "{action}"\n')
        events = proc.rebuild()
        assert events[0]["files"] == ["recipes/words.py"]
        assert ran(events) == scene_a
    assert proc.stop() == 0


def test_edited_picks_file_rebuilds_that_scene_after_its_drafts(watching) -> None:
    proj, proc, first = watching
    proj.write("picks.json", json.dumps({"s/a": 2}))
    events = proc.rebuild()
    assert ran(events) == {t for t in started(first) if t.startswith("s/a/") and "/draft-" not in t}


def test_broken_recipe_at_start_is_reported_then_watched_until_fixed(project: ProjectDir) -> None:
    project.write("recipes/basic.py", BASIC_RECIPE.replace("Style(", "Style(("))
    proc = WatchProcess(project)
    first = proc.until(lambda e: e["event"] == "watching")
    assert [e["event"] for e in first] == ["error", "watching"]
    assert first[0]["file"] == "recipes/basic.py"
    project.write("recipes/basic.py", BASIC_RECIPE)
    assert proc.rebuild()[-1]["ran"] == 10
    assert proc.stop() == 0


def test_terminal_shows_one_line_per_rebuild_and_errors_in_full(basic: ProjectDir) -> None:
    proc = WatchProcess(basic, as_json=False)
    assert re.search(r"start: 10 ran \(\S+, \S+, \S+, \+7 more\), 0 cached, 0 failed, 0 skipped in [\d.]+s$",
                     proc.line()[1])
    assert "watching" in proc.line()[1]
    basic.write("recipes/basic.py", BASIC_RECIPE.replace("pours coffee", "pours tea"))
    name, text = proc.line()
    assert name == "out"
    found = re.search(r"recipes/basic.py: 4 ran \((\S+), (\S+), (\S+), \+1 more\), 6 cached, 0 failed, 0 skipped "
                      r"in [\d.]+s$", text)
    assert found and set(found.groups()) < {"s/a/draft-1", "s/a/draft-2", "s/a/contact", "s/a/refine"}
    basic.write("recipes/basic.py", BASIC_RECIPE + "s.scene('c', cast=[ghost])\n")
    name, text = proc.line()
    assert name == "err"
    line = BASIC_RECIPE.count("\n") + 1
    assert f"recipes/basic.py:{line}: NameError: name 'ghost' is not defined" in text
    assert proc.stop() == 0
    assert proc.line()[1].endswith("stopped watching")
