"""The plugin protocols: backends and their optional methods, exporters, edit operations, runtimes and executors."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping, Protocol, Sequence, runtime_checkable

from .task import Task
from .work import Batch, ModelRef, Output, Request


@runtime_checkable
class Backend(Protocol):
    """Serves the image stages (kinds ``sheet``, ``draft``, ``refine``, ``edit``) for model references.

    ``load`` is called once per (model group) per build and the handle is kept while the process lives
    (watch mode) until ``release``; ``run`` gets a batch of requests of one kind, model and size and returns one
    Output or one Exception per request, in order. A backend may also follow ``KeyOptions`` and ``CostEstimate``.
    """

    name: str
    version: str
    kinds: frozenset[str]

    def identity(self, model: ModelRef) -> str: ...

    def load(self, model: ModelRef) -> Any: ...

    def run(self, handle: Any, requests: Sequence[Request]) -> list[Output | BaseException]: ...

    def release(self, handle: Any) -> None: ...


@runtime_checkable
class KeyOptions(Protocol):
    """Optional for a backend: the model options that change results. Only those go into task keys, so changing a
    timeout or a device rebuilds nothing; a backend without it has all its options keyed."""

    def key_options(self, model: ModelRef) -> Mapping[str, Any]: ...


@runtime_checkable
class Refuses(Protocol):
    """Optional for a backend: ``refusal(model, task, root)`` says why ``model`` cannot serve ``task`` (None when it
    can, or when it cannot tell without loading the weights). It is asked when the build is planned, so a stage whose
    model lacks what a task needs (an edit operation) stops the build before anything runs; the message names the
    models or backends that can."""

    def refusal(self, model: ModelRef, task: Task, root: Path) -> str | None: ...


@runtime_checkable
class SideModels(Protocol):
    """Optional for a backend: models a stage loads beside its main one that only some tasks use (a ControlNet).
    ``side_models(model)`` is the identity of each one the stage configures, by name (hub id + revision, or a
    folder's fingerprint; the no-op check compares them); ``side_models_of(model, task)`` the names ``task`` uses:
    their identities go into its key alone, so configuring or changing one rebuilds only the tasks that use it. It
    raises PluginError, naming the stage and the setting, when a task needs one the stage does not configure."""

    def side_models(self, model: ModelRef) -> Mapping[str, str]: ...

    def side_models_of(self, model: ModelRef, task: Task) -> Sequence[str]: ...


@runtime_checkable
class ReportsLoads(Protocol):
    """Optional for a backend that loads weights when it needs them (and drops them for memory): the runtime sets
    ``emit`` to the build's event sink, and the backend sends a ``ModelLoad`` event when weights really load (dtype,
    device, memory) and a ``ModelRelease`` when it drops them (``zflow.events``); the runtime then sends none."""

    emit: Callable[[Any], None]


@runtime_checkable
class CostEstimate(Protocol):
    """Optional for a backend: the price in dollars of running ``tasks`` on ``model`` with the ``[prices]`` of
    zflow.toml, for ``zflow plan`` and the ``budget`` setting; None when they cannot be priced."""

    def estimate_cost(self, model: ModelRef, tasks: Sequence[Task], prices: Mapping[str, Any]) -> float | None: ...


@runtime_checkable
class Exporter(Protocol):
    """Turns scenes' final images into files: ``export`` tasks, or the tasks of the ``kinds`` it names (an optional
    attribute; one whose kinds hold ``contact`` makes each scene's contact sheet of its drafts). It may also follow
    ``ExporterOptions``.

    ``check(params)`` validates an export's parameters when the recipe loads (raise ValueError with a message the
    user can act on). ``reframes(params, size)`` names extra images the export needs made by the Edit stage from a
    scene's final image of ``size`` (tag -> edit params such as ``{"op": "outpaint", "size": "1080x1920"}``); the
    graph makes them edit tasks and the export receives them as inputs. It must depend on its arguments alone: it is
    asked once per image size of an export. An exporter may also follow ``SceneVars``.
    """

    name: str
    version: str

    def check(self, params: Mapping[str, Any]) -> None: ...

    def reframes(self, params: Mapping[str, Any], size: tuple[int, int]) -> Mapping[str, Mapping[str, Any]]: ...

    def export(self, request: Request) -> Output: ...


@runtime_checkable
class ExporterOptions(Protocol):
    """Optional for an exporter: ``options``, every option a recipe may give it with its default. The graph refuses
    any other option at the export's line (listing these), and an option given as None gets its default, so a
    recipe leaves a preset to the exporter with ``preset=None``; an option not given stays out of the task."""

    options: Mapping[str, Any]


@runtime_checkable
class SceneVars(Protocol):
    """Optional for an exporter: the scene variables an export with ``params`` reads from its scenes (a blog's
    ``text``), so a scene keyword that only an export reads is not taken for a typo."""

    def scene_vars(self, params: Mapping[str, Any]) -> Sequence[str]: ...


#: What an exporter serves when it names no ``kinds``.
EXPORT_KINDS = frozenset({"export"})


def exporters_serving(exporters: Mapping[str, Any], kind: str) -> list[str]:
    """The names of the exporters that serve tasks of ``kind`` (``export`` or ``contact``), sorted."""
    return sorted(name for name, e in exporters.items() if kind in getattr(e, "kinds", EXPORT_KINDS))


@runtime_checkable
class EditOp(Protocol):
    """An edit operation a recipe can name. ``normalize`` validates and canonicalizes its parameters (raise
    ValueError); ``output_size`` is the size it produces. An op that also follows ``PixelOp`` is pure pixel work the
    engine runs without a model; one without it is served by the edit backend."""

    name: str

    def normalize(self, params: Mapping[str, Any], size: tuple[int, int]) -> dict[str, Any]: ...

    def output_size(self, params: Mapping[str, Any], size: tuple[int, int]) -> tuple[int, int]: ...


#: The default of an edit constructor's argument that a recipe must give.
REQUIRED = "<required>"


@runtime_checkable
class EditConstructor(Protocol):
    """Optional for an edit operation: a constructor recipes call as ``Edit.<name>(...)`` (``Edit.inpaint("face",
    "a smile")`` for ``Edit.custom("inpaint", region="face", prompt="a smile", strength=1.0)``). ``arguments`` are
    its parameters in call order with their defaults (``REQUIRED``: none), all of which go into the edit;
    ``file_arguments`` name those whose text (or each text of a list), when it ends in an image extension, is a file
    beside the recipe (read, keyed and watched); ``size_arguments`` those that are sizes, checked at the recipe's
    line."""

    name: str
    arguments: Mapping[str, Any]
    file_arguments: frozenset[str]
    size_arguments: frozenset[str]


@runtime_checkable
class PixelOp(Protocol):
    """Optional for an edit operation: ``apply(image_path, params) -> (image bytes, meta)`` without a model."""

    def apply(self, image: Path, params: Mapping[str, Any]) -> tuple[bytes, Mapping[str, Any]]: ...


class ProjectSettings(Protocol):
    """What an executor reads of the project's configuration: its root folder and where the settings came from
    (zflow.toml's path, for messages)."""

    root: Path
    source: str


class Registries(Protocol):
    """What the registered plugins provide, by name."""

    backends: Mapping[str, Backend]
    exporters: Mapping[str, Exporter]
    edit_ops: Mapping[str, EditOp]


@runtime_checkable
class Runtime(Protocol):
    """What an executor gets from the engine.

    ``run(batch)`` loads the batch's model (once, cached) and runs it; ``on_event`` takes the events the executor
    emits; ``plugins.backends`` tells model batches (runner named after a backend) from file work. To run batches in
    other processes an executor calls ``worker_factory()`` and, in each process, ``factory(folder, on_event)``: a
    runtime with the same settings and plugin set, whose project plugin modules lie in ``folder/plugins``. There,
    ``route(task)`` prepares the runner of a task (``runners`` holds the prepared ones), ``loaded`` lists the model
    groups held and ``release_all()`` frees them.
    """

    config: ProjectSettings
    plugins: Registries
    runners: Mapping[str, Any]
    loaded: Mapping[tuple[str, str], Any]

    def on_event(self, event: dict[str, Any]) -> None: ...

    def run(self, batch: Batch) -> list[Output | BaseException]: ...

    def route(self, task: Task) -> tuple[str, ModelRef]: ...

    def release_all(self) -> None: ...

    def worker_factory(self) -> Callable[[Path, Callable[[dict[str, Any]], None]], "Runtime"]: ...


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
