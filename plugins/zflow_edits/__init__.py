"""zflow's core edit operations, registered through the register_edit_ops hook."""
from __future__ import annotations

from typing import Any, Callable

from zflow.hookspecs import hookimpl

from .ops import CORE_OPS, Background, Inpaint, Instruct, Outpaint, Restyle

__all__ = ["Background", "Inpaint", "Instruct", "Outpaint", "Restyle", "register_edit_ops"]


@hookimpl
def register_edit_ops(register: Callable[[Any], None]) -> None:
    """Register inpaint, background, outpaint, restyle and instruct."""
    for op in CORE_OPS:
        register(op)
