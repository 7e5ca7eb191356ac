"""What plugins receive and return: model references, requests, artifacts, outputs, and the plugin protocols."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Protocol, Sequence, runtime_checkable

from ..graph.task import Task, canonical


@dataclass(frozen=True, slots=True)
class ModelRef:
    """Which backend and model serve a stage: a hub id (+ revision) or a local folder, and backend options."""

    backend: str
    model: str = ""
    revision: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def group(self) -> str:
        """Tasks with the same group share one loaded model."""
        return canonical([self.backend, self.model, self.revision, dict(self.options)])


@dataclass(frozen=True, slots=True)
class Artifact:
    """A finished task's files (read-only paths in the store, by name) and metadata (provenance)."""

    task_id: str
    key: str
    files: Mapping[str, Path]
    meta: Mapping[str, Any]

    @property
    def main(self) -> Path:
        """The first file: the image of an image task."""
        return next(iter(self.files.values()))


@dataclass(frozen=True, slots=True)
class Request:
    """One task to run: the task, its key, the stage's model, its inputs' artifacts (``task.inputs`` order) and the
    project root that paths in params are relative to."""

    task: Task
    key: str
    model: ModelRef
    inputs: tuple[Artifact, ...]
    root: Path = Path(".")

    @property
    def params(self) -> Mapping[str, Any]:
        return self.task.params


@dataclass(slots=True)
class Output:
    """What a task produced: files by relative name (the first is the main one) and metadata for provenance."""

    files: dict[str, bytes]
    meta: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Backend(Protocol):
    """Serves the image stages (kinds ``sheet``, ``draft``, ``refine``, ``edit``) for model references.

    ``load`` is called once per (model group) per build and the handle is kept while the process lives
    (watch mode) until ``release``; ``run`` gets a batch of requests of one kind, model and size and returns one
    Output or one Exception per request, in order.
    """

    name: str
    version: str
    kinds: frozenset[str]

    def identity(self, model: ModelRef) -> str: ...

    def load(self, model: ModelRef) -> Any: ...

    def run(self, handle: Any, requests: Sequence[Request]) -> list[Output | BaseException]: ...

    def release(self, handle: Any) -> None: ...


@runtime_checkable
class Exporter(Protocol):
    """Turns scenes' final images into files (``export`` and ``contact`` tasks).

    ``check(params)`` validates an export's parameters when the recipe loads (raise ValueError with a message the
    user can act on). ``reframes(params, size)`` names extra images the export needs made by the Edit stage from a
    scene's final image of ``size`` (tag -> edit params such as ``{"op": "outpaint", "size": "1080x1920"}``); the
    graph makes them edit tasks and the export receives them as inputs. It must depend on its arguments alone: it is
    asked once per image size of an export. Optional: ``scene_vars(params)`` names the scene variables an export
    reads from its scenes' ``vars`` (a blog's ``text``), so a scene keyword only an export reads is no typo.
    """

    name: str
    version: str

    def check(self, params: Mapping[str, Any]) -> None: ...

    def reframes(self, params: Mapping[str, Any], size: tuple[int, int]) -> Mapping[str, Mapping[str, Any]]: ...

    def export(self, request: Request) -> Output: ...


@runtime_checkable
class EditOp(Protocol):
    """An edit operation a recipe can name. ``normalize`` validates and canonicalizes its parameters (raise
    ValueError); ``output_size`` is the size it produces. An op with ``apply(image_path, params) -> (bytes, meta)``
    is pure pixel work the engine runs without a model; one without it is served by the edit backend."""

    name: str

    def normalize(self, params: Mapping[str, Any], size: tuple[int, int]) -> dict[str, Any]: ...

    def output_size(self, params: Mapping[str, Any], size: tuple[int, int]) -> tuple[int, int]: ...


@dataclass(slots=True)
class Batch:
    """Requests of one kind and one model group, run by one call of the runner named ``runner``."""

    runner: str
    model: ModelRef
    requests: list[Request]
    started: float = 0.0
    seconds: float = 0.0


@runtime_checkable
class Runtime(Protocol):
    """What an executor gets from the engine: ``run(batch)`` loads the batch's model (once, cached) and runs it."""

    def run(self, batch: Batch) -> list[Output | BaseException]: ...


@runtime_checkable
class Executor(Protocol):
    """Runs batches. ``submit`` hands over a batch whose inputs are all finished; ``wait`` blocks until at least one
    submitted batch is done and returns the finished ``(batch, results)`` pairs; ``cancel`` drops submitted batches
    that have not started and returns them (running ones finish); ``close`` frees its resources.
    Executors are made by factories registered with ``register_executors``: ``factory(runtime, options)``."""

    name: str

    def submit(self, batch: Batch) -> None: ...

    def wait(self) -> list[tuple[Batch, list[Output | BaseException]]]: ...

    def cancel(self) -> list[Batch]: ...

    def close(self) -> None: ...
