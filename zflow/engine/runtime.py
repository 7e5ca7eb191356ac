"""The runtime: routes tasks to runners, keeps loaded models (once per build, kept in long-lived processes)."""
from __future__ import annotations

import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Config
from ..contracts import (Batch, KeyOptions, ModelRef, Output, PixelOp, Refuses, ReportsLoads, SideModels, Task,
                         exporters_serving, shown_path)
from ..errors import PluginError
from ..events import Emit, ModelLoad, ignore
from ..plugins import Plugins, make_plugin_manager
from . import core_plugin
from .runners import ExporterRunner, PixelOpRunner, SourceRunner

_SOURCE = ModelRef("source")
_NO_MODEL = ModelRef("none")


class Runtime:
    """Knows which runner and model serve each task, and runs batches with models loaded at most once."""

    def __init__(self, plugins: Plugins, config: Config, on_event: Emit | None = None):
        self.plugins = plugins
        self.config = config
        self._emit: Emit = on_event or ignore
        self.runners: dict[str, Any] = {"source": SourceRunner()}
        self.loaded: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self.load_events = 0
        self._identities: dict[tuple[str, int], Any] = {}
        self._models: list[ModelRef] = []

    def on_event(self, event: Any) -> None:
        """Pass an event on (from this process, its backends, or an executor's workers), counting model loads (the
        build summary's ``loads``)."""
        if event["event"] == "model-load":
            self.load_events += 1
        self._emit(event)

    # routing -----------------------------------------------------------------------------------------------------
    def route(self, task: Task) -> tuple[str, ModelRef]:
        """The runner name and model reference that serve ``task``."""
        kind = task.kind
        if kind == "source":
            return "source", _SOURCE
        if kind == "export":
            return self._exporter(task.params["exporter"]), _NO_MODEL
        if kind == "contact":
            serving = exporters_serving(self.plugins.exporters, "contact")
            if not serving:
                raise PluginError(f"{task.id}: no installed exporter makes contact sheets")
            return self._exporter(serving[0]), _NO_MODEL
        if kind == "edit":
            op = self.plugins.edit_ops.get(task.params["op"])
            if op is not None and isinstance(op, PixelOp):
                runner = f"op:{op.name}"
                self.runners.setdefault(runner, PixelOpRunner(op))
                return runner, _NO_MODEL
        stage = task.params["base"] if kind == "train" else task.stage  # a LoRA trains on its base stage's model
        model = self.config.stages[stage]
        backend = self.plugins.backends.get(model.backend)
        if backend is None:
            installed = ", ".join(sorted(self.plugins.backends)) or "none"
            raise PluginError(f"stages.{stage}.backend in {self.config.source}: no backend named {model.backend!r} "
                              f"(installed: {installed})")
        if kind not in backend.kinds:
            inherited = stage == "upscale" and model is self.config.stages.get("refine")
            hint = " (the upscale stage takes the refine stage's model unless [stages.upscale] names one)" \
                if inherited else ""
            raise PluginError(f"stages.{stage}.backend: backend {backend.name!r} cannot serve {kind!r} tasks{hint}")
        if isinstance(backend, Refuses) and (why := backend.refusal(model, task, self.config.root)):
            place = f"{shown_path(task.where.file)}:{task.where.line}: " if task.where else ""
            raise PluginError(f"{place}{task.id}: stages.{stage} in {self.config.source}: {why}")
        if self.runners.setdefault(backend.name, backend) is backend and isinstance(backend, ReportsLoads):
            backend.emit = self.on_event  # it reports its own model-load and model-release events
        return backend.name, model

    def _exporter(self, name: str) -> str:
        runner = f"exporter:{name}"
        if runner not in self.runners:
            exporter = self.plugins.exporters.get(name)
            if exporter is None:
                raise PluginError(f"no exporter named {name!r} is installed")
            self.runners[runner] = ExporterRunner(exporter)
        return runner

    def impl(self, runner: str) -> str:
        """Implementation identity for keys: plugin name and version."""
        r = self.runners[runner]
        return f"{r.name}@{r.version}"

    def identity(self, runner: str, model: ModelRef) -> Any:
        """Model identity for keys: the backend's identity of the model (hub id + revision, or a fingerprint of a
        local folder), the hub id itself (a folder's path is left out: moving a project keeps its keys), and the
        model's options (only those that change results, when the backend names them with ``key_options``)."""
        cache_key = (runner, id(model))
        found = self._identities.get(cache_key)
        if found is None:
            r = self.runners[runner]
            options = r.key_options(model) if isinstance(r, KeyOptions) else model.options
            ref = "" if os.path.isabs(model.model) else model.model
            found = {"id": r.identity(model), "ref": ref, "revision": model.revision, "options": dict(options)}
            self._identities[cache_key] = found
            self._models.append(model)  # keeps id(model) from being reused while cached
        return found

    def task_identity(self, runner: str, model: ModelRef, task: Task) -> Any:
        """The model identity of ``task``'s key: ``identity``, plus the identities of the side models (a ControlNet)
        the task uses, for a backend that has them; a task using none keeps the stage's identity as it is."""
        found = self.identity(runner, model)
        r = self.runners[runner]
        if not isinstance(r, SideModels):
            return found
        names = r.side_models_of(model, task)
        if not names:
            return found
        cache_key = (runner, id(model), "side")
        sides = self._identities.get(cache_key)
        if sides is None:
            sides = self._identities[cache_key] = dict(r.side_models(model))
        return {**found, "side": {name: sides[name] for name in names}}

    def worker_factory(self) -> "RuntimeFactory":
        """What builds this runtime again in another process (a Ray worker): same settings, same plugins by name."""
        return RuntimeFactory(self.config, tuple(name for name, _ in self.plugins.pm.list_name_plugin()))

    # running -----------------------------------------------------------------------------------------------------
    def run(self, batch: Batch) -> list[Output | BaseException]:
        """Run one batch (loading its model if it is not loaded); one result per request."""
        runner = self.runners[batch.runner]
        batch.started = time.time()
        try:
            handle = self._handle(batch.runner, batch.model)
            results = list(runner.run(handle, batch.requests))
            if len(results) != len(batch.requests):
                raise PluginError(f"{runner.name} returned {len(results)} results for {len(batch.requests)} tasks")
        except Exception as exc:
            results = [exc] * len(batch.requests)
        batch.seconds = time.time() - batch.started
        return results

    def _handle(self, runner_name: str, model: ModelRef) -> Any:
        key = (runner_name, model.group)
        if key in self.loaded:
            self.loaded.move_to_end(key)
            return self.loaded[key]
        if runner_name in ("source",) or runner_name.startswith(("exporter:", "op:")):
            return None
        while len(self.loaded) >= self.config.max_loaded_models:
            (old_runner, _), handle = self.loaded.popitem(last=False)
            self.runners[old_runner].release(handle)
        started = time.perf_counter()
        runner = self.runners[runner_name]
        handle = runner.load(model)
        self.loaded[key] = handle
        if not isinstance(runner, ReportsLoads):
            self.on_event(ModelLoad(event="model-load", backend=runner_name, model=model.model or runner_name,
                                    seconds=round(time.perf_counter() - started, 4)))
        return handle

    def release_all(self) -> None:
        """Release every handle: the session is over, and its events ended with its last summary (a backend that
        reports its own loads tells no one of what it drops now)."""
        for runner in self.runners.values():
            if isinstance(runner, ReportsLoads):
                runner.emit = ignore
        while self.loaded:
            (runner, _), handle = self.loaded.popitem()
            self.runners[runner].release(handle)


@dataclass(frozen=True, slots=True)
class RuntimeFactory:
    """A picklable maker of runtimes with a project's settings and plugin set, whose project plugin modules lie in
    the folder given (the executor ships them there)."""

    config: Config
    plugin_names: tuple[str, ...]

    def __call__(self, folder: Path, on_event: Emit) -> Runtime:
        env = {"ZFLOW_PLUGINS_ONLY": ",".join(self.plugin_names)}
        return Runtime(Plugins.collect(make_plugin_manager(folder, env, core=core_plugin)), self.config, on_event)
