"""The process-wide pipeline cache: one load per (model, dtype, device), kept across builds, evicted for memory."""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable

log = logging.getLogger(__name__)

#: Headroom kept free beyond a model's weights when deciding whether to evict (activations, VAE decode).
HEADROOM = 0.25


@dataclass
class Entry:
    """A loaded pipeline, its from_pipe variants by mode, and what loading it skipped."""

    pipe: Any
    device: str
    size: int
    skipped: list[str] = field(default_factory=list)
    variants: dict[str, Any] = field(default_factory=dict)


class PipelineCache:
    """Loaded pipelines by key, least recently used first. ``loads`` counts real loads (for tests and logs)."""

    def __init__(self, free_bytes: Callable[[str], int | None] | None = None):
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._lock = threading.RLock()
        self._free_bytes = free_bytes
        self.loads = 0

    def get(self, key: tuple, device: str, size: int, loader: Callable[[], tuple[Any, list[str]]]) -> Entry:
        """The entry for ``key``, loading it with ``loader() -> (pipe, skipped)`` after making room if needed."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
            self._make_room(device, size)
            pipe, skipped = loader()
            self.loads += 1
            entry = self._entries[key] = Entry(pipe, device, size, skipped)
            return entry

    def variant(self, entry: Entry, mode: str, make: Callable[[Any], Any]) -> Any:
        """The entry's pipeline for ``mode``, made once with ``make(pipe)`` (from_pipe: shared weights)."""
        with self._lock:
            if mode not in entry.variants:
                entry.variants[mode] = make(entry.pipe)
            return entry.variants[mode]

    def drop(self, key: tuple) -> bool:
        """Forget a pipeline so its memory can be freed; True when it was loaded."""
        from .device import free_memory

        with self._lock:
            entry = self._entries.pop(key, None)
        if entry is None:
            return False
        entry.variants.clear()
        del entry
        free_memory()
        return True

    def clear(self) -> None:
        for key in list(self._entries):
            self.drop(key)

    def __contains__(self, key: tuple) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def _make_room(self, device: str, size: int) -> None:
        """Evict least recently used pipelines on ``device`` until ``size`` bytes (plus headroom) fit."""
        if not size:
            return
        probe = self._free_bytes or _device_free_bytes
        needed = size * (1 + HEADROOM)
        for key in [k for k, e in self._entries.items() if e.device == device]:
            free = probe(device)
            if free is None or free >= needed:
                return
            log.info("zimage: releasing %s to make room for another model", key[0])
            self.drop(key)


def _device_free_bytes(device: str) -> int | None:
    from .device import available_bytes

    return available_bytes(device)


#: The cache of this process: watch mode keeps models loaded between builds through it.
PIPELINES = PipelineCache()
