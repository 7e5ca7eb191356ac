"""The ``[schedule]`` table of zflow.toml: how failed runs are retried and how often recipes are re-read."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Mapping

from ..dsl import DeclarationError, Location
from ..dsl.schedule import parse_duration
from ..errors import UsageError
from .loop import Backoff

KEYS = {"retries": "a whole number of retries (default 3)", "backoff": "the first retry's wait (default \"1m\")",
        "max_backoff": "the longest wait between retries (default \"1h\")",
        "rescan": "how often recipes are checked for changes (default \"1m\")"}


def read_settings(table: Mapping[str, Any], source: str) -> tuple[Backoff, timedelta]:
    """The retry back-off and rescan interval; a bad value is a UsageError naming the setting."""
    unknown = set(table) - set(KEYS)
    if unknown:
        raise UsageError(f"{source}: schedule: unknown setting(s) {', '.join(sorted(unknown))} "
                         f"(known: {', '.join(sorted(KEYS))})")
    retries = table.get("retries", 3)
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise UsageError(f"{source}: schedule.retries must be {KEYS['retries']}, not {retries!r}")
    first, limit, rescan = (_duration(table, name, default, source)
                            for name, default in (("backoff", "1m"), ("max_backoff", "1h"), ("rescan", "1m")))
    return Backoff(retries, first, limit), rescan


def _duration(table: Mapping[str, Any], name: str, default: str, source: str) -> timedelta:
    try:
        value = parse_duration(f"schedule.{name}", table.get(name, default), Location(source, 0))
    except DeclarationError as exc:
        raise UsageError(f"{source}: {exc.message}") from None
    if not value:
        raise UsageError(f"{source}: schedule.{name} must be longer than zero")
    return value
