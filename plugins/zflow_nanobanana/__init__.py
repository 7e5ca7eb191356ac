"""zflow's nanobanana backend (Google's Gemini image models), registered through the register_backends hook."""
from __future__ import annotations

from typing import Any, Callable

from zflow.hookspecs import hookimpl

from .backend import NanoBananaBackend

__all__ = ["NanoBananaBackend", "register_backends"]


@hookimpl
def register_backends(register: Callable[[Any], None]) -> None:
    """Register the nanobanana backend."""
    register(NanoBananaBackend())
