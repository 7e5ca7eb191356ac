"""What the command line tells a creator: explain's old and new values, the scenes each coming fire builds, times in
the schedule's zone, init's next step, and make demo's pointer to the gallery."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers.project import ProjectDir
from helpers.schedule import calendar_project

pytestmark = [pytest.mark.e2e]


def test_explain_shows_the_changed_words_and_the_old_and_new_seed(basic: ProjectDir) -> None:
    assert basic.build().code == 0
    recipe = basic.root / "recipes/basic.py"
    recipe.write_text(recipe.read_text().replace("pours coffee", "pours hot tea")
                      .replace("drafts=2)", "drafts=2, seed=5)"))
    text = basic.zflow("explain", "s/a/draft-1")
    assert text.code == 0
    assert "param prompt changed: mina (barista, green apron) pours [-coffee,-] {+hot tea,+} warm film photo" \
        in text.stdout
    seed = re.search(r"param seed changed: (\d+) -> (\d+)", text.stdout)
    assert seed and seed.group(1) != seed.group(2)

    data = json.loads(basic.zflow("explain", "s/a/draft-1", "--json").stdout)
    assert data["stale"] is True and data["reasons"] == ["param prompt changed", "param seed changed"]
    prompt, seed_change = data["changes"]
    assert prompt["old"].endswith("pours coffee, warm film photo")
    assert prompt["new"].endswith("pours hot tea, warm film photo")
    assert {"old": "coffee,", "new": "hot tea,"} in prompt["words"]
    assert seed_change["name"] == "seed" and seed_change["old"] == int(seed.group(1))
    assert seed_change["new"] == int(seed.group(2))

    refine = json.loads(basic.zflow("explain", "s/a/refine", "--json").stdout)
    inputs = [c for c in refine["changes"] if c["part"] == "input"]
    assert inputs and all(c["old"] != c["new"] and len(c["new"]) == 64 for c in inputs)


def test_explain_of_an_up_to_date_task_lists_no_changes(basic: ProjectDir) -> None:
    assert basic.build().code == 0
    data = json.loads(basic.zflow("explain", "s/a/draft-1", "--json").stdout)
    assert data["stale"] is False and data["changes"] == []
    assert "is up to date" in basic.zflow("explain", "s/a/draft-1").stdout


def test_schedule_list_shows_the_rows_each_coming_fire_builds(project: ProjectDir) -> None:
    calendar_project(project)
    listing = json.loads(project.zflow("schedule", "--list", "--json", "--at", "2026-11-27T00:00").stdout)
    builds = listing["jobs"][0]["builds"]
    assert [b["fire"] for b in builds] == listing["jobs"][0]["next"]
    assert [[s["id"] for s in b["scenes"]] for b in builds] == [["ep1", "ep2"], ["ep3"], []]
    human = project.zflow("schedule", "--list", "--at", "2026-11-27T00:00").stdout
    assert "next: 2026-11-30 09:00+09:00  builds 2 scenes: ep1, ep2" in human
    assert "next: 2026-12-07 09:00+09:00  builds 1 scene: ep3" in human
    assert "next: 2026-12-14 09:00+09:00  builds no scene (no row is due)" in human


def test_schedule_list_of_an_export_shows_only_the_scenes_it_takes(project: ProjectDir) -> None:
    project.write("recipes/promo.py", """\
        from zflow import Schedule, Series, sns
        s = Series("promo", size="64x64", drafts=1, refine=False)
        a = s.scene("a", action="a mug")
        b = s.scene("b", action="a cup", title="Cup")
        sns([b], "ig_portrait", name="teaser", schedule=Schedule("0 9 * * *", tz="Asia/Tokyo"))
        """)
    listing = json.loads(project.zflow("schedule", "--list", "--json", "--at", "2026-11-27T00:00").stdout)
    [job] = listing["jobs"]
    assert job["job"] == "promo/teaser"
    assert job["builds"][0] == {"fire": "2026-11-28T09:00:00+09:00", "scenes": [{"id": "b", "title": "Cup"}]}
    human = project.zflow("schedule", "--list", "--at", "2026-11-27T00:00").stdout
    assert "next: 2026-11-28 09:00+09:00  builds 1 scene: b (Cup)" in human


def test_runs_shows_times_in_the_schedules_zone_as_list_does(project: ProjectDir) -> None:
    calendar_project(project)
    assert project.zflow("schedule", "--once", "--at", "2026-11-30T09:30+09:00").code == 0
    runs = json.loads(project.zflow("runs", "--json").stdout)["runs"]
    assert runs[0]["fire"] == "2026-11-30T09:00:00+09:00"
    human = project.zflow("runs").stdout
    assert re.search(r"#1 weekly fire 2026-11-30 09:00\+09:00 .* started 2026-11-30 09:3\d\+09:00", human), human
    listing = project.zflow("schedule", "--list", "--at", "2026-12-01T00:00").stdout
    assert "last run: ok for 2026-11-30 09:00+09:00" in listing


def test_init_prints_a_real_next_step_and_no_placeholder_link(tmp_path: Path) -> None:
    here = ProjectDir(tmp_path / "here")
    here.root.mkdir()
    result = here.zflow("init")
    assert result.code == 0
    assert "next: zflow build\n" in result.stdout and "cd ." not in result.stdout
    assert "zflow watch --serve" in result.stdout and "http://127.0.0.1:8765" in result.stdout
    assert "https://github.com/ " not in (here.root / "zflow.toml").read_text()
    elsewhere = here.zflow("init", "my series")
    assert "next: cd 'my series' && zflow build\n" in elsewhere.stdout


def test_make_demo_and_the_readme_point_to_the_live_gallery() -> None:
    root = Path(__file__).resolve().parents[1]
    demo = re.search(r"^demo:.*?(?=^\S)", (root / "Makefile").read_text(), re.S | re.M).group()
    assert "zflow watch --serve" in demo and "http://127.0.0.1:8765" in demo
    readme = (root / "README.md").read_text()
    first_block = readme.split("```")[1]
    assert "make demo" in first_block and "zflow watch --serve" in first_block


def test_a_plugins_warning_reads_as_one_line_without_python_source(basic: ProjectDir) -> None:
    recipe = basic.root / "recipes/basic.py"
    recipe.write_text(recipe.read_text() + "\nfrom zflow import blog\nblog(s, title=\"Notes\")\n")
    result = basic.build()
    assert result.code == 0, result.stderr
    [line] = [l for l in result.stderr.splitlines() if "base_url" in l]
    assert line.startswith("zflow: warning: blog flavor 'html' without base_url")
    assert "warn(" not in result.stderr and ".py:" not in result.stderr
