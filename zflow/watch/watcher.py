"""File watching with watchdog: events on the watched targets become debounced change sets."""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from .debounce import Debouncer
from .targets import Targets

#: Event types that can mean new content (opening or reading a file is not a change; zflow's own loads do that).
_CHANGES = {"created", "modified", "moved", "deleted", "closed"}


class _QuietStop(logging.Filter):
    """Drops watchdog's error for an emitter that reads once more as it is stopped (a harmless race: the stopped
    emitter reads nothing); logging's last resort would print it on the terminal, among the rebuild lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "called when the thread is inactive" not in record.getMessage()


logging.getLogger("watchdog.observers.inotify").addFilter(_QuietStop())


class Watcher(FileSystemEventHandler):
    """Observes the folders of a Targets set; calls ``deliver`` with each debounced set of changed paths, each
    path's save done (written and closed, or back in place after an editor renamed it away)."""

    def __init__(self, deliver: Callable[[set[Path]], None], quiet: float = 0.1):
        super().__init__()
        self._writing: set[Path] = set()  # created or modified, and not closed since: a save under way
        self._writing_lock = threading.Lock()
        self.debouncer = Debouncer(quiet, deliver, self._settled)
        self.observer = Observer()
        self.targets: Targets | None = None
        self._watches: dict[tuple[Path, bool], ObservedWatch] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)
        self.debouncer.stop()

    def watch(self, targets: Targets) -> None:
        """Follow a new watched set (after each successful load): observe its folders, drop the others."""
        wanted = set(targets.folders().items())
        with self._lock:
            self.targets = targets
            for spec in set(self._watches) - wanted:
                self.observer.unschedule(self._watches.pop(spec))
            for folder, recursive in wanted - set(self._watches):
                self._watches[(folder, recursive)] = self.observer.schedule(self, str(folder), recursive=recursive)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _CHANGES or event.is_directory:
            return
        targets = self.targets
        if targets is None:
            return
        paths = {Path(p) for p in (event.src_path, getattr(event, "dest_path", "")) if p}
        relevant = {p for p in paths if targets.wants(p)}
        if not relevant:
            return
        with self._writing_lock:
            if event.event_type in ("created", "modified"):
                self._writing |= relevant
            else:
                self._writing -= relevant
        self.debouncer.add(relevant)

    def _settled(self, paths: set[Path]) -> bool:
        """Whether every save behind ``paths`` is done: none is open for writing, and none is missing."""
        with self._writing_lock:
            writing = paths & self._writing
        return not writing and all(p.exists() for p in paths)
