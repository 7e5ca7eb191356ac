"""What flows between the engine and plugins: model references, requests, artifacts, outputs and batches."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .task import Task, canonical

#: Under the project root, one folder per task key where a long task keeps what a restarted build resumes from (a
#: training's checkpoints); ``zflow gc`` removes those of keys no current task has.
WORK_FOLDER = Path(".zflow") / "work"


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

    @property
    def role(self) -> str:
        """What the artifact is to the tasks that take it: ``image`` unless its producer set ``meta["role"]`` (a
        LoRA, a control map, a layout...)."""
        return str(self.meta.get("role", "image"))


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

    @property
    def images(self) -> tuple[Artifact, ...]:
        """The inputs that are images, in ``task.inputs`` order: the image to work on first, then references."""
        return self.inputs_of("image")

    @property
    def work(self) -> Path:
        """This task's work folder (see ``WORK_FOLDER``)."""
        return self.root / WORK_FOLDER / self.key

    def inputs_of(self, role: str) -> tuple[Artifact, ...]:
        """The inputs whose artifact has ``role`` (``Artifact.role``), in ``task.inputs`` order."""
        return tuple(a for a in self.inputs if a.role == role)


@dataclass(slots=True)
class Output:
    """What a task produced: files by relative name (the first is the main one) and metadata for provenance."""

    files: dict[str, bytes]
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Batch:
    """Requests of one kind and one model group, run by one call of the runner named ``runner``."""

    runner: str
    model: ModelRef
    requests: list[Request]
    started: float = 0.0
    seconds: float = 0.0
