"""The declarations of one recipe load, collected in a context object (never a module global)."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

_current: ContextVar["Registry | None"] = ContextVar("zflow_registry", default=None)


class DeclarationError(Exception):
    """A declaration is wrong; carries the location it was made at."""

    def __init__(self, message: str, where: Any):
        super().__init__(message)
        self.message = message
        self.where = where


@dataclass(slots=True)
class Registry:
    """Everything one load declared, in declaration order, plus the files it read."""

    characters: dict[str, Any] = field(default_factory=dict)
    styles: dict[str, Any] = field(default_factory=dict)
    series: dict[str, Any] = field(default_factory=dict)
    scenes: list[Any] = field(default_factory=list)
    exports: list[Any] = field(default_factory=list)
    files_read: set[Path] = field(default_factory=set)
    run: dict[str, Any] = field(default_factory=dict)
    #: Bounds on what loading may read, from zflow.toml's [limits] (``table_bytes``).
    limits: dict[str, int] = field(default_factory=dict)
    #: Things a user should hear about that are no error: (message, location), e.g. a table with no rows.
    notes: list[tuple[str, Any]] = field(default_factory=list)

    def add_named(self, table: dict[str, Any], kind: str, item: Any) -> None:
        """Add a named declaration; the same name twice is an error unless it is the very same declaration."""
        old = table.get(item.name)
        if old is not None and old != item:
            raise DeclarationError(f"duplicate {kind} {item.name!r} (first declared at {old.where})", item.where)
        table[item.name] = item


def current() -> Registry:
    """The registry of the load in progress (outside a load, a fresh one for this context)."""
    reg = _current.get()
    if reg is None:
        reg = Registry()
        _current.set(reg)
    return reg


@contextmanager
def collecting(registry: Registry) -> Iterator[Registry]:
    """Route declarations made inside the block to ``registry``."""
    token = _current.set(registry)
    try:
        yield registry
    finally:
        _current.reset(token)
