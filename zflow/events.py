"""Every event zflow emits, by name and fields, and ``Emit``, what receives them.

Events are plain dicts (``--json`` prints each as one line) whose ``event`` key names the kind. The builder, the
runtime and the executors (Ray's included) emit the build events; ``zflow watch`` adds its own, the scheduler its
run events; the CLI displays, the live gallery, the watch session and the scheduler's runner read them. Build one
with its class, ``TaskStart(event="task-start", id=..., stage=...)``, so a type checker sees each field. A leaf
module: plugins may import it. (No `from __future__ import annotations`: TypedDict reads NotRequired at runtime.)"""

from typing import Any, Callable, Literal, NotRequired, TypedDict, Union, get_type_hints


# --- a build (zflow build, each rebuild of zflow watch, each scheduled run) ------------------------------------------

class BuildStart(TypedDict):
    event: Literal["build-start"]
    tasks: int  # tasks in the build
    stale: int  # of them, those that will run


class TaskStart(TypedDict):
    event: Literal["task-start"]
    id: str
    stage: str  # the task's kind: draft, contact, refine, edit, export...


class TaskDone(TypedDict):
    event: Literal["task-done"]
    id: str
    stage: str
    seconds: float
    files: list[str]  # the files written under out/, relative to it


class TaskFailed(TypedDict):
    event: Literal["task-failed"]
    id: str
    stage: str
    error: str


class TaskSkipped(TypedDict):
    event: Literal["task-skipped"]
    id: str
    stage: str
    because: str  # the id of the failed task upstream


class ExportEmpty(TypedDict):
    """An export with no scenes in this build (a scheduled week with no due row): skipped, not failed."""

    event: Literal["export-empty"]
    id: str  # the export's task id, series/export/name
    reason: str


class Note(TypedDict):
    """Something a user should hear that is no error, at the line that caused it (a data table with no rows)."""

    event: Literal["note"]
    message: str
    file: str
    line: int


class Kept(TypedDict):
    """A file a build would have removed from out/ and left in place: changed by the user, or behind a link."""

    event: Literal["kept"]
    path: str  # relative to out/
    reason: str


class ModelLoad(TypedDict):
    """A model made ready. A backend that loads weights itself (zimage) sends one per real load, when it happens,
    with where and how big; for the others the runtime sends one when it first hands the backend a model."""

    event: Literal["model-load"]
    backend: str
    model: str
    seconds: float
    dtype: NotRequired[str]  # torch dtype name: bfloat16, float32...
    device: NotRequired[str]  # cpu, cuda, mps
    memory: NotRequired[int]  # bytes of the loaded weights (parameters and buffers)


class ModelRelease(TypedDict):
    """Loaded weights dropped, freeing their memory: one per real load that ends before its process does."""

    event: Literal["model-release"]
    backend: str
    model: str
    device: str
    memory: int  # bytes freed (as in its ModelLoad)
    reason: str  # "memory": another model needed the room; "idle": released and past the models kept idle;
    # "trained": the copy a train task loaded for itself, dropped when it finished


class TrainProgress(TypedDict):
    """A train task's progress: its first and last step, each checkpoint, and a few per second between."""

    event: Literal["train-progress"]
    id: str
    step: int  # steps done, of ``steps``
    steps: int
    loss: float  # the loss of the last step
    it_s: float  # steps per second in this run
    checkpoint: bool  # a checkpoint was just saved (a killed build resumes from here)


class Summary(TypedDict):
    """The last event of a build; also what the ``after_build`` hook receives."""

    event: Literal["summary"]
    tasks: int
    ran: int
    cached: int
    failed: int
    skipped: int
    superseded: int  # results dropped because a newer edit came in while they ran (zflow watch)
    written: int  # files written to out/ (new or changed)
    removed: int
    loads: int  # model-load events in the build: weights really loaded (by this process or its workers)
    removed_files: list[str]  # the files removed from out/, relative to it
    kept: list[str]  # files of out/ left in place rather than removed (see Kept)
    notes: list[dict[str, Any]]  # the Note events of the build, without their "event"
    seconds: float
    empty_exports: list[str]  # ids of the exports that had nothing to export (see ExportEmpty)


class Error(TypedDict):
    """A recipe or project error that stopped a build (the file and line when it is a recipe's)."""

    event: Literal["error"]
    error: str
    kind: str  # the error's class: RecipeError, ConfigError...
    file: NotRequired[str | None]
    line: NotRequired[int | None]


# --- zflow watch ----------------------------------------------------------------------------------------------------

class Watching(TypedDict):
    event: Literal["watching"]
    files: int


class Change(TypedDict):
    event: Literal["change"]
    files: list[str]  # changed paths, and picks as "pick <scene>=<n>"


class Serving(TypedDict):
    event: Literal["serving"]
    url: str


class Stopped(TypedDict):
    event: Literal["stopped"]


# --- zflow schedule -------------------------------------------------------------------------------------------------

class NextFire(TypedDict):
    job: str
    next: str  # ISO 8601 in the schedule's zone


class ScheduleStart(TypedDict):
    event: Literal["schedule-start"]
    jobs: list[NextFire]


class ScheduleStop(TypedDict):
    event: Literal["schedule-stop"]
    reason: str  # the signal that stopped it (SIGTERM...), or ""


class RunSkipped(TypedDict):
    event: Literal["run-skipped"]
    job: str
    fire: str
    reason: str


class RunStart(TypedDict):
    event: Literal["run-start"]
    run: int
    job: str
    fire: str
    attempt: int
    run_vars: dict[str, Any]  # what recipes see as {{ run.* }}


class RunDone(TypedDict):
    event: Literal["run-done"]
    run: int
    job: str
    fire: str
    attempt: int
    outcome: str  # ok, failed, error or cancelled
    counts: dict[str, int]
    outputs: int  # files written under out/
    error: str  # "" when it went well
    retry_at: str | None


class NothingDue(TypedDict):
    event: Literal["nothing-due"]


class RecipeErrorEvent(TypedDict):
    event: Literal["recipe-error"]
    error: str
    file: str | None
    line: int | None


BuildEvent = Union[BuildStart, TaskStart, TaskDone, TaskFailed, TaskSkipped, ExportEmpty, Note, Kept, ModelLoad,
                   ModelRelease, TrainProgress, Summary]
Event = Union[BuildEvent, Error, Watching, Change, Serving, Stopped, ScheduleStart, ScheduleStop, RunSkipped,
              RunStart, RunDone, NothingDue, RecipeErrorEvent]

#: Receives events: a display, the gallery, a session or runner that passes them on.
Emit = Callable[[Event], None]

#: Each event's class by its name.
EVENTS: dict[str, type] = {get_type_hints(cls)["event"].__args__[0]: cls for cls in Event.__args__}


def ignore(event: Event) -> None:
    """An ``Emit`` that drops every event."""
