"""A project with a weekly calendar recipe: one scene per row of a CSV, due by its date."""
from __future__ import annotations

CALENDAR = """\
n,date,action
1,2026-11-30,pours coffee
2,2026-12-03,reads a book
3,2026-12-07,waters plants
4,,has no date yet
"""

RECIPE = """\
from zflow import Schedule, Series, sns

s = Series("weekly", size="64x64", drafts=1, refine=False, prompt="{{ action }}, week {{ run.week | default(0) }}",
           schedule=Schedule("0 9 * * MON", tz="Asia/Seoul"))
for row in s.rows("data/cal.csv", due="date"):
    s.scene(f"ep{row.n}", action=row.action)
"""


def calendar_project(project, recipe: str = RECIPE, calendar: str = CALENDAR):
    project.write("recipes/data/cal.csv", calendar)
    project.write("recipes/cal.py", recipe)
    return project
