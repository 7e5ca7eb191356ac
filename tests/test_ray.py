"""The Ray executor on a real Ray cluster of this machine (fake GPUs, loopback only): the same store as a local
build, models kept per worker, a killed worker retried, no work on a no-op rebuild, lost GPUs, clear errors."""
from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from helpers.ci import need_ray, need_torch
from helpers.project import BASIC_RECIPE, BASIC_TASKS
from helpers.ray_lab import GPUS, Lab
from zflow.engine.project import Project
from zflow.errors import UsageError

need_ray()
import ray  # noqa: E402

pytestmark = [pytest.mark.ray, pytest.mark.e2e, pytest.mark.slow]


RAY_SETTINGS = f"""
batch_size = 1
max_loaded_models = 3

[executors.ray]
actors = {GPUS}
start_timeout = 120
"""

#: A local plugin (shipped to the workers like any project module): the preview backend, noting per process
#: what it imports, loads and runs, and dying once, mid-batch, when the cue file is there at a draft.
PROBE = '''
"""Preview, with notes of what each process loads and runs."""
import os
from pathlib import Path

from zflow.hookspecs import hookimpl
from zflow_preview import PreviewBackend

LOG = Path({log!r})
CUE = Path({cue!r})


def note(*words):
    with LOG.open("a") as f:
        f.write(" ".join([str(os.getpid()), *map(str, words)]) + "\\n")


note("import", __file__)


class Probe(PreviewBackend):
    name = "probe"

    def load(self, model):
        note("load", model.options["tag"])
        return super().load(model)

    def run(self, handle, requests):
        note("run", requests[0].model.options["tag"], ",".join(r.task.id for r in requests))
        if requests[0].task.kind == "draft":
            try:
                CUE.rename(CUE.with_name("cue-spent"))
            except FileNotFoundError:
                pass
            else:
                os._exit(1)
        return super().run(handle, requests)


@hookimpl
def register_backends(register):
    register(Probe())


@hookimpl
def after_task(task, key, artifact, seconds):
    note("after-task", task.id)
'''

PROBE_STAGES = "".join(f'\n[stages.{s}]\nbackend = "probe"\noptions = {{ tag = "{s}" }}\n'
                       for s in ("draft", "refine", "edit"))


@dataclass
class Built:
    """A project folder and what its last build emitted."""

    root: Path
    events: list[dict] = field(default_factory=list)

    @property
    def summary(self) -> dict:
        return self.events[-1]

    def build(self, executor: str, emit=None) -> dict:
        self.events = []

        def record(event: dict) -> None:
            self.events.append(event)
            if emit:
                emit(event)

        project = Project(self.root, emit=record)
        try:
            return project.build(project.load(), executor=executor)
        finally:
            project.close()

    def keys(self) -> dict[str, str]:
        with contextlib.closing(sqlite3.connect(self.root / ".zflow" / "index.sqlite")) as db:
            return dict(db.execute("select task_id, key from tasks"))

    def out(self) -> dict[str, bytes]:
        out = self.root / "out"
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}

    def ids(self, event: str) -> set[str]:
        return {e["id"] for e in self.events if e["event"] == event}

    def notes(self) -> list[list[str]]:
        log = self.root / "probe.log"
        return [line.split() for line in log.read_text().splitlines()] if log.exists() else []


def project(folder: Path, config: str, recipe: str = BASIC_RECIPE, probe: bool = False) -> Built:
    folder.mkdir(parents=True)
    (folder / "zflow.toml").write_text('output = "out"\nbase_pixels = 4096\n' + config)
    (folder / "recipes").mkdir()
    (folder / "recipes" / "basic.py").write_text(recipe)
    if probe:
        (folder / "plugins").mkdir()
        (folder / "plugins" / "probe.py").write_text(PROBE.format(log=str(folder / "probe.log"),
                                                                  cue=str(folder / "cue")))
    return Built(folder)


def worker_notes(built: Built, what: str) -> list[list[str]]:
    """The probe's notes of one kind written by Ray workers (not by this test process): [pid, details...]."""
    return [n[:1] + n[2:] for n in built.notes() if n[1] == what and n[0] != str(os.getpid())]


