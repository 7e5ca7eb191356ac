"""Schedules in the recipe language: when a series or export builds, and which calendar rows a run finds due."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .registry import DeclarationError
from .source import Location, caller_location

if TYPE_CHECKING:
    from .tables import Row

MISSED_POLICIES = ("run-once", "skip")
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class Schedule:
    """A cron expression read in a time zone, with what to do about fires missed while no scheduler ran.

    ``missed="run-once"`` runs the latest missed fire once when the scheduler starts; ``"skip"`` waits for the next.
    A fire at most ``grace`` old when a scheduler first sees it is on time, not missed ("90s", "30m", "2h", "1d").
    """

    cron: str
    tz: str
    missed: str
    grace: timedelta
    where: Location = field(compare=False, repr=False)

    def __init__(self, cron: str, tz: str = "UTC", missed: str = "run-once", grace: str | timedelta = "1h"):
        where = caller_location()
        set_ = object.__setattr__
        set_(self, "where", where)
        set_(self, "cron", check_cron(cron, where))
        set_(self, "tz", check_tz(tz, where))
        if missed not in MISSED_POLICIES:
            raise DeclarationError(f"missed={missed!r}: use {' or '.join(map(repr, MISSED_POLICIES))}", where)
        set_(self, "missed", missed)
        set_(self, "grace", parse_duration("grace", grace, where))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def __str__(self) -> str:
        return f"{self.cron} ({self.tz})"


def check_cron(cron: Any, where: Location) -> str:
    """A five-field cron expression: minute hour day-of-month month day-of-week."""
    from croniter import CroniterBadDateError, croniter

    if not isinstance(cron, str) or len(cron.split()) != 5 or not croniter.is_valid(cron):
        raise DeclarationError(f"invalid cron expression {cron!r}: use five fields, minute hour day-of-month "
                               "month day-of-week (e.g. \"0 9 * * MON\")", where)
    try:
        croniter(cron, datetime(2000, 1, 1)).get_next(datetime)
    except CroniterBadDateError:
        raise DeclarationError(f"cron expression {cron!r} never fires (no such date)", where) from None
    return " ".join(cron.split())


def check_tz(tz: Any, where: Location) -> str:
    """An IANA time zone name such as "Asia/Seoul" or "UTC"."""
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise DeclarationError(f"unknown time zone {tz!r}: use an IANA name such as \"Asia/Seoul\" or \"UTC\"",
                               where) from None
    return tz


def parse_duration(what: str, value: Any, where: Location) -> timedelta:
    """A duration given as a timedelta or as text like "90s", "30m", "2h", "1d"."""
    if isinstance(value, timedelta) and value >= timedelta(0):
        return value
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        raise DeclarationError(f"{what}={value!r}: give a duration such as \"30m\", \"2h\" or \"1d\"", where)
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def due_rows(table: list[Row], column: str, within: int, run: dict[str, Any], where: Location) -> list[Row]:
    """The rows whose ``column`` date falls in [run date, run date + ``within`` days); every row when the run has
    no date (a plain build). Rows with an empty date are never due."""
    if isinstance(within, bool) or not isinstance(within, int) or within < 1:
        raise DeclarationError(f"within={within!r}: give a whole number of days, 1 or more", where)
    if run.get("date") is None:
        return list(table)
    start = as_date(run["date"], f"run date {run['date']!r}", where)
    end = start + timedelta(days=within)
    due = []
    for row in table:
        value = row.get(column)
        if column not in row:
            raise DeclarationError(f"due={column!r}: the table has no such column (columns: {', '.join(row)})",
                                   row.where)
        if value not in (None, "") and start <= as_date(value, f"{column} {value!r}", row.where) < end:
            due.append(row)
    return due


def as_date(value: Any, what: str, where: Location) -> date:
    """A calendar date from a date, a datetime or ISO text ("2026-12-07", "2026-12-07T09:00")."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return datetime.fromisoformat(str(value).strip()).date()
    except ValueError:
        raise DeclarationError(f"{what} is not a date (use YYYY-MM-DD)", where) from None
