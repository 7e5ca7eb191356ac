"""End to end through `zflow`: build, rebuild only what changed, plan, explain, graph, gc, init."""
from __future__ import annotations

import json

import pytest

from helpers.project import BASIC_TASKS

pytestmark = [pytest.mark.e2e]


def test_first_build_runs_every_task_and_writes_outputs(basic):
    result = basic.build()
    assert result.code == 0, result.stderr
    assert result.ids("task-done") == BASIC_TASKS
    assert result.summary == {**result.summary, "event": "summary", "ran": len(BASIC_TASKS), "cached": 0,
                              "failed": 0, "skipped": 0}
    files = basic.out_files()
    assert files["s/a/draft-1.png"].startswith(b"\x89PNG")
    assert "s/b/edit-1-inpaint.png" in files and "characters/mina/sheet.png" in files


def test_nothing_changed_runs_nothing(basic):
    basic.build()
    before = basic.out_files()
    result = basic.build()
    assert result.summary["ran"] == 0 and result.summary["cached"] == len(BASIC_TASKS)
    assert basic.out_files() == before


def test_changed_prompt_rebuilds_only_that_scene(basic):
    basic.build()
    recipe = basic.root / "recipes/basic.py"
    recipe.write_text(recipe.read_text().replace("reads a book", "reads a letter"))
    result = basic.build()
    assert result.ids("task-done") == {"s/b/draft-1", "s/b/draft-2", "s/b/contact", "s/b/refine",
                                       "s/b/edit-1-inpaint"}
    assert result.summary["cached"] == len(BASIC_TASKS) - 5


def test_changed_style_rebuilds_only_its_scenes(project):
    project.write("recipes/r.py", '''\
        from zflow import Series, Style
        a = Style("a", "watercolor")
        b = Style("b", "oil paint")
        s = Series("s", prompt="{{ thing }}, {{ style }}", size="32x32", drafts=1, refine=False)
        s.scene("one", thing="a cat", style=a)
        s.scene("two", thing="a dog", style=b)
    ''')
    project.build()
    recipe = project.root / "recipes/r.py"
    recipe.write_text(recipe.read_text().replace("oil paint", "charcoal"))
    result = project.build()
    assert result.ids("task-done") == {"s/two/draft-1", "s/two/contact"}


def test_plan_json_lists_tasks_with_stage_stale_and_reasons(basic):
    plan = json.loads(basic.zflow("plan", "--json").stdout)
    rows = {row["id"]: row for row in plan["tasks"]}
    assert set(rows) == BASIC_TASKS
    assert rows["s/a/refine"] == {"id": "s/a/refine", "stage": "refine", "stale": True, "reasons": ["never built"]}
    basic.build()
    recipe = basic.root / "recipes/basic.py"
    recipe.write_text(recipe.read_text().replace("pours coffee", "pours tea"))
    plan = json.loads(basic.zflow("plan", "--json").stdout)
    stale = {row["id"]: row["reasons"] for row in plan["tasks"] if row["stale"]}
    assert stale["s/a/draft-1"] == ["param prompt changed"]
    assert stale["s/a/refine"] == ["param prompt changed", "input s/a/draft-1 changed"]
    assert plan["stale"] == 4 and not any(t.startswith("s/b/") for t in stale)


def test_explain_names_the_changed_key_part(basic):
    basic.build()
    recipe = basic.root / "recipes/basic.py"
    recipe.write_text(recipe.read_text().replace("barista, green apron", "barista, red apron"))
    out = basic.zflow("explain", "characters/mina/sheet").stdout
    assert "characters/mina/sheet is stale" in out and "param looks changed" in out
    out = basic.zflow("explain", "s/a/draft-1").stdout
    assert "input characters/mina/sheet changed" in out and "param prompt changed" in out
    missing = basic.zflow("explain", "s/a/draft-9")
    assert missing.code == 2 and "did you mean" in missing.stderr


def test_graph_prints_mermaid_and_dot(basic):
    mermaid = basic.zflow("graph").stdout
    assert mermaid.startswith("flowchart LR") and "s/b/edit-1-inpaint" in mermaid and "-->" in mermaid
    dot = basic.zflow("graph", "--format", "dot").stdout
    assert dot.startswith("digraph zflow") and dot.count("->") == mermaid.count("-->")


def test_gc_drops_objects_no_current_task_references(basic):
    basic.build()
    recipe = basic.root / "recipes/basic.py"
    recipe.write_text(recipe.read_text().replace("pours coffee", "pours tea"))
    basic.build()
    objects = basic.root / ".zflow/objects"
    count = sum(1 for p in objects.rglob("*") if p.is_file())
    result = json.loads(basic.zflow("gc", "--json").stdout)
    assert result["artifacts"] == 4 and result["objects"] >= 1
    assert sum(1 for p in objects.rglob("*") if p.is_file()) == count - result["objects"]
    assert basic.build().summary["ran"] == 0


def test_init_scaffolds_a_project_that_builds(project):
    (project.root / "zflow.toml").unlink()
    assert project.zflow("init", ".").code == 0
    toml = (project.root / "zflow.toml").read_text()
    (project.root / "zflow.toml").write_text("base_pixels = 4096\n" + toml)
    result = project.build()
    assert result.code == 0 and result.summary["failed"] == 0 and result.summary["ran"] > 5
    assert project.zflow("init", ".").code == 2


def test_removed_scene_outputs_are_removed_but_user_files_are_kept(basic):
    basic.build()
    (basic.root / "out/notes.txt").write_text("mine")
    recipe = basic.root / "recipes/basic.py"
    recipe.write_text(recipe.read_text().replace('s.scene("a"', 's.scene("c"'))
    assert basic.build().code == 0
    files = basic.out_files()
    assert files["notes.txt"] == b"mine"
    assert not any(name.startswith("s/a/") for name in files)
    assert "s/c/draft-1.png" in files


def test_deleted_outputs_are_restored_without_rerunning(basic):
    basic.build()
    (basic.root / "out/s/a/refine.png").unlink()
    result = basic.build()
    assert result.summary["ran"] == 0 and result.summary["written"] == 1
    assert (basic.root / "out/s/a/refine.png").exists()