@pytest.fixture(scope="module")
def probed(lab: Lab, tmp_path_factory) -> Built:
    """A project with a model per stage, built once on the cluster."""
    built = project(tmp_path_factory.mktemp("probed") / "proj", RAY_SETTINGS + PROBE_STAGES, probe=True)
    built.build("ray")
    return built


def interfaces(pid: int) -> set[str]:
    """The network interfaces a process can reach."""
    lines = Path(f"/proc/{pid}/net/dev").read_text().splitlines()[2:]
    return {line.split(":")[0].strip() for line in lines}


def test_the_cluster_runs_where_only_loopback_exists(lab: Lab):
    pids = [info.process.pid for node in (lab.cluster.head_node, lab.gpu_node)
            for infos in node.all_processes.values() for info in infos]
    assert pids and {frozenset(interfaces(pid)) for pid in pids} == {frozenset({"lo"})}
    assert {n["NodeManagerAddress"] for n in ray.nodes() if n["Alive"]} == {"127.0.0.1"}
    assert lab.cluster.address.startswith("127.0.0.1:")


def test_ray_build_leaves_the_same_keys_and_files_as_a_local_build(lab: Lab, tmp_path: Path):
    local = project(tmp_path / "local", RAY_SETTINGS)
    remote = project(tmp_path / "remote", RAY_SETTINGS)
    local_summary = local.build("local")
    remote_summary = remote.build("ray")
    assert remote_summary["failed"] == 0 and remote_summary["ran"] == len(BASIC_TASKS)
    # Everything but the time and the model loads (each Ray worker loads the model it is given once, one process
    # locally) is the same.
    assert {k: v for k, v in remote_summary.items() if k not in ("seconds", "loads")} == \
        {k: v for k, v in local_summary.items() if k not in ("seconds", "loads")}
    assert local_summary["loads"] >= 1 and remote_summary["loads"] >= local_summary["loads"]
    assert remote.keys() == local.keys() and set(remote.keys()) == BASIC_TASKS
    assert remote.out() == local.out() and remote.out()
    assert remote.ids("task-done") == BASIC_TASKS
    assert [e for e in remote.events if e["event"] == "model-load"]


def test_each_worker_loads_a_model_once_and_keeps_it_for_later_batches(probed: Built):
    assert probed.summary["failed"] == 0 and probed.summary["ran"] == len(BASIC_TASKS)
    loads = worker_notes(probed, "load")
    runs = worker_notes(probed, "run")
    per_worker = [(pid, tag) for pid, tag in loads]
    assert len(per_worker) == len(set(per_worker)), f"a worker loaded a model twice: {loads}"
    assert {tag for _, tag in loads} == {"draft", "refine", "edit"}
    assert len(runs) > len(loads)
    assert {pid for pid, *_ in runs} <= {pid for pid, _ in per_worker}
    assert len([e for e in probed.events if e["event"] == "model-load"]) == len(loads)


def test_lifecycle_hooks_run_on_the_driver(probed: Built):
    hooks = [note for note in probed.notes() if note[1] == "after-task"]
    assert {pid for pid, *_ in hooks} == {str(os.getpid())} and {n[2] for n in hooks} == BASIC_TASKS


def test_workers_load_the_projects_plugins_from_the_shipped_copy(probed: Built):
    imports = worker_notes(probed, "import")
    assert len(imports) == GPUS
    assert all(not Path(path).is_relative_to(probed.root) and path.endswith("plugins/probe.py")
               for _, path in imports)


def test_a_no_op_rebuild_sends_no_work_to_the_cluster(probed: Built):
    def from_workers() -> list[list[str]]:
        return [note for note in probed.notes() if note[0] != str(os.getpid())]

    before = from_workers()
    summary = probed.build("ray")
    assert (summary["ran"], summary["cached"]) == (0, len(BASIC_TASKS))
    assert from_workers() == before, "the rebuild started workers or sent them work"


