"""Calendar columns: a run with a date renders only the rows due in its window, and templates see the run's date."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from helpers.schedule import calendar_project
from zflow import Schedule
from zflow.engine import Project
from zflow.errors import RecipeError
from zflow.schedule import Job

CALENDAR = """\
n,date,action
1,2026-11-30,pours coffee
2,2026-12-06,reads a book
3,2026-12-07,waters plants
4,,has no date yet
"""

RECIPE = """\
from zflow import Schedule, Series

s = Series("weekly", size="64x64", drafts=1, refine=False,
           prompt="{{ action }}, posted {{ run.date | default('undated') }}, week {{ run.week | default(0) }}",
           schedule=Schedule("0 9 * * MON", tz="Asia/Seoul"))
for row in s.rows("data/cal.csv", due="date"):
    s.scene(f"ep{row.n}", action=row.action)
"""


@pytest.fixture
def calendar(project):
    return calendar_project(project, RECIPE, CALENDAR)


def scenes(project, run: dict | None = None) -> dict[str, str]:
    """Scene uid -> rendered prompt of its first draft, for a load with these run variables."""
    p = Project(project.root)
    try:
        graph = p.load(run=run).graph
    finally:
        p.close()
    return {uid: graph.tasks[nodes.drafts[0]].params["prompt"] for uid, nodes in graph.scenes.items()}


def test_run_date_keeps_only_rows_due_in_the_next_seven_days(calendar):
    assert set(scenes(calendar, {"date": "2026-11-30"})) == {"weekly/ep1", "weekly/ep2"}
    assert set(scenes(calendar, {"date": "2026-12-01"})) == {"weekly/ep2", "weekly/ep3"}
    assert set(scenes(calendar, {"date": "2026-12-08"})) == set()


def test_build_without_a_run_date_keeps_every_row(calendar):
    assert set(scenes(calendar)) == {"weekly/ep1", "weekly/ep2", "weekly/ep3", "weekly/ep4"}


def test_templates_see_the_fire_date_and_iso_week_of_the_run(calendar):
    job = Job("weekly", calendar.root / "recipes/cal.py", Schedule("0 9 * * MON", tz="Asia/Seoul"))
    run = job.run_vars(datetime(2026, 12, 7, 0, 0, tzinfo=timezone.utc))
    assert run["date"] == "2026-12-07" and run["week"] == 50 and run["weekday"] == "Monday"
    assert scenes(calendar, run) == {"weekly/ep3": "waters plants, posted 2026-12-07, week 50"}


def test_window_length_is_declared_with_within(project):
    calendar_project(project, RECIPE.replace('due="date"', 'due="date", within=1'), CALENDAR)
    assert set(scenes(project, {"date": "2026-12-06"})) == {"weekly/ep2"}


def test_yaml_calendar_dates_work_like_csv_text(project):
    project.write("recipes/data/cal.yaml", "- {n: 1, date: 2026-12-07, action: a}\n"
                                           "- {n: 2, date: 2026-12-20, action: b}\n")
    project.write("recipes/cal.py", RECIPE.replace("data/cal.csv", "data/cal.yaml"))
    assert set(scenes(project, {"date": "2026-12-07"})) == {"weekly/ep1"}


def test_row_with_a_bad_date_names_the_data_file_and_line(calendar):
    calendar.write("recipes/data/cal.csv", CALENDAR.replace("2026-12-06", "next tuesday"))
    with pytest.raises(RecipeError) as caught:
        scenes(calendar, {"date": "2026-11-30"})
    assert caught.value.file.endswith("recipes/data/cal.csv") and caught.value.line == 3
    assert "date 'next tuesday' is not a date" in caught.value.message


def test_unknown_due_column_is_an_error_naming_the_table(calendar):
    calendar.write("recipes/cal.py", RECIPE.replace('due="date"', 'due="day"'))
    with pytest.raises(RecipeError) as caught:
        scenes(calendar, {"date": "2026-11-30"})
    assert "due='day': the table has no such column" in caught.value.message
    assert caught.value.file.endswith("cal.csv")
