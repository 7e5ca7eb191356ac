"""The watch session: one long-lived Project reloaded, planned and built for each change set, with changes queued
behind the running build (its pending work superseded) and the last good graph kept through recipe errors."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any, Callable

from ..engine.memory import collect_normally, collect_while_idle, gc_paused, set_aside
from ..engine.project import Loaded, Project
from ..errors import RecipeError, ZflowError
from ..events import Change, Emit, Error, Event, Watching
from ..signature import Signature, signature
from .gallery import Gallery
from .targets import Targets

#: Seconds between gallery pushes while tasks finish (the end of a build is always pushed at once).
PUSH_INTERVAL = 0.05
#: Longest time the main thread blocks without running pending signal handlers (Ctrl-C, SIGTERM).
SIGNAL_CHECK = 0.25


class Session:
    """Rebuilds on request. ``request`` and ``pick`` may be called from any thread; ``run`` owns the project."""

    def __init__(self, open_project: Callable[[], Project], recipes: list[str] | None = None,
                 executor: str | None = None, emit: Emit | None = None, lock_wait: float = 60.0):
        self.open_project = open_project
        self.recipes = recipes or None
        self.executor = executor
        self.lock_wait = lock_wait
        self.listeners: list[Emit] = [emit] if emit else []
        self.publishers: list[Callable[[dict[str, Any]], None]] = []
        self.on_targets: Callable[[Targets], None] = lambda targets: None
        self.project = self._open()
        self.gallery = Gallery(self.project)
        self.loaded: Loaded | None = None
        self.snapshot: dict[str, Any] = self.gallery.state()
        self._signatures: dict[Path, Signature | None] = {}
        self._changes: set[Path] = set()
        self._picks: dict[str, int | None] = {}
        self._cond = threading.Condition()
        self._stopped = False
        self._pushed = 0.0

    # requests from other threads ---------------------------------------------------------------------------------
    def request(self, paths: set[Path]) -> None:
        """Queue changed files; files whose size and mtime match what the last load saw are ignored."""
        with self._cond:
            changed = {p for p in paths if p not in self._signatures or signature(p) != self._signatures[p]}
            if changed:
                self._changes |= changed
                self._cond.notify()

    def pick(self, scene_uid: str, draft: int | None) -> None:
        """Queue a pick from the gallery (None: remove the entry): written to the picks file by the session, then
        rebuilt."""
        with self._cond:
            self._picks[scene_uid] = draft
            self._cond.notify()

    def stop(self) -> None:
        """Stop after the running task (safe from a signal handler: the lock is re-entrant)."""
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def pending(self) -> bool:
        """Whether newer work waits (the running build then starts nothing more)."""
        return bool(self._changes or self._picks or self._stopped)

    # the loop ----------------------------------------------------------------------------------------------------
    def run(self) -> None:
        """Build once, then once per change set until ``stop``."""
        self.cycle(set())
        collect_while_idle()
        self.emit(Watching(event="watching", files=len(self._signatures)))
        while True:
            with self._cond:
                while not (self._stopped or self._changes or self._picks):
                    # A timeout, so a signal the kernel hands to another thread still reaches our handler soon.
                    self._cond.wait(SIGNAL_CHECK)
                if self._stopped:
                    return
                changes, self._changes = self._changes, set()
                picks, self._picks = self._picks, {}
            self.cycle(changes, picks)
            if not self.pending():
                collect_while_idle()

    def close(self) -> None:
        """Release the loaded models and the store."""
        self.project.close()
        collect_normally()

    def cycle(self, changes: set[Path], picks: dict[str, int | None] | None = None) -> dict[str, Any] | None:
        """Apply picks, reload (reopening the project when its config or plugins changed), build the stale tasks.
        Returns the build summary, or None when the recipe (or project) is in error."""
        root = self.project.root
        shown = sorted(_shown(p, root) for p in changes) + [f"pick {uid}={n}" if n is not None else f"unpick {uid}"
                                                          for uid, n in (picks or {}).items()]
        if changes or picks:
            self.emit(Change(event="change", files=shown))
            self.gallery.changed(shown)
        before = {p: signature(p) for p in self._signatures}
        try:
            for uid, n in (picks or {}).items():
                picks_path = self.project.config.picks_path
                with self._cond:
                    self.project.write_pick(uid, n)
                    before[picks_path] = self._signatures[picks_path] = signature(picks_path)
            if any(_reopens(p, root) for p in changes):
                self._reopen()
            with gc_paused():  # the new graph is set aside before any automatic collection could walk it
                loaded = self.project.load(self.recipes)
                set_aside()
        except ZflowError as exc:
            self._fail(exc)
            return None
        self.loaded = loaded
        with self._cond:
            self._signatures = {p: before[p] if p in before else signature(p) for p in self._watched(loaded)}
        self.on_targets(self.targets())
        self.gallery.show(loaded)
        self._push(force=True)
        try:
            summary = self.project.build(loaded, executor=self.executor, all_recipes=not self.recipes,
                                         wait=self.lock_wait, cancelled=self.pending)
        except ZflowError as exc:
            self._fail(exc)
            return None
        self._push(force=True)
        return summary

    def targets(self) -> Targets:
        """The watched set after the last good load (before one: the recipe globs and config alone)."""
        config = self.project.config
        root = self.project.root
        files = set(self._signatures) | {root / "zflow.toml", root / "pyproject.toml", config.picks_path}
        patterns = tuple(config.recipes) + ("plugins/*.py",)
        ignored = (root / ".zflow", config.out_dir)
        return Targets(root, frozenset(files), patterns, ignored)

    # helpers -----------------------------------------------------------------------------------------------------
    def emit(self, event: Event) -> None:
        self.gallery.on_event(event)
        for listener in self.listeners:
            listener(event)
        if event.get("event") in ("task-start", "task-done", "task-failed", "task-skipped", "build-start"):
            self._push()

    def _push(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._pushed < PUSH_INTERVAL:
            return
        self._pushed = now
        self.snapshot = self.gallery.state()
        for publish in self.publishers:
            publish(self.snapshot)

    def _fail(self, exc: ZflowError) -> None:
        error = Error(event="error", error=getattr(exc, "message", str(exc)), kind=type(exc).__name__)
        if isinstance(exc, RecipeError):
            path = Path(exc.file).resolve() if exc.file else None
            error |= {"file": _shown(path, self.project.root) if path else None, "line": exc.line}
            if path is not None:
                self._signatures.setdefault(path, None)
        self.emit(error)
        self.gallery.fail(error)
        self.on_targets(self.targets())
        self._push(force=True)

    def _watched(self, loaded: Loaded) -> set[Path]:
        found = set(loaded.files)
        plugins = self.project.root / "plugins"
        if plugins.is_dir():
            found |= {p.resolve() for p in plugins.glob("*.py")}
        return found

    def _open(self) -> Project:
        project = self.open_project()
        project.emit = self.emit
        return project

    def _reopen(self) -> None:
        """Config or local plugins changed: a fresh Project (its models load again on first use)."""
        fresh = self._open()
        self.project.close()
        self.project = fresh
        self.gallery.project = fresh


def _reopens(path: Path, root: Path) -> bool:
    return path.name in ("zflow.toml", "pyproject.toml") and path.parent == root or path.parent == root / "plugins"


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return os.fspath(path)
