"""The GPU worker: one long-lived process per GPU with its own plugins and runtime, keeping models loaded."""
from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from zflow.contracts import Batch, Output, Runtime
from zflow.errors import PluginError
from zflow.events import BuildEvent, Emit

from .shipping import Blobs, unpack_inputs, write_modules

#: Scratch folders are named after their worker's process: ``zflow-ray-<pid>-<random>``.
SCRATCH = "zflow-ray-"

#: What a worker sends back for a batch: results, start time, seconds, the models it holds, and its events.
Reply = tuple[list[Output | BaseException], float, float, list[tuple[str, str]], list[BuildEvent]]


class GpuWorker:
    """Runs batches of one model group at a time; the runtime is the driver's, rebuilt here by its factory (the
    same settings, the plugin set by name, the project's plugin modules shipped in ``modules``)."""

    def __init__(self, factory: Callable[[Path, Emit], Runtime], modules: dict[str, bytes]):
        _sweep(Path(tempfile.gettempdir()))
        self.scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH}{os.getpid()}-"))
        project = self.scratch / "project"
        write_modules(modules, project)
        self.events: list[BuildEvent] = []
        self.runtime = factory(project, self.events.append)

    def ready(self) -> int:
        """The worker's process id, once its plugins are loaded."""
        return os.getpid()

    def run(self, batch: Batch, blobs: Blobs) -> Reply:
        """Run one batch (its input files arrive in ``blobs``), loading its model if it is not held yet."""
        batch = unpack_inputs(batch, blobs, self.scratch / "inputs")
        try:
            self._route(batch)
        except Exception as exc:
            results: list[Output | BaseException] = [exc] * len(batch.requests)
        else:
            results = self.runtime.run(batch)
        events = list(self.events)
        self.events.clear()
        return [_portable(r) for r in results], batch.started, batch.seconds, list(self.runtime.loaded), events

    def shutdown(self) -> None:
        """Release the loaded models and remove the worker's scratch files."""
        self.runtime.release_all()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def _route(self, batch: Batch) -> None:
        if batch.runner not in self.runtime.runners:
            self.runtime.route(batch.requests[0].task)
        if batch.runner not in self.runtime.runners:
            raise PluginError(f"backend {batch.runner!r} is not installed on the Ray worker (pid {os.getpid()})")


def _sweep(folder: Path) -> None:
    """Remove the scratch folders of workers that were killed (their process is gone) on this machine."""
    for scratch in folder.glob(f"{SCRATCH}*-*"):
        pid = scratch.name.removeprefix(SCRATCH).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(scratch, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal: only asks whether the process exists (PermissionError: it does)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def _portable(result: Output | BaseException) -> Output | BaseException:
    """An exception that cannot travel back to the driver becomes a RuntimeError with the same text."""
    if isinstance(result, BaseException):
        try:
            pickle.loads(pickle.dumps(result))
        except Exception:
            return RuntimeError(f"{type(result).__name__}: {result}")
    return result
