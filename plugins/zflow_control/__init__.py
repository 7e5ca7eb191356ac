"""zflow's control-map preprocessors (the ``control`` stage): maps taken from a picked layout, Canny edges through
OpenCV, and pose, depth, HED and MLSD through controlnet-aux when its detector weights are on disk."""
from __future__ import annotations

from typing import Any, Callable

from zflow.hookspecs import hookimpl

from .backend import ControlBackend

__all__ = ["ControlBackend", "register_backends"]


@hookimpl
def register_backends(register: Callable[[Any], None]) -> None:
    """Register the control-map backend."""
    register(ControlBackend())