def test_a_worker_killed_mid_build_costs_its_batch_a_retry_and_loses_nothing(lab: Lab, tmp_path: Path):
    local = project(tmp_path / "local", RAY_SETTINGS + PROBE_STAGES, probe=True)
    remote = project(tmp_path / "remote", RAY_SETTINGS + PROBE_STAGES, probe=True)
    (remote.root / "cue").touch()
    local.build("local")
    summary = remote.build("ray")
    assert (remote.root / "cue-spent").exists()
    assert (summary["failed"], summary["ran"]) == (0, len(BASIC_TASKS))
    assert remote.out() == local.out() and remote.keys() == local.keys()
    runs: dict[str, list[str]] = {}
    for pid, _, ids in worker_notes(remote, "run"):
        for tid in ids.split(","):
            runs.setdefault(tid, []).append(pid)
    twice = {tid: pids for tid, pids in runs.items() if len(pids) > 1}
    assert len(twice) == 1, f"only the killed batch runs again: {twice}"
    [(tid, pids)] = twice.items()
    assert "/draft-" in tid and len(set(pids)) == 2
    assert all(len(p) == 1 for t, p in runs.items() if t != tid), "finished tasks were run again"


def test_asking_for_more_gpus_than_the_cluster_has_fails_before_any_work(lab: Lab, tmp_path: Path):
    greedy = project(tmp_path / "greedy", RAY_SETTINGS.replace(f"actors = {GPUS}", f"actors = {GPUS + 1}"),
                     probe=True)
    with pytest.raises(UsageError, match=rf"\[executors.ray\] asks for {GPUS + 1} workers of 1 GPU, but the Ray "
                                         rf"cluster has {GPUS} GPU\(s\)"):
        greedy.build("ray")
    assert worker_notes(greedy, "import") == [] and greedy.keys() == {}


def test_an_unreachable_cluster_address_is_a_clear_error(lab: Lab, tmp_path: Path):
    far = project(tmp_path / "far", '\n[executors.ray]\naddress = "127.0.0.1:9"\nstart_timeout = 5\n')
    done = subprocess.run([str(Path(sys.executable).with_name("zflow")), "build", "--executor", "ray"],
                          cwd=far.root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "[executors.ray] address = '127.0.0.1:9': nothing answers there" in done.stderr


def test_zimage_tiny_model_builds_the_same_on_ray_as_locally(lab: Lab, tmp_path: Path):
    need_torch()
    import torch
    from helpers import zimage_model

    model = zimage_model.build_zimage(tmp_path / "tiny-random-z")
    settings = RAY_SETTINGS.replace(f"actors = {GPUS}", "actors = 1")
    settings += f'\n[stages.draft]\nbackend = "zimage"\nmodel = "{model}"\noptions = {{ steps = 2 }}\n'
    recipe = BASIC_RECIPE.replace(', edits=[Edit.inpaint("face", "a smile")]', "")  # zimage images name no faces
    local = project(tmp_path / "local", settings, recipe)
    remote = project(tmp_path / "remote", settings, recipe)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as on the workers, which Ray gives one thread
    try:
        local.build("local")
    finally:
        torch.set_num_threads(threads)
    summary = remote.build("ray")
    assert summary["failed"] == 0 and summary["ran"] == len(BASIC_TASKS) - 1
    assert [e["backend"] for e in remote.events if e["event"] == "model-load"] == ["zimage", "preview"]
    assert remote.keys() == local.keys() and remote.out() == local.out()


def test_losing_every_gpu_node_stops_the_build_and_the_next_build_resumes(lab: Lab, tmp_path: Path):
    built = project(tmp_path / "proj", RAY_SETTINGS + PROBE_STAGES, probe=True)

    def pull_the_plug(event: dict) -> None:
        if event["event"] == "task-done" and event["stage"] == "sheet":
            lab.cluster.remove_node(lab.gpu_node)

    try:
        first = built.build("ray", emit=pull_the_plug)
    finally:
        lab.add_gpu_node()
    failed = [e for e in built.events if e["event"] == "task-failed"]
    assert first["ran"] == 1 and first["failed"] == len(failed) > 0
    assert all("the Ray cluster was lost" in e["error"] for e in failed)
    assert first["ran"] + first["failed"] + first["skipped"] == len(BASIC_TASKS)
    second = built.build("ray")
    assert (second["ran"], second["cached"], second["failed"]) == (len(BASIC_TASKS) - 1, 1, 0)
