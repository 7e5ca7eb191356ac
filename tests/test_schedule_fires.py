"""Fire times of declared schedules: time zones, DST changes, and schedules refused with their file and line."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from zflow import Schedule
from zflow.dsl import DeclarationError
from zflow.schedule import last_fire, next_fire, upcoming

UTC = timezone.utc


def local(fires: list[datetime], schedule: Schedule) -> list[str]:
    return [f.astimezone(schedule.zone).strftime("%Y-%m-%d %H:%M %Z") for f in fires]


def test_weekly_schedule_fires_monday_nine_in_its_time_zone():
    monday = Schedule("0 9 * * MON", tz="Asia/Seoul")
    fires = upcoming(monday, datetime(2026, 11, 27, tzinfo=UTC), 3)
    assert local(fires, monday) == ["2026-11-30 09:00 KST", "2026-12-07 09:00 KST", "2026-12-14 09:00 KST"]
    assert fires[0] == datetime(2026, 11, 30, 0, 0, tzinfo=UTC)


def test_daily_fire_keeps_its_wall_clock_time_across_both_dst_changes():
    daily = Schedule("0 9 * * *", tz="America/New_York")
    spring = upcoming(daily, datetime(2026, 3, 7, tzinfo=UTC), 3)
    autumn = upcoming(daily, datetime(2026, 10, 31, tzinfo=UTC), 3)
    assert local(spring, daily) == ["2026-03-07 09:00 EST", "2026-03-08 09:00 EDT", "2026-03-09 09:00 EDT"]
    assert [b - a for a, b in zip(spring, spring[1:])] == [timedelta(hours=23), timedelta(hours=24)]
    assert local(autumn, daily) == ["2026-10-31 09:00 EDT", "2026-11-01 09:00 EST", "2026-11-02 09:00 EST"]
    assert [b - a for a, b in zip(autumn, autumn[1:])] == [timedelta(hours=25), timedelta(hours=24)]


def test_fire_in_the_repeated_autumn_hour_runs_once():
    early = Schedule("30 1 * * *", tz="America/New_York")
    fires = upcoming(early, datetime(2026, 10, 31, 12, tzinfo=UTC), 3)
    assert local(fires, early) == ["2026-11-01 01:30 EDT", "2026-11-02 01:30 EST", "2026-11-03 01:30 EST"]


def test_fire_in_the_skipped_spring_hour_runs_once_at_the_jump():
    early = Schedule("30 2 * * *", tz="America/New_York")
    fires = upcoming(early, datetime(2026, 3, 7, 12, tzinfo=UTC), 3)
    assert local(fires, early) == ["2026-03-08 03:00 EDT", "2026-03-09 02:30 EDT", "2026-03-10 02:30 EDT"]


def test_half_hourly_fires_skip_the_second_pass_of_the_repeated_hour():
    half = Schedule("*/30 * * * *", tz="Europe/Berlin")
    fires = upcoming(half, datetime(2026, 10, 25, 0, 0, tzinfo=UTC), 4)  # 02:00 CEST; clocks go back at 03:00 CEST
    assert local(fires, half) == ["2026-10-25 02:30 CEST", "2026-10-25 03:00 CET", "2026-10-25 03:30 CET",
                                  "2026-10-25 04:00 CET"]


def test_last_fire_is_the_latest_at_or_before_a_moment():
    monday = Schedule("0 9 * * MON", tz="Asia/Seoul")
    at_fire = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    assert last_fire(monday, at_fire) == at_fire
    assert last_fire(monday, at_fire - timedelta(seconds=1)) == at_fire - timedelta(days=7)
    assert next_fire(monday, at_fire) == at_fire + timedelta(days=7)


@pytest.mark.parametrize("kwargs, message", [
    ({"cron": "0 9 * *"}, "invalid cron expression"),
    ({"cron": "61 9 * * *"}, "invalid cron expression"),
    ({"cron": "0 0 31 2 *"}, "never fires"),
    ({"cron": "0 9 * * *", "tz": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
    ({"cron": "0 9 * * *", "missed": "burst"}, "missed='burst'"),
    ({"cron": "0 9 * * *", "grace": "soon"}, "grace='soon'"),
])
def test_bad_schedule_is_refused_at_the_line_that_declared_it(kwargs, message):
    with pytest.raises(DeclarationError) as caught:
        Schedule(**kwargs)
    assert message in caught.value.message
    assert caught.value.where.file == __file__


@pytest.mark.e2e
def test_bad_schedule_in_a_recipe_fails_the_build_naming_file_and_line(project):
    project.write("recipes/r.py", """\
        from zflow import Schedule, Series
        s = Series("s", size="64x64",
                   schedule=Schedule("0 25 * * *"))
    """)
    result = project.zflow("build")
    assert result.code == 2
    assert "recipes/r.py:3: invalid cron expression '0 25 * * *'" in result.stderr
