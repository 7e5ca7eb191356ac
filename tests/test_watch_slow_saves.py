"""`zflow watch` under a slow writer (a loaded machine, a big file, an editor's multi-step save): a save caught half
way is not built until it is done, so no rebuild sees an empty or missing recipe and nothing is removed from out/;
a file that really is deleted is still reported; and a watcher stopped under load prints nothing of watchdog's on
the terminal."""
from __future__ import annotations

import os
import queue
import time
from pathlib import Path

import pytest

from helpers.project import BASIC_RECIPE
from helpers.watch import TIMEOUT, ran, started, watching  # noqa: F401  (watching is a fixture)
from zflow.watch.debounce import Debouncer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

#: Longer than the tests' 50 ms debounce many times over: the writer stalls as it might on a loaded machine.
STALL = 0.5


def test_a_save_stalled_between_truncating_and_writing_rebuilds_once_when_done(watching) -> None:
    proj, proc, first = watching
    before = proj.out_files()
    with open(proj.root / "recipes/basic.py", "w", encoding="utf-8") as recipe:
        recipe.flush()
        time.sleep(STALL)  # the recipe is empty on disk, its writer not done
        recipe.write(BASIC_RECIPE.replace("pours coffee", "pours tea"))
    events = proc.rebuild()
    assert events[0] == {"event": "change", "files": ["recipes/basic.py"]}
    summary = events[-1]
    assert (summary["event"], summary["removed"]) == ("summary", 0), summary
    assert ran(events) == {t for t in started(first) if t.startswith("s/a/")}
    assert {k for k in proj.out_files() if k.startswith("s/b/")} == {k for k in before if k.startswith("s/b/")}


def test_an_editor_stalled_after_renaming_the_recipe_away_rebuilds_once_when_done(watching) -> None:
    proj, proc, first = watching
    recipe = proj.root / "recipes/basic.py"
    os.rename(recipe, recipe.with_name("basic.py~"))
    time.sleep(STALL)  # no recipe on disk until the editor writes the new one
    recipe.write_text(BASIC_RECIPE.replace("reads a book", "reads a letter"), encoding="utf-8")
    events = proc.rebuild()
    assert events[-1]["event"] == "summary", events[-1]
    assert ran(events) == {t for t in started(first) if t.startswith("s/b/")}


def test_a_recipe_really_deleted_is_still_reported(watching) -> None:
    proj, proc, _ = watching
    (proj.root / "recipes/basic.py").unlink()
    error = proc.rebuild()[-1]
    assert error["event"] == "error" and "no recipes" in error["error"], error


def test_debouncer_holds_an_unsettled_set_until_a_later_path_settles_it_or_the_hold_ends() -> None:
    delivered: queue.Queue[set[Path]] = queue.Queue()
    done: set[Path] = set()
    debouncer = Debouncer(0.02, delivered.put, settled=lambda paths: paths <= done, hold=TIMEOUT)
    try:
        debouncer.add({Path("a")})
        with pytest.raises(queue.Empty):
            delivered.get(timeout=STALL)
        done.add(Path("a"))
        debouncer.add({Path("a")})  # the writer closed the file: a new event
        assert delivered.get(timeout=TIMEOUT) == {Path("a")}
    finally:
        debouncer.stop()
    short = Debouncer(0.02, delivered.put, settled=lambda paths: False, hold=STALL)
    try:
        short.add({Path("b")})
        assert delivered.get(timeout=TIMEOUT) == {Path("b")}
    finally:
        short.stop()


def test_an_emitter_stopped_while_it_reads_prints_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from watchdog.observers.api import EventQueue, ObservedWatch
    from watchdog.observers.inotify import InotifyEmitter

    from zflow.watch import Watcher  # noqa: F401  (importing zflow's watcher is what quiets watchdog)

    emitter = InotifyEmitter(EventQueue(), ObservedWatch(str(tmp_path), recursive=False))
    emitter.start()
    emitter.stop()
    emitter.join(TIMEOUT)
    emitter.queue_events(0)  # what the emitter's thread does when stop() lands between its check and its read
    assert not [r for r in caplog.records if r.name.startswith("watchdog")], caplog.text
