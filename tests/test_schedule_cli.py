"""`zflow schedule` and `zflow runs` through the real command: --once on a calendar recipe, --list, signals, errors."""
from __future__ import annotations

import json
import signal
import subprocess
import threading

import pytest

from helpers.project import CONFIG, ZFLOW
from helpers.schedule import RECIPE, calendar_project

pytestmark = [pytest.mark.e2e]


def test_schedule_once_builds_only_the_rows_due_this_week(project):
    calendar_project(project)
    result = project.zflow("schedule", "--once", "--at", "2026-11-30T09:30+09:00", "--json")
    assert result.code == 0, result.stderr
    done = [e for e in result.events if e["event"] == "run-done"]
    assert [(e["job"], e["outcome"]) for e in done] == [("weekly", "ok")]
    made = project.out_files()
    assert made and {name.split("/")[1] for name in made} == {"ep1", "ep2"}
    runs = json.loads(project.zflow("runs", "--json").stdout)["runs"]
    assert len(runs) == 1 and runs[0]["outcome"] == "ok" and runs[0]["fire"] == "2026-11-30T09:00:00+09:00"
    assert sorted(runs[0]["outputs"]) == sorted(made)
    assert runs[0]["counts"]["ran"] == 4 and runs[0]["ended"] >= runs[0]["started"]


def test_schedule_once_runs_a_fire_only_once(project):
    calendar_project(project)
    assert project.zflow("schedule", "--once", "--at", "2026-11-30T09:30+09:00").code == 0
    again = project.zflow("schedule", "--once", "--at", "2026-12-02T09:30+09:00", "--json")
    assert again.code == 0
    assert [e["event"] for e in again.events] == ["nothing-due"]
    assert len(json.loads(project.zflow("runs", "--json").stdout)["runs"]) == 1


def test_schedule_list_shows_next_fire_times_in_the_schedules_zone(project):
    calendar_project(project)
    listing = json.loads(project.zflow("schedule", "--list", "--json", "--at", "2026-11-27T00:00").stdout)
    job = listing["jobs"][0]
    assert job["job"] == "weekly" and job["declared"].endswith("cal.py:4") and job["last"] is None
    assert job["next"] == ["2026-11-30T09:00:00+09:00", "2026-12-07T09:00:00+09:00", "2026-12-14T09:00:00+09:00"]
    human = project.zflow("schedule", "--list", "--at", "2026-11-27T00:00")
    assert "weekly  0 9 * * MON (Asia/Seoul), missed: run-once" in human.stdout
    assert "next: 2026-11-30 09:00+09:00" in human.stdout


def test_the_schedule_reads_recipes_under_the_projects_limits(project):
    """A prompt longer than the default limit, allowed by [limits] in zflow.toml: the build takes it, so does the
    scheduler's scan of the recipes."""
    long = "a quiet cafe " * 1700  # 22,100 characters: over the default 20,000
    calendar_project(project, RECIPE.replace('prompt="{{ action }}', f'prompt="{long}{{{{ action }}}}'))
    project.write("zflow.toml", CONFIG + "[limits]\nprompt_chars = 30000\n")
    listing = project.zflow("schedule", "--list", "--json", "--at", "2026-11-27T00:00")
    assert listing.code == 0, listing.stderr
    assert [job["job"] for job in json.loads(listing.stdout)["jobs"]] == ["weekly"]
    project.write("zflow.toml", CONFIG)
    refused = project.zflow("schedule", "--list", "--at", "2026-11-27T00:00")
    assert refused.code != 0 and "cal.py:3" in refused.stderr + refused.stdout and "prompt_chars" in refused.stderr + refused.stdout


def test_sigterm_stops_the_scheduler_cleanly(project):
    calendar_project(project, RECIPE.replace('tz="Asia/Seoul"', 'tz="Asia/Seoul", missed="skip"')
                     .replace("0 9 * * MON", "0 9 1 1 *"))
    proc = subprocess.Popen([ZFLOW, "schedule", "--json"], cwd=project.root, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(60, proc.kill)  # a safety net against a hung test, not a synchronisation
    watchdog.start()
    try:
        first = [json.loads(proc.stdout.readline()) for _ in range(2)]
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate()
    finally:
        watchdog.cancel()
    assert [e["event"] for e in first] == ["schedule-start", "run-skipped"]
    assert proc.returncode == 0
    assert [json.loads(line) for line in rest.splitlines()] == [{"event": "schedule-stop", "reason": "SIGTERM"}]


def test_schedule_without_any_declared_schedule_says_how_to_declare_one(basic):
    result = basic.zflow("schedule", "--once")
    assert result.code == 2
    assert "no recipe declares a schedule" in result.stderr


def test_broken_recipe_in_schedule_once_names_file_and_line_and_fails(project):
    calendar_project(project)
    project.write("recipes/broken.py", "from zflow import Schedule\nSchedule('0 9 * * *', tz='Nowhere/City')\n")
    result = project.zflow("schedule", "--once", "--at", "2026-11-30T09:30+09:00")
    assert result.code == 2
    assert "recipes/broken.py:2: unknown time zone 'Nowhere/City'" in result.stderr
    assert "weekly: run #1 ok" in result.stderr


def test_bad_schedule_settings_and_times_are_refused(project):
    calendar_project(project)
    bad_time = project.zflow("schedule", "--once", "--at", "monday")
    assert bad_time.code == 2 and "--at 'monday'" in bad_time.stderr
    project.write("zflow.toml", 'output = "out"\n[schedule]\nretries = -1\n')
    bad_setting = project.zflow("schedule", "--list")
    assert bad_setting.code == 2 and "zflow.toml:3: [schedule] retries: must be at least 0, got -1" in bad_setting.stderr


def test_runs_without_history_says_so(project):
    result = project.zflow("runs")
    assert result.code == 0 and "no runs recorded" in result.stdout


def test_a_scheduled_recipe_with_edits_runs_and_its_runs_show_in_its_zone(project):
    """Recipes the scheduler reads to find its jobs, and `zflow runs` to find their zones, have the edit plugins'
    constructors (Edit.inpaint) as a build does."""
    calendar_project(project, RECIPE.replace("from zflow import", "from zflow import Edit,").replace(
        "action=row.action)", "action=row.action, edits=[Edit.inpaint([0.25, 0.25, 0.75, 0.75], 'a smile')])"))
    result = project.zflow("schedule", "--once", "--at", "2026-11-30T09:30+09:00")
    assert result.code == 0, result.stderr
    runs = json.loads(project.zflow("runs", "--json").stdout)["runs"]
    assert [(r["outcome"], r["fire"]) for r in runs] == [("ok", "2026-11-30T09:00:00+09:00")]
    assert runs[0]["counts"]["ran"] == 6  # each scene's draft, contact sheet and edit
