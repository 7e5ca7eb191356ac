"""The Ray executor's parts that need no cluster: model-affinity placement, settings, shipping, lazy import."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from zflow.contracts import Artifact, Batch, ModelRef, Request, Task
from zflow.contracts.settings import SettingError
from zflow_ray.options import RayOptions, parse_options
from zflow_ray.scheduling import Slot, place
from zflow_ray.shipping import pack_inputs, project_modules, unpack_inputs, write_modules
from zflow_ray.worker import SCRATCH, _sweep

A, B, C = ("zimage", "a"), ("zimage", "b"), ("zimage", "c")


def test_an_idle_worker_takes_a_batch_of_the_model_it_holds_before_older_batches():
    slots = [Slot({B}), Slot({A})]
    assert place(slots, [A, B]) == [(1, 0), (0, 1)]


def test_a_model_no_worker_holds_goes_to_the_least_loaded_idle_worker():
    slots = [Slot({A}, done=3), Slot(set(), done=5), Slot({A}, busy=True)]
    assert place(slots, [C]) == [(1, 0)]


def test_new_models_are_spread_over_idle_workers_one_each():
    assert place([Slot(), Slot(), Slot()], [A, A, A, B, C]) == [(0, 0), (1, 3), (2, 4)]


def test_a_busy_workers_model_is_loaded_again_only_when_more_batches_wait_than_workers_hold_it():
    busy = Slot({A}, busy=True)
    assert place([busy, Slot()], [A]) == []
    assert place([busy, Slot()], [A, A]) == [(1, 0)]


def test_nothing_is_placed_on_busy_workers():
    assert place([Slot({A}, busy=True), Slot({B}, busy=True)], [A, B, C]) == []


def test_settings_are_checked_and_name_the_setting_at_fault():
    assert parse_options({"actors": 2, "task_timeout": 5}) == RayOptions(actors=2, task_timeout=5.0)
    bad = {"actor": r"actor: unknown setting \(known: ", "actors": "actors: must be at least 0, got -1",
           "task_timeout": "task_timeout: must be above 0, got 0", "address": "address: must be non-empty text"}
    values = {"actor": 1, "actors": -1, "task_timeout": 0, "address": ""}
    for name, message in bad.items():
        with pytest.raises(SettingError, match=rf"^\[executors.ray\] {message}"):
            parse_options({name: values[name]})


def test_the_plugin_module_does_not_import_ray():
    code = "import sys, zflow_ray; from zflow.plugins import make_plugin_manager, Plugins; " \
           "assert 'ray' in Plugins.collect(make_plugin_manager()).executors; print('ray' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_input_files_and_plugin_modules_travel_as_bytes(tmp_path: Path):
    project = tmp_path / "project"
    write_modules({"plugins/mine.py": b"X = 1\n", "plugins/helpers/util.py": b"Y = 2\n"}, project)
    (project / "plugins" / "__pycache__").mkdir()
    (project / "plugins" / "__pycache__" / "mine.cpython-311.pyc").write_bytes(b"\0")
    assert project_modules(project) == {"plugins/helpers/util.py": b"Y = 2\n", "plugins/mine.py": b"X = 1\n"}
    image = tmp_path / "store" / "image.png"
    image.parent.mkdir()
    image.write_bytes(b"png bytes")
    artifact = Artifact("s/a/draft-1", "k1", {"image.png": image}, {"seed": 1})
    task = Task("s/a/refine", "refine", {"seed": 1}, ("s/a/draft-1",))
    batch = Batch("preview", ModelRef("preview"), [Request(task, "k2", ModelRef("preview"), (artifact,))])
    shipped = unpack_inputs(batch, pack_inputs(batch, set()), tmp_path / "worker")
    [moved] = shipped.requests[0].inputs
    assert moved.main == tmp_path / "worker" / "k1" / "image.png" and moved.main.read_bytes() == b"png bytes"
    assert (moved.key, moved.meta, shipped.requests[0].task) == ("k1", {"seed": 1}, task)
    assert pack_inputs(batch, {"k1"}) == {}, "an artifact the worker has is not shipped again"
    again = unpack_inputs(batch, {}, tmp_path / "worker")
    assert again.requests[0].inputs[0].main.read_bytes() == b"png bytes"


def test_a_starting_worker_removes_the_files_of_killed_workers_only(tmp_path: Path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True).stdout.strip()
    dead, alive = tmp_path / f"{SCRATCH}{gone}-abc", tmp_path / f"{SCRATCH}{os.getpid()}-def"
    for folder in (dead, alive):
        (folder / "inputs").mkdir(parents=True)
    _sweep(tmp_path)
    assert not dead.exists() and alive.exists()
