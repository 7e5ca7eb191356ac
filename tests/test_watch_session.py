"""The watch session in process: changes queue behind the running task and supersede pending work, picks rebuild
only their scene's downstream, recipe errors keep the last good gallery; the watcher and its debouncing."""
from __future__ import annotations

import gc
import json
import os
import queue
import sys
import threading
import weakref
from pathlib import Path

import pytest

from helpers.project import BASIC_RECIPE, CONFIG, ProjectDir
from zflow.engine import Project
from zflow.engine.memory import collect_normally, collect_while_idle, gc_paused, set_aside
from zflow.watch import Session, Watcher
from zflow.watch.debounce import Debouncer
from zflow.watch.targets import Targets

TIMEOUT = 60.0

GATE_PLUGIN = '''\
"""A test backend that holds every batch until the test opens the gate."""
import io
import threading

from PIL import Image

from zflow.contracts import Output
from zflow.hookspecs import hookimpl

gate = threading.Event()


class Gate:
    name = "gate"
    version = "1"
    kinds = frozenset({"sheet", "draft"})

    def identity(self, model):
        return "gate"

    def load(self, model):
        return None

    def run(self, handle, requests):
        gate.wait(60)
        results = []
        for request in requests:
            buffer = io.BytesIO()
            Image.new("RGB", tuple(request.params["size"]), "gray").save(buffer, "PNG")
            results.append(Output({"image.png": buffer.getvalue()}))
        return results

    def release(self, handle):
        return None


@hookimpl
def register_backends(register):
    register(Gate())
'''


class Events:
    """Session events collected from its thread; ``until`` waits for one."""

    def __init__(self) -> None:
        self.queue: queue.Queue[dict] = queue.Queue()

    def __call__(self, event: dict) -> None:
        self.queue.put(event)

    def until(self, kind: str) -> list[dict]:
        events = []
        while True:
            try:
                events.append(self.queue.get(timeout=TIMEOUT))
            except queue.Empty:
                raise AssertionError(f"no {kind!r} event within {TIMEOUT}s (got {events})") from None
            if events[-1]["event"] == kind:
                return events


def done(events: list[dict]) -> set[str]:
    return {e["id"] for e in events if e["event"] == "task-done"}


@pytest.fixture
def session(basic: ProjectDir):
    events = Events()
    session = Session(lambda: Project(basic.root), emit=events)
    yield session, events, basic
    session.close()


def test_change_during_a_build_waits_for_the_running_task_and_supersedes_the_rest(project: ProjectDir) -> None:
    project.write("zflow.toml", CONFIG + '[stages.draft]\nbackend = "gate"\n')
    project.write("plugins/gate.py", GATE_PLUGIN)
    plain = BASIC_RECIPE.replace(', edits=[Edit.inpaint("face", "a smile")]', "")
    recipe = project.write("recipes/basic.py", plain)
    events = Events()
    session = Session(lambda: Project(project.root), emit=events)
    gate = sys.modules["zflow_local_plugins.gate"].gate
    runner = threading.Thread(target=session.run)
    runner.start()
    try:
        first = events.until("task-start")
        assert first[-1]["id"] == "characters/mina/sheet"
        project.write("recipes/basic.py", plain.replace("pours coffee", "pours tea"))
        session.request({recipe.resolve()})
        gate.set()
        superseded = events.until("summary")
        assert done(superseded) == {"characters/mina/sheet"}
        assert not [e for e in superseded if e["event"] == "task-start"]
        assert (superseded[-1]["ran"], superseded[-1]["superseded"]) == (1, 8)
        second = events.until("summary")
        assert [e for e in second if e["event"] == "change"] == [{"event": "change", "files": ["recipes/basic.py"]}]
        assert (second[-1]["ran"], second[-1]["superseded"]) == (8, 0)
    finally:
        gate.set()
        session.stop()
        runner.join(TIMEOUT)
        session.close()


