"""The core's own plugin: registers the local executor through the same hooks third parties use."""
from __future__ import annotations

from ..hookspecs import hookimpl
from .local import LocalExecutor


@hookimpl
def register_executors(register):
    register("local", LocalExecutor)
