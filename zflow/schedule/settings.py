"""The ``[schedule]`` table of zflow.toml: how failed runs are retried and how often recipes are re-read."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Mapping

from ..contracts.settings import Setting, located
from ..dsl import DeclarationError, Location
from ..dsl.schedule import parse_duration
from .loop import Backoff


def duration(text: str) -> timedelta | None:
    """"90s", "30m", "2h", "1d" as a timedelta; None when ``text`` is no such duration."""
    try:
        return parse_duration("", text, Location("", 0))
    except DeclarationError:
        return None


def _problem(text: str) -> str | None:
    value = duration(text)
    if value is None:
        return 'must be a duration such as "90s", "30m", "2h" or "1d"'
    return None if value else "must be longer than zero"


SETTINGS = {"retries": Setting(int, 3, low=0), "backoff": Setting(str, "1m", check=_problem),
            "max_backoff": Setting(str, "1h", check=_problem), "rescan": Setting(str, "1m", check=_problem)}


def read_settings(table: Mapping[str, Any]) -> tuple[Backoff, timedelta]:
    """The retry back-off (``retries`` more tries, waiting ``backoff``, doubling up to ``max_backoff``) and how
    often recipes are re-read (``rescan``); a wrong setting is a SettingError naming its zflow.toml line."""
    values = located(table, "schedule").read(SETTINGS)
    first, limit, rescan = (duration(values[name]) for name in ("backoff", "max_backoff", "rescan"))
    return Backoff(values["retries"], first, limit), rescan
