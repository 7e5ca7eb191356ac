"""zflow's weightless preview backend, registered through the register_backends hook."""
from __future__ import annotations

from typing import Any, Callable

from zflow.hookspecs import hookimpl

from .backend import PreviewBackend
from .reading import add_words

__all__ = ["PreviewBackend", "add_words", "register_backends"]


@hookimpl
def register_backends(register: Callable[[Any], None]) -> None:
    """Register the preview backend."""
    register(PreviewBackend())
