"""zflow.events names every event: each emit site in zflow/ and plugins/ builds its event with the event's class and
exactly its fields, and what `zflow build`, `zflow watch` and `zflow schedule` print with --json matches them."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from helpers.project import BASIC_RECIPE, ProjectDir
from helpers.schedule import calendar_project
from helpers.watch import WatchProcess
from zflow.events import EVENTS

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for folder in ("zflow", "plugins") for p in (REPO / folder).rglob("*.py"))
CLASSES = {cls.__name__: (name, cls) for name, cls in EVENTS.items()}


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(REPO)}:{node.lineno}"


def test_no_module_writes_an_event_as_a_bare_dict():
    bare = [where(path, node) for path in SOURCES if path != REPO / "zflow" / "events.py"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Dict)
            and any(isinstance(k, ast.Constant) and k.value == "event" for k in node.keys)]
    assert bare == []


def test_every_event_built_has_its_own_name_and_exactly_its_fields():
    built: set[str] = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CLASSES):
                continue
            name, cls = CLASSES[node.func.id]
            given = {k.arg for k in node.keywords} - {None}  # None: a **mapping, whose keys are checked at runtime
            complete = all(k.arg for k in node.keywords)
            assert given <= cls.__required_keys__ | cls.__optional_keys__, where(path, node)
            assert cls.__required_keys__ <= given or not complete, where(path, node)
            [event] = [k.value for k in node.keywords if k.arg == "event"]
            assert isinstance(event, ast.Constant) and event.value == name, where(path, node)
            built.add(name)
    assert built == set(EVENTS), f"declared but never emitted: {set(EVENTS) - built}"


def check(events: list[dict]) -> list[str]:
    """The names of ``events``, each checked against its class."""
    for event in events:
        cls = EVENTS.get(event["event"])
        assert cls is not None, f"undeclared event {event}"
        assert cls.__required_keys__ <= event.keys() <= cls.__required_keys__ | cls.__optional_keys__, event
    return [e["event"] for e in events]


@pytest.mark.e2e
def test_a_build_and_a_broken_recipe_print_declared_events(basic: ProjectDir):
    names = check(basic.build().events)
    assert {"build-start", "task-start", "task-done", "model-load", "summary"} <= set(names)
    basic.write("recipes/basic.py", BASIC_RECIPE + "s.scene(\n")
    broken = basic.build()
    assert broken.code == 2 and check(broken.events) == ["error"] and broken.events[0]["line"] > 0


@pytest.mark.e2e
def test_watch_prints_declared_events(basic: ProjectDir):
    watch = WatchProcess(basic)
    try:
        events = watch.rebuild()
        basic.write("recipes/basic.py", BASIC_RECIPE.replace("pours coffee", "pours tea"))
        events += watch.rebuild()
    finally:
        watch.stop()
    assert {"watching", "change", "summary"} <= set(check(events))


@pytest.mark.e2e
def test_schedule_prints_declared_events(project: ProjectDir):
    calendar_project(project)
    result = project.zflow("schedule", "--once", "--json", "--at", "2026-11-30T09:30+09:00")
    assert result.code == 0, result.stderr
    assert {"run-start", "run-done", "build-start", "summary"} <= set(check(result.events))
