"""A project session: config, plugins, store and runtime, with load -> graph -> plan -> build as plain calls.
Long-lived (watch mode) sessions keep their plugins and loaded models between builds."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from ..config import Config, find_root, load_config
from ..dsl import add_edit_constructors
from ..errors import PluginError, UsageError
from ..events import BuildStart, Emit, ExportEmpty, Note, Summary, ignore
from ..graph import Graph, GraphOptions, build_graph
from ..load import Recipe, load_recipes
from ..plugins import Plugins, make_plugin_manager
from ..store import STORE_DIR, Store
from ..store.storage import storage_errors
from . import core_plugin
from .cost import check_budget, estimate
from .execute import BuildRun, materialize, timer
from .memory import gc_paused
from .noop import LastLoad, file_stats, fingerprint, forget_last_load, read_last_load, write_last_load
from .picks import read_picks, write_pick
from .plan import Plan, make_plan
from .runtime import Runtime


@dataclass(slots=True)
class Loaded:
    """A recipe load and its graph, with every file that load read (what a watcher should watch)."""

    recipe: Recipe
    graph: Graph
    files: set[Path] = field(default_factory=set)
    stats: dict[str, list[int]] = field(default_factory=dict)


class Project:
    """One zflow project on disk."""

    def __init__(self, root: Path | None = None, env: Mapping[str, str] | None = None, emit: Emit | None = None):
        self.root = root.resolve() if root is not None else find_root(Path.cwd())
        self.config: Config = load_config(self.root)
        self.plugins = Plugins.collect(make_plugin_manager(self.root, env, core=core_plugin))
        # Edit.inpaint(...) and the like, from the edit plugins, for every recipe this process loads (the
        # scheduler's job scan too)
        add_edit_constructors(self.plugins.edit_ops)
        self._store: Store | None = None
        self._last_plan: Plan | None = None
        self._last_graph: Graph | None = None
        self.emit: Emit = emit or ignore
        #: Replace outputs the user changed since zflow wrote them (by default such a task fails).
        self.overwrite_edited = False
        self.runtime = Runtime(self.plugins, self.config, lambda event: self.emit(event))

    @property
    def store(self) -> Store:
        """The project's store, opened on first use (loading a recipe never writes to it)."""
        if self._store is None:
            self._store = Store(self.root, self.config.out_dir, (self.config.picks_path,))
        self._store.outputs.overwrite_edited = self.overwrite_edited
        return self._store

    def close(self) -> None:
        self.runtime.release_all()
        if self._store is not None:
            self._store.close()

    # load --------------------------------------------------------------------------------------------------------
    def recipe_paths(self, given: list[str] | None = None) -> list[Path]:
        if given:
            paths = [Path(p) for p in given]
            for path in paths:
                if not path.is_file():
                    raise UsageError(f"recipe {path} not found")
            return paths
        paths = self.config.recipe_files()
        if not paths:
            raise UsageError(f"no recipes in {self.root} (looked for {', '.join(self.config.recipes)}); "
                             "name recipe files on the command line or run `zflow init`")
        return paths

    def load(self, given: list[str] | None = None, run: Mapping[str, Any] | None = None) -> Loaded:
        """Load recipes and build their graph (reusing the scenes of this session's last graph that have not
        changed); raises RecipeError and writes nothing."""
        with gc_paused():
            return self._load(given, run)

    def _load(self, given: list[str] | None, run: Mapping[str, Any] | None) -> Loaded:
        add_edit_constructors(self.plugins.edit_ops)  # this project's, should another project have set others
        recipe = load_recipes(self.recipe_paths(given), self.root, dict(run or {}), self.config.limits)
        options = GraphOptions(
            root=self.root, edit_ops=self.plugins.edit_ops, exporters=self.plugins.exporters,
            image_size=image_size,
            picks=self.read_picks(), picks_file=self.config.picks, filters=self.plugins.filters,
            base_pixels=self.config.base_pixels, direct_max_side=self.config.direct_max_side, run=dict(run or {}),
            prompt_chars=self.config.limits["prompt_chars"], stage_loras=self.config.stage_loras,
            stage_models={stage: f"{m.backend}:{m.model}@{m.revision}" for stage, m in self.config.stages.items()},
        )
        graph = self._last_graph = build_graph(recipe, options, self._last_graph)
        files = set(recipe.files_read) | {self.config.picks_path}
        files |= {lora.file for loras in self.config.stage_loras.values() for lora in loras if lora.file}
        return Loaded(recipe, graph, files, file_stats(files))

    def read_picks(self) -> dict[str, int]:
        """The picks file's picks (``"series/scene" -> draft number``)."""
        return read_picks(self.config.picks_path, self.root)

    def write_pick(self, scene_uid: str, pick: int | None) -> None:
        """Record a pick (e.g. from the gallery) in the picks file, atomically; None removes it."""
        write_pick(self.config.picks_path, self.root, scene_uid, pick)

    # plan and build ----------------------------------------------------------------------------------------------
    def plan(self, loaded: Loaded) -> Plan:
        """Key the loaded graph against the store (reusing this process's last plan for unchanged tasks)."""
        with gc_paused():
            self._last_plan = make_plan(loaded.graph, self.runtime, self.store, self.root, self._last_plan)
        return self._last_plan

    def cost(self, plan: Plan) -> dict[str, Any]:
        """What the plan's stale tasks would cost (see ``cost.estimate``)."""
        return estimate(plan, self.runtime, self.config)

    def build_recipes(self, given: list[str] | None = None, executor: str | None = None, wait: float = 0.0,
                      run: Mapping[str, Any] | None = None, fresh: bool = False) -> dict[str, Any]:
        """Load, plan and build; when nothing the last complete build read has changed, its task keys are reused
        without running the recipes again (the no-op fast path, see ``noop``). A disk that refuses a write (full,
        read-only) ends the build with a StorageError."""
        with storage_errors(self.root / STORE_DIR):
            return self._build_recipes(given, executor, wait, run, fresh)

    def _build_recipes(self, given: list[str] | None, executor: str | None, wait: float,
                       run: Mapping[str, Any] | None, fresh: bool) -> dict[str, Any]:
        paths = self.recipe_paths(given)
        mark = fingerprint(self, paths, dict(run or {}))
        last = None if fresh else read_last_load(self.root / STORE_DIR)
        if last is not None and last.still_valid(mark):
            elapsed = timer()
            with self.store.building(wait):
                self.store.refresh()
                if self.store.keys().issuperset(key for _, key, _ in last.tasks):
                    self.emit(BuildStart(event="build-start", tasks=len(last.tasks), stale=0))
                    if self.store.outputs.intact({t[0] for t in last.tasks}):
                        placed = {"written": 0, "removed": [], "kept": [], "conflicts": []}
                    else:
                        placed = materialize([tuple(t) for t in last.tasks], self.store, set(), not given, self.emit)
                    self._tell_empty(last.empty_exports)
                    return self._finish(len(last.tasks), 0, None, placed, elapsed(), last.empty_exports)
        loaded = self.load(given, run)
        summary, plan = self._build(loaded, executor, not given, wait)
        if not (summary["failed"] or summary["skipped"] or summary["superseded"]):
            tasks = [[tid, item.key, item.task.kind] for tid, item in plan.items.items()]
            write_last_load(self.store.dir, LastLoad(mark, loaded.stats, tasks, loaded.graph.empty_exports))
        else:
            forget_last_load(self.store.dir)
        return summary

    def build(self, loaded: Loaded, executor: str | None = None, all_recipes: bool = True,
              wait: float = 0.0, cancelled: Callable[[], bool] = lambda: False) -> dict[str, Any]:
        """Run the stale tasks of ``loaded`` and materialize out/; returns the summary (also emitted).
        ``cancelled()`` is checked between batches: when it turns true, running work finishes and nothing more
        starts (the rest is counted as ``superseded``)."""
        with storage_errors(self.root / STORE_DIR):
            return self._build(loaded, executor, all_recipes, wait, cancelled)[0]

    def _build(self, loaded: Loaded, executor: str | None, all_recipes: bool, wait: float,
               cancelled: Callable[[], bool] = lambda: False) -> tuple[dict[str, Any], Plan]:
        elapsed, loads_before = timer(), self.runtime.load_events
        with self.store.building(wait):
            self.store.refresh()
            plan = self.plan(loaded)
            check_budget(self.cost(plan), self.config.source)
            for note in loaded.recipe.notes:
                self.emit(Note(event="note", message=note["message"], file=note["file"], line=note["line"]))
            self.emit(BuildStart(event="build-start", tasks=len(plan.items), stale=len(plan.stale)))
            self._tell_empty(loaded.graph.empty_exports)
            run = None
            if plan.stale:
                name = executor or self.config.executor
                factory = self.plugins.executors.get(name)
                if factory is None:
                    raise PluginError(f"executor {name!r} is not installed (installed: "
                                      f"{', '.join(sorted(self.plugins.executors))})")
                runner = factory(self.runtime, self.config.executors.get(name, {}))
                run = BuildRun(plan, self.store, runner, self.plugins.pm.hook, self.emit, self.root,
                               self.config.batch_size, cancelled)
                try:
                    run.execute()
                finally:
                    runner.close()
            failed = set(run.failed) | set(run.skipped) if run else set()
            tasks = [(tid, item.key, item.task.kind) for tid, item in plan.items.items()]
            placed = materialize(tasks, self.store, failed, all_recipes, self.emit)
        summary = self._finish(len(plan.items), len(plan.stale), run, placed, elapsed(), loaded.graph.empty_exports,
                               loaded.recipe.notes, self.runtime.load_events - loads_before)
        return summary, plan

    def _tell_empty(self, empty_exports: Mapping[str, str]) -> None:
        """One event per export that has nothing to export in this build (skipped, not failed)."""
        for tid, reason in empty_exports.items():
            self.emit(ExportEmpty(event="export-empty", id=tid, reason=reason))

    def _finish(self, tasks: int, stale: int, run: BuildRun | None, placed: dict[str, Any],
                seconds: float, empty_exports: Mapping[str, str], notes: list | None = None,
                loads: int = 0) -> Summary:
        """The build's summary: emitted, handed to the after_build hooks, and returned. ``written`` counts the files
        written to out/ as tasks finished and by the final materialization; ``loads`` the model loads of the build
        (none on the no-op path)."""
        summary = Summary(
            event="summary", tasks=tasks, ran=run.ran if run else 0, cached=tasks - stale,
            failed=(len(run.failed) if run else 0) + len(placed["conflicts"]),
            skipped=len(run.skipped) if run else 0, superseded=run.superseded if run else 0,
            written=placed["written"] + (run.written if run else 0), removed=len(placed["removed"]),
            loads=loads, removed_files=placed["removed"],
            kept=placed["kept"], notes=list(notes or []), seconds=round(seconds, 3),
            empty_exports=sorted(empty_exports),
        )
        self.emit(summary)
        self.plugins.pm.hook.after_build(summary=summary)
        return summary


def image_size(path: Path) -> tuple[int, int]:
    """Pixel size of an image file; ValueError when it is not an image Pillow can read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.verify()
            return img.size
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValueError(str(exc) or "unreadable image") from None
