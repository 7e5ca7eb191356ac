"""zflow's weightless preview backend, registered through the register_backends hook."""
from __future__ import annotations

from typing import Any, Callable

from zflow.hookspecs import hookimpl

from .backend import PreviewBackend

__all__ = ["PreviewBackend", "add_words", "register_backends"]


def __getattr__(name: str) -> Any:
    """``add_words`` (teach the preview more words), imported when first asked for: loading the plugin stays cheap."""
    if name == "add_words":
        from .reading import add_words

        return add_words
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@hookimpl
def register_backends(register: Callable[[Any], None]) -> None:
    """Register the preview backend."""
    register(PreviewBackend())
