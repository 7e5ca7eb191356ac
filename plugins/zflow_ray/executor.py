"""The Ray executor: model batches on long-lived GPU workers placed by model affinity, file work on the driver."""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

from zflow.contracts import Batch, Output, Runtime
from zflow.errors import PluginError

from .cluster import connect, worker_count
from .options import RayOptions
from .scheduling import Slot, group_of, place
from .shipping import pack_inputs, project_modules
from .worker import GpuWorker

Finished = list[tuple[Batch, list[Output | BaseException]]]


@dataclass(slots=True)
class Job:
    """A model batch and how many tries dying workers have cost it."""

    batch: Batch
    tries: int = 0


@dataclass(slots=True)
class Worker:
    """A GPU actor, what the scheduler knows of it, and the keys of the input artifacts it has copies of."""

    actor: Any
    slot: Slot = field(default_factory=Slot)
    shipped: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Running:
    """A batch on a worker, and when it counts as hung."""

    worker: Worker
    job: Job
    deadline: float


class RayExecutor:
    """Runs model batches on one actor per GPU and everything else (imports, pixel ops, exports) in this process.

    Results come back to the driver, which stores them; a worker that dies costs its batch a retry elsewhere;
    when no worker is left and none can start, every waiting batch fails and the build ends."""

    name = "ray"

    def __init__(self, runtime: Runtime, options: RayOptions):
        import ray

        self.ray = ray
        self.runtime = runtime
        self.options = options
        source = runtime.config.source
        connect(ray, options, source)
        count = worker_count(ray, options, source)
        self._actor = ray.remote(GpuWorker).options(num_gpus=options.gpus_per_actor, num_cpus=0, max_restarts=0,
                                                     max_task_retries=0)
        self._args = (runtime.worker_factory(), project_modules(runtime.config.root))
        self.workers: list[Worker] = []
        self.starting: dict[Any, tuple[Worker, float]] = {}
        self.running: dict[Any, Running] = {}
        self.pending: list[Job] = []
        self.local: list[Batch] = []
        self.done: Finished = []
        self.lost: PluginError | None = None
        self.trouble = ""
        self._start(count)

    # the Executor protocol ---------------------------------------------------------------------------------------
    def submit(self, batch: Batch) -> None:
        if batch.runner not in self.runtime.plugins.backends:
            self.local.append(batch)
        elif self.lost is not None:
            self._fail(batch, self.lost)
        else:
            self.pending.append(Job(batch))

    def wait(self) -> Finished:
        while True:
            self._dispatch()
            self._collect(0.0)
            if self.done:
                done, self.done = self.done, []
                return done
            if self.local:
                batch = self.local.pop(0)
                return [(batch, self.runtime.run(batch))]
            if not self.running and not self.starting:
                if not self.pending:
                    return []
                self._lose(self.trouble or "no Ray worker is left")
                continue
            self._collect(self._next_deadline())

    def cancel(self) -> list[Batch]:
        dropped = [job.batch for job in self.pending] + self.local
        self.pending, self.local = [], []
        return dropped

    def close(self) -> None:
        refs = []
        for worker in self.workers:
            if not worker.slot.busy:  # an idle worker frees its models and files; a busy one is just stopped
                with contextlib.suppress(Exception):
                    refs.append(worker.actor.shutdown.remote())
        if refs:
            with contextlib.suppress(Exception):
                self.ray.wait(refs, num_returns=len(refs), timeout=self.options.start_timeout)
        for worker in [*self.workers, *(w for w, _ in self.starting.values())]:
            self._kill(worker)
        self.workers.clear()
        self.starting.clear()
        self.running.clear()
        self.pending.clear()
        self.local.clear()

    # workers -----------------------------------------------------------------------------------------------------
    def _start(self, count: int) -> None:
        """Start ``count`` workers and wait until each has loaded its plugins."""
        workers = [Worker(self._actor.remote(*self._args)) for _ in range(count)]
        try:
            self.ray.get([w.actor.ready.remote() for w in workers], timeout=self.options.start_timeout)
        except Exception as exc:
            for worker in workers:
                self._kill(worker)
            if isinstance(exc, self.ray.exceptions.GetTimeoutError):
                raise PluginError(f"{count} Ray GPU workers did not start within [executors.ray] start_timeout = "
                                  f"{self.options.start_timeout:g} s (are the GPUs busy?)") from None
            raise PluginError(f"a Ray GPU worker failed to start: {_cause(exc)}") from None
        self.workers = workers

    def _replace(self) -> None:
        """Start a worker in place of a lost one when the cluster still has a GPU for it."""
        try:
            gpus = float(self.ray.cluster_resources().get("GPU", 0))
        except Exception as exc:
            self.trouble = f"the cluster stopped answering: {type(exc).__name__}: {exc}"
            return
        if (len(self.workers) + len(self.starting) + 1) * self.options.gpus_per_actor > gpus:
            self.trouble = f"{self.trouble}; the cluster has {gpus:g} GPU(s) left".lstrip("; ")
            return
        worker = Worker(self._actor.remote(*self._args))
        self.starting[worker.actor.ready.remote()] = (worker, time.monotonic() + self.options.start_timeout)

    def _drop(self, worker: Worker, why: str) -> None:
        self.trouble = why
        if worker in self.workers:
            self.workers.remove(worker)
        self._kill(worker)

    def _kill(self, worker: Worker) -> None:
        with contextlib.suppress(Exception):  # it may be gone already, with its node
            self.ray.kill(worker.actor, no_restart=True)

    # batches -----------------------------------------------------------------------------------------------------
    def _dispatch(self) -> None:
        if self.lost is not None or not self.pending:
            return
        moves = place([w.slot for w in self.workers], [group_of(job.batch) for job in self.pending])
        taken = set()
        for slot, index in moves:
            worker, job = self.workers[slot], self.pending[index]
            taken.add(index)
            try:
                blobs = pack_inputs(job.batch, worker.shipped)
            except OSError as exc:
                self._fail(job.batch, exc)
                continue
            worker.shipped.update(blobs)
            worker.slot.busy = True
            worker.slot.holds.add(group_of(job.batch))
            ref = worker.actor.run.remote(job.batch, blobs)
            self.running[ref] = Running(worker, job, time.monotonic() + self.options.task_timeout)
        self.pending = [job for i, job in enumerate(self.pending) if i not in taken]

    def _collect(self, timeout: float) -> None:
        """Take in whatever finished within ``timeout`` seconds, then expire what ran out of time."""
        refs = [*self.running, *self.starting]
        if refs:
            try:
                ready, _ = self.ray.wait(refs, num_returns=1, timeout=timeout)
                if ready:
                    ready, _ = self.ray.wait(refs, num_returns=len(refs), timeout=0)
            except Exception as exc:
                self._lose(f"{type(exc).__name__}: {exc}")
                return
            for ref in ready:
                if ref in self.running:
                    self._finish(ref, self.running.pop(ref))
                else:
                    self._started(ref, *self.starting.pop(ref))
        self._expire(time.monotonic())

    def _finish(self, ref: Any, run: Running) -> None:
        worker, job = run.worker, run.job
        errors = self.ray.exceptions
        try:
            results, started, seconds, holds, events = self.ray.get(ref, timeout=self.options.start_timeout)
        except errors.RayActorError as exc:
            self._drop(worker, f"a worker died: {_cause(exc)}")
            self._retry(job, exc)
            self._replace()
            return
        except errors.RayTaskError as exc:
            worker.slot.busy = False
            self._fail(job.batch, exc.cause if isinstance(exc.cause, BaseException) else exc)
            return
        except Exception as exc:  # a lost result object or a slow fetch: the batch goes again
            worker.slot.busy = False
            self._retry(job, exc)
            return
        worker.slot = Slot({tuple(h) for h in holds}, False, worker.slot.done + 1)
        job.batch.started, job.batch.seconds = started, seconds
        for event in events:
            self.runtime.on_event(event)
        self.done.append((job.batch, results))

    def _started(self, ref: Any, worker: Worker, deadline: float) -> None:
        try:
            self.ray.get(ref, timeout=self.options.start_timeout)
        except Exception as exc:
            self._drop(worker, f"a replacement worker failed to start: {_cause(exc)}")
            return
        self.workers.append(worker)

    def _expire(self, now: float) -> None:
        for ref, run in list(self.running.items()):
            if now > run.deadline:
                del self.running[ref]
                self._drop(run.worker, "a worker hung")
                self._fail(run.job.batch, TimeoutError(f"ran longer than [executors.ray] task_timeout = "
                                                       f"{self.options.task_timeout:g} s on a Ray worker"))
                self._replace()
        for ref, (worker, deadline) in list(self.starting.items()):
            if now > deadline:
                del self.starting[ref]
                self._drop(worker, f"a replacement worker did not start within [executors.ray] start_timeout = "
                                   f"{self.options.start_timeout:g} s")

    def _next_deadline(self) -> float:
        deadlines = [r.deadline for r in self.running.values()] + [d for _, d in self.starting.values()]
        return max(0.0, min(deadlines) - time.monotonic())

    def _retry(self, job: Job, exc: BaseException) -> None:
        job.tries += 1
        if job.tries > self.options.retries:
            self._fail(job.batch, PluginError(f"lost its Ray worker {job.tries} times ([executors.ray] retries = "
                                              f"{self.options.retries}): {_cause(exc)}"))
        else:
            self.pending.insert(0, job)

    def _fail(self, batch: Batch, error: BaseException) -> None:
        self.done.append((batch, [error] * len(batch.requests)))

    def _lose(self, why: str) -> None:
        """No worker is left: fail every model batch not yet finished; the store keeps what finished."""
        self.lost = PluginError(f"the Ray cluster was lost ({why}); finished tasks are kept in the store: "
                                f"build again to resume")
        for job in [*self.pending, *(run.job for run in self.running.values())]:
            self._fail(job.batch, self.lost)
        for worker in [*self.workers, *(w for w, _ in self.starting.values())]:
            self._kill(worker)
        self.pending, self.running, self.workers, self.starting = [], {}, [], {}


def _cause(exc: BaseException) -> str:
    """The first line of an error, Ray's long reports included."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"
