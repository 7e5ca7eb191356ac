"""The plugin contract: every hook a zflow plugin can implement (docs/plugins.md documents each one)."""
from __future__ import annotations

from typing import Any, Callable, Mapping

import pluggy

hookspec = pluggy.HookspecMarker("zflow")
hookimpl = pluggy.HookimplMarker("zflow")


@hookspec
def register_backends(register: Callable[[Any], None]) -> None:
    """Register image backends: call ``register(backend)`` with objects following ``zflow.contracts.Backend``."""


@hookspec
def register_exporters(register: Callable[[Any], None]) -> None:
    """Register exporters: call ``register(exporter)`` with objects following ``zflow.contracts.Exporter``."""


@hookspec
def register_edit_ops(register: Callable[[Any], None]) -> None:
    """Register edit operations a recipe can name: call ``register(op)`` with ``zflow.contracts.EditOp`` objects."""


@hookspec
def register_executors(register: Callable[[str, Callable[..., Any]], None]) -> None:
    """Register executors: call ``register(name, factory)``; ``factory(runtime, options)`` returns an Executor."""


@hookspec
def template_filters() -> Mapping[str, Callable[..., Any]]:
    """Return Jinja2 filters (name -> function) that prompt and post templates can use."""


@hookspec
def before_task(task: Any, key: str) -> None:
    """Called on the driver just before a task runs."""


@hookspec
def after_task(task: Any, key: str, artifact: Any, seconds: float) -> None:
    """Called on the driver after a task finished and its artifact is in the store."""


@hookspec
def on_task_error(task: Any, key: str, error: BaseException) -> None:
    """Called on the driver when a task failed; the build goes on with independent work."""


@hookspec
def after_build(summary: Mapping[str, Any]) -> None:
    """Called once after every build with its summary (``ran``, ``cached``, ``failed``, ``skipped``, ...)."""
