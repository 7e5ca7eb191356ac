"""The process-wide pipeline cache: one load per (model, dtype, device), kept across builds, evicted for memory."""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable

from zflow.events import Emit, ModelLoad, ModelRelease, ignore

log = logging.getLogger(__name__)

#: Headroom kept free beyond a model's weights when deciding whether to evict (activations, VAE decode).
HEADROOM = 0.25
#: Released pipelines kept loaded (a project reopened after a config change finds its weights still there).
KEEP_IDLE = 1


@dataclass
class Entry:
    """A loaded pipeline, its from_pipe variants by mode, the handles using it, and what loading it skipped."""

    pipe: Any
    device: str
    size: int
    skipped: list[str] = field(default_factory=list)
    variants: dict[Any, Any] = field(default_factory=dict)
    sizes: dict[Any, int] = field(default_factory=dict)  # bytes on disk of variants with weights of their own
    holders: set[int] = field(default_factory=set)
    model: str = ""
    dtype: str = ""
    memory: int = 0


@dataclass(frozen=True, slots=True)
class Loading:
    """What to load when a key is missing: ``loader() -> (pipe, skipped)``, the bytes it will take on disk
    (``size()``), and what the load events name: the model as configured and the dtype."""

    loader: Callable[[], tuple[Any, list[str]]]
    size: Callable[[], int]
    model: str
    dtype: str


class PipelineCache:
    """Loaded pipelines by key, least recently used first. ``loads`` counts real loads; each load and each drop is
    reported to the ``emit`` of the call that caused it (``model-load``, ``model-release``)."""

    def __init__(self, free_bytes: Callable[[str], int | None] | None = None):
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._lock = threading.RLock()
        self._free_bytes = free_bytes
        self.loads = 0

    def get(self, key: tuple, holder: int, device: str, loading: Loading, emit: Emit = ignore) -> Entry:
        """The entry for ``key`` held by ``holder``; when it is not loaded: make room for its bytes, then load it."""
        with self._lock:
            if key not in self._entries:
                needed = loading.size()
                self.make_room(device, needed, emit)
                started = time.perf_counter()
                pipe, skipped = loading.loader()
                seconds = time.perf_counter() - started
                self.loads += 1
                entry = Entry(pipe, device, needed, skipped, model=loading.model, dtype=loading.dtype,
                              memory=weights_memory(pipe))
                self._entries[key] = entry
                emit(ModelLoad(event="model-load", backend="zimage", model=loading.model, seconds=round(seconds, 4),
                               dtype=loading.dtype, device=device, memory=entry.memory))
            return self.hold(key, holder)

    def hold(self, key: tuple, holder: int) -> Entry | None:
        """The loaded entry for ``key``, now also held by ``holder``; None when it is not loaded."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                entry.holders.add(holder)
            return entry

    def variant(self, entry: Entry, mode: Any, make: Callable[[Any], Any], size: int = 0, emit: Emit = ignore
                ) -> Any:
        """The entry's pipeline for ``mode``, made once with ``make(pipe)`` (from_pipe: shared weights), or a model
        its pipelines use beside it (a ControlNet). A variant loading ``size`` bytes of weights of its own gets room
        first, as a pipeline does (others on the device are dropped, never this entry); whatever it holds beyond the
        shared weights counts in the entry's ``memory``."""
        with self._lock:
            if mode not in entry.variants:
                self.make_room(entry.device, size, emit, keep=entry)
                entry.variants[mode] = make(entry.pipe)
                entry.size += size
                if size:
                    entry.sizes[mode] = size
                entry.memory = weights_memory(entry.pipe, *entry.variants.values())
            return entry.variants[mode]

    def discard(self, entry: Entry, stale: Callable[[Any], bool]) -> int:
        """Drop the entry's variants ``stale`` accepts (a ControlNet whose folder now holds other weights, and the
        pipelines made with it), freeing their memory; how many went."""
        from .device import free_memory

        with self._lock:
            gone = [mode for mode in entry.variants if stale(mode)]
            if not gone:
                return 0
            for mode in gone:
                del entry.variants[mode]
                entry.size -= entry.sizes.pop(mode, 0)
                log.info("zimage: released %s (replaced)", mode)
            entry.memory = weights_memory(entry.pipe, *entry.variants.values())
        free_memory()
        return len(gone)

    def release(self, key: tuple, holder: int, emit: Emit = ignore) -> None:
        """``holder`` is done with ``key``; an unheld pipeline stays loaded (up to KEEP_IDLE of them) until memory
        is needed."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return
            entry.holders.discard(holder)
            idle = [k for k, e in self._entries.items() if not e.holders]
            for old in idle[:max(0, len(idle) - KEEP_IDLE)]:
                self.drop(old, emit, "idle")

    def drop(self, key: tuple, emit: Emit = ignore, reason: str = "memory") -> bool:
        """Forget a pipeline so its memory is freed; True when it was loaded."""
        from .device import free_memory

        with self._lock:
            entry = self._entries.pop(key, None)
        if entry is None:
            return False
        entry.variants.clear()
        model, device, memory = entry.model, entry.device, entry.memory
        del entry
        free_memory()
        emit(ModelRelease(event="model-release", backend="zimage", model=model, device=device, memory=memory,
                          reason=reason))
        return True

    def __contains__(self, key: tuple) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def make_room(self, device: str, size: int, emit: Emit, keep: Entry | None = None) -> None:
        """Evict pipelines on ``device`` but ``keep`` (unheld ones first, then least recently used) until ``size``
        bytes and the headroom fit."""
        if not size:
            return
        probe = self._free_bytes or _device_free_bytes
        order = sorted((k for k, e in self._entries.items() if e.device == device and e is not keep),
                       key=lambda k: bool(self._entries[k].holders))
        for key in order:
            free = probe(device)
            if free is None or free >= size * (1 + HEADROOM):
                return
            log.info("zimage: releasing %s to make room for another model", key[0])
            self.drop(key, emit)


def weights_memory(*held) -> int:
    """Bytes of the weights of pipelines (the parameters and buffers of their torch modules) and torch modules, a
    tensor shared by several (from_pipe variants, a ControlNet's blocks taken from the transformer) counted once."""
    import torch

    modules = [m for item in held for m in ([item] if isinstance(item, torch.nn.Module) else
                                            getattr(item, "components", {}).values()) if isinstance(m, torch.nn.Module)]
    tensors = {id(t): t for m in modules for t in (*m.parameters(), *m.buffers())}
    return sum(t.numel() * t.element_size() for t in tensors.values())


def _device_free_bytes(device: str) -> int | None:
    from .device import available_bytes

    return available_bytes(device)


#: The cache of this process: watch mode keeps models loaded between builds through it.
PIPELINES = PipelineCache()