def test_pick_writes_the_picks_file_and_rebuilds_only_that_scene_after_its_drafts(session) -> None:
    session, events, proj = session
    session.cycle(set())
    events.until("summary")
    session.cycle(set(), {"s/b": 2})
    rebuilt = events.until("summary")
    assert rebuilt[0] == {"event": "change", "files": ["pick s/b=2"]}
    assert done(rebuilt) == {"s/b/contact", "s/b/refine", "s/b/edit-1-inpaint"}
    assert json.loads((proj.root / "picks.json").read_text()) == {"s/b": 2}
    scene = session.snapshot["series"][0]["scenes"][1]
    assert (scene["uid"], scene["pick"]) == ("s/b", 2)


def test_recipe_error_keeps_the_last_good_graph_in_the_gallery(session) -> None:
    session, events, proj = session
    session.cycle(set())
    good = session.loaded
    urls = [d["url"] for d in session.snapshot["series"][0]["scenes"][0]["drafts"]]
    recipe = proj.write("recipes/basic.py", BASIC_RECIPE.replace('action="pours coffee"', "action=undefined"))
    assert session.cycle({recipe}) is None
    assert session.loaded is good
    error = session.snapshot["error"]
    assert (error["file"], error["line"]) == ("recipes/basic.py", 6)
    assert "undefined" in error["error"]
    assert [d["url"] for d in session.snapshot["series"][0]["scenes"][0]["drafts"]] == urls


def test_changed_config_reopens_the_project_and_rebuilds(session) -> None:
    session, events, proj = session
    session.cycle(set())
    events.until("summary")
    old = session.project
    config = proj.write("zflow.toml", CONFIG.replace("4096", "6400"))
    session.cycle({config})
    rebuilt = events.until("summary")
    assert session.project is not old
    assert "model-load" in [e["event"] for e in rebuilt]
    assert rebuilt[-1]["ran"] == 10


def test_unchanged_files_are_not_rebuilt(session) -> None:
    session, events, proj = session
    session.cycle(set())
    recipe = (proj.root / "recipes/basic.py").resolve()
    session.request({recipe})
    assert not session.pending()
    os.utime(recipe, ns=(1, 1))
    session.request({recipe})
    assert session.pending()


def test_watcher_sees_a_rename_over_save_and_skips_temp_files(tmp_path: Path) -> None:
    recipe = tmp_path / "recipe.py"
    recipe.write_text("a = 1\n")
    changes: queue.Queue[set[Path]] = queue.Queue()
    watcher = Watcher(changes.put, quiet=0.05)
    watcher.watch(Targets(tmp_path, frozenset({recipe}), ("*.py",), (tmp_path / "out",)))
    watcher.start()
    try:
        (tmp_path / "out").mkdir()
        (tmp_path / "out" / "x.py").write_text("")
        (tmp_path / ".recipe.py.swp").write_text("swap")
        temp = tmp_path / "recipe.py.tmp"
        temp.write_text("a = 2\n")
        os.replace(temp, recipe)
        assert changes.get(timeout=TIMEOUT) == {recipe}
        (tmp_path / "new.py").write_text("b = 1\n")
        assert changes.get(timeout=TIMEOUT) == {tmp_path / "new.py"}
    finally:
        watcher.stop()


def test_debouncer_delivers_a_burst_as_one_set() -> None:
    delivered: queue.Queue[set[Path]] = queue.Queue()
    debouncer = Debouncer(0.5, delivered.put)
    try:
        for name in "abc":
            debouncer.add({Path(name)})
        assert delivered.get(timeout=TIMEOUT) == {Path("a"), Path("b"), Path("c")}
        assert delivered.empty()
    finally:
        debouncer.stop()


def test_the_collector_pauses_only_inside_a_load_and_what_is_set_aside_is_collected_while_idle() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError):
        with gc_paused():
            assert not gc.isenabled()
            with gc_paused():
                pass
            assert not gc.isenabled()  # nested: still paused
            raise ValueError("a recipe error")
    assert gc.isenabled()

    class Node:
        pass

    node = Node()
    node.self = node  # a cycle: only the collector frees it
    alive = weakref.ref(node)
    set_aside()
    del node
    gc.collect()
    assert alive() is not None  # set aside: collections do not look at it
    collect_while_idle()
    assert alive() is None
    assert gc.get_freeze_count() > 0
    collect_normally()
    assert gc.get_freeze_count() == 0
