"""Watch-mode reloads of scenes with layouts and control maps: a long-lived Project re-makes exactly the scenes a
change touches (a layout pick, what a control map is made from) and agrees with a fresh Project on every task."""
from __future__ import annotations

import pytest

from zflow.engine import Project

RECIPE = '''\
from zflow import Character, Control, Series

mina = Character("mina", looks="barista")
s = Series("s", prompt="{{ cast }} {{ action }}", size="64x48", drafts=1)
src = s.scene("src", cast=[mina], action="a harbour")
s.scene("a", cast=[mina], action="waves", layouts=3, control=Control("pose"))
s.scene("b", cast=[mina], action="sits", layouts=2)
s.scene("c", action="a street", control=Control("canny", image=src))
'''


@pytest.fixture
def live(project):
    project.write("recipes/r.py", RECIPE)
    session = Project(project.root)
    session.plan(session.load())
    yield project, session
    session.close()


def remade(project, session) -> set[str]:
    """Reload the live project; check its tasks equal a fresh load's; the scenes it re-made rather than reused."""
    old = session._last_graph
    graph = session.load().graph
    fresh = Project(project.root)
    try:
        expected = fresh.load().graph
    finally:
        fresh.close()
    assert {t.id: (t, t.where) for t in graph.tasks.values()} == {t.id: (t, t.where) for t in expected.tasks.values()}
    assert {u: (n.layouts, n.layout_pick, n.control) for u, n in graph.scenes.items()} == \
        {u: (n.layouts, n.layout_pick, n.control) for u, n in expected.scenes.items()}
    return {uid for uid, build in graph.builds.items() if old.builds.get(uid) is not build}


@pytest.mark.parametrize("change, rebuilt", [
    (lambda p: p.write("picks.json", '{"s/a#layout": 3}'), {"s/a"}),
    (lambda p: p.write("picks.json", '{"s/b#layout": 2}'), {"s/b"}),
    (lambda p: p.write("recipes/r.py", RECIPE.replace('"sits", layouts=2', '"sits", layouts=2, layout=2')), {"s/b"}),
    (lambda p: p.write("recipes/r.py", RECIPE.replace('"a harbour"', '"a harbour", refine=False')),
     {"s/src", "s/c"}),  # the image c's map is made from is another task now
    (lambda p: p.write("recipes/r.py", RECIPE.replace('Control("pose")', 'Control("depth", scale=0.5)')), {"s/a"}),
])
def test_a_change_re_makes_exactly_the_scenes_it_touches(live, change, rebuilt):
    project, session = live
    change(project)
    assert remade(project, session) == rebuilt


def test_the_control_map_of_another_scene_follows_its_final_task(live):
    project, session = live
    project.write("recipes/r.py", RECIPE.replace('"a harbour"', '"a harbour", refine=False'))
    remade(project, session)
    assert session._last_graph.tasks["s/c/control-canny"].inputs == ("s/src/draft-1",)
