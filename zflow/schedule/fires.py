"""Fire times of a cron schedule in its time zone, once per wall-clock time across DST changes."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterator

from croniter import croniter

from ..dsl.schedule import Schedule

UTC = timezone.utc


def next_fire(schedule: Schedule, after: datetime) -> datetime:
    """The first fire strictly after ``after`` (UTC)."""
    return next(_fires(schedule, after, forward=True))


def last_fire(schedule: Schedule, at: datetime) -> datetime:
    """The latest fire at or before ``at`` (UTC)."""
    return next(fire for fire in _fires(schedule, at + timedelta(seconds=1), forward=False) if fire <= at)


def upcoming(schedule: Schedule, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` fires after ``after`` (UTC)."""
    found = []
    for fire in _fires(schedule, after, forward=True):
        found.append(fire)
        if len(found) == count:
            break
    return found


def _fires(schedule: Schedule, start: datetime, forward: bool) -> Iterator[datetime]:
    """Fires from ``start`` on (or back), in UTC. When clocks fall back, the repeated hour's second pass does not fire
    again (like cron); when they spring forward, a time that does not exist fires at the jump."""
    if start.tzinfo is None:
        raise ValueError("scheduler times must carry a time zone")
    zone = schedule.zone
    it = croniter(schedule.cron, start.astimezone(zone))
    step = it.get_next if forward else it.get_prev
    while True:
        local = step(datetime).astimezone(zone)
        if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
            continue
        yield local.astimezone(UTC)
