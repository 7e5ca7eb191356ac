"""The run history in the store's SQLite index: one row per scheduled run (or skipped fire) and what it produced."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .index import Index

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, job TEXT NOT NULL, recipe TEXT NOT NULL, fire TEXT NOT NULL,
    attempt INTEGER NOT NULL, started REAL NOT NULL, ended REAL, outcome TEXT NOT NULL,
    counts TEXT NOT NULL DEFAULT '{}', outputs TEXT NOT NULL DEFAULT '[]', error TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS runs_by_job ON runs (job, fire);
"""

#: Outcomes that settle a fire: it is not run again (failed runs are retried, cancelled ones re-run on start).
SETTLED = ("ok", "skipped")
OUTCOMES = ("running", "ok", "failed", "error", "cancelled", "skipped")


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One row of the history. ``fire`` is the schedule's fire time (UTC) the run stands for; times are epoch
    seconds; ``counts`` holds the build summary's ran/cached/failed/skipped/superseded."""

    id: int
    job: str
    recipe: str
    fire: datetime
    attempt: int
    started: float
    ended: float | None
    outcome: str
    counts: dict[str, int] = field(default_factory=dict)
    outputs: tuple[str, ...] = ()
    error: str = ""


class Runs:
    """The ``runs`` table of a store index; created beside the index's own tables when first opened."""

    def __init__(self, index: Index):
        self.db = index.db
        self.db.executescript(SCHEMA)

    def start(self, job: str, recipe: str, fire: datetime, attempt: int, started: float) -> int:
        """Record a run as running; returns its id."""
        cur = self.db.execute("INSERT INTO runs (job, recipe, fire, attempt, started, outcome) VALUES (?,?,?,?,?,?)",
                              (job, recipe, _iso(fire), attempt, started, "running"))
        return int(cur.lastrowid)

    def finish(self, run_id: int, ended: float, outcome: str, counts: dict[str, int], outputs: list[str],
               error: str = "") -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown run outcome {outcome!r}")
        self.db.execute("UPDATE runs SET ended=?, outcome=?, counts=?, outputs=?, error=? WHERE id=?",
                        (ended, outcome, json.dumps(counts), json.dumps(sorted(outputs)), error, run_id))

    def skipped(self, job: str, recipe: str, fire: datetime, at: float, reason: str) -> int:
        """Record a fire that the missed-run policy skipped."""
        cur = self.db.execute("INSERT INTO runs (job, recipe, fire, attempt, started, ended, outcome, error) "
                              "VALUES (?,?,?,0,?,?,'skipped',?)", (job, recipe, _iso(fire), at, at, reason))
        return int(cur.lastrowid)

    def settled_through(self, job: str) -> datetime | None:
        """The latest fire of ``job`` that ran to success or was skipped on purpose."""
        marks = ",".join("?" * len(SETTLED))
        row = self.db.execute(f"SELECT MAX(fire) FROM runs WHERE job=? AND outcome IN ({marks})",
                              (job, *SETTLED)).fetchone()
        return None if row[0] is None else datetime.fromisoformat(row[0])

    def last(self, job: str) -> RunRecord | None:
        rows = self.history(job=job, limit=1)
        return rows[0] if rows else None

    def history(self, job: str | None = None, limit: int = 20) -> list[RunRecord]:
        """The newest runs first, of one job or of all."""
        where, args = ("WHERE job=?", (job,)) if job else ("", ())
        cur = self.db.execute(f"SELECT id, job, recipe, fire, attempt, started, ended, outcome, counts, outputs, error "
                              f"FROM runs {where} ORDER BY id DESC LIMIT ?", (*args, limit))
        return [RunRecord(r[0], r[1], r[2], datetime.fromisoformat(r[3]), r[4], r[5], r[6], r[7], json.loads(r[8]),
                          tuple(json.loads(r[9])), r[10]) for r in cur]


def _iso(moment: datetime) -> str:
    """A fire time as sortable UTC text (fixed width, so MAX() in SQL orders by time)."""
    if moment.tzinfo is None:
        raise ValueError("fire times must carry a time zone")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
