"""Scheduler events and times as short lines for people."""
from __future__ import annotations

import sys
from datetime import datetime

from ..errors import RecipeError
from ..events import Event


def minutes(iso: str) -> str:
    """An ISO time without seconds: 2026-12-07 09:00+09:00."""
    moment = datetime.fromisoformat(iso)
    return moment.strftime("%Y-%m-%d %H:%M") + moment.strftime("%z")[:3] + ":" + moment.strftime("%z")[3:]


class Lines:
    """Scheduler events as short lines on stderr, for people."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet

    def __call__(self, event: Event) -> None:
        kind = event["event"]
        if kind == "run-done":
            retry = f"; retry at {minutes(event['retry_at'])}" if event["retry_at"] else ""
            error = f": {event['error']}" if event["error"] else ""
            self._say(f"{event['job']}: run #{event['run']} {event['outcome']}{error} "
                      f"({event['outputs']} outputs){retry}")
        elif kind == "recipe-error":
            self._say(f"error: {RecipeError(event['error'], event['file'], event['line'])}")
        elif self.quiet:
            return
        elif kind == "schedule-start":
            for job in event["jobs"]:
                self._say(f"{job['job']}: next run {minutes(job['next'])}")
            self._say("scheduler running; Ctrl-C or SIGTERM stops it")
        elif kind == "run-start":
            vars_ = event["run_vars"]
            self._say(f"{event['job']}: run #{event['run']} for {vars_['date']} (week {vars_['week']}), "
                      f"attempt {event['attempt']}")
        elif kind == "run-skipped":
            self._say(f"{event['job']}: skipped the fire of {minutes(event['fire'])}: {event['reason']}")
        elif kind == "nothing-due":
            self._say("nothing due")
        elif kind == "schedule-stop":
            self._say("scheduler stopped" + (f" ({event['reason']})" if event["reason"] else ""))

    @staticmethod
    def _say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)
