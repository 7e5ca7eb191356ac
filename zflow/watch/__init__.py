"""Watch mode: file watching, the rebuild session and the live gallery server."""
from __future__ import annotations

from .session import Session
from .watcher import Watcher

__all__ = ["Session", "Watcher"]
