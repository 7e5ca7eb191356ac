"""Incremental reloads (watch mode): a long-lived Project reuses the tasks of every scene that did not change, and
what it plans is always exactly what a fresh Project plans from the same files."""
from __future__ import annotations

import pytest
from PIL import Image

from zflow.engine import Project
from zflow.store import Store

RECIPE = '''\
from zflow import Character, Edit, Series, Style, sns, template

mina = Character("mina", looks="barista")
jun = Character("jun", looks="pilot", reference="refs/jun.png")
warm = Style("warm", "warm film photo")
s = Series("s", style=warm, prompt=template("prompt.j2"), size="48x32", drafts=2)
for row in s.rows("rows.csv"):
    s.scene(row.id, cast=[mina] if row.id != "c" else [jun], action=row.action,
            edits=[Edit.inpaint([0.25, 0.25, 0.75, 0.75], "a smile")])
o = Series("o", prompt="{{ action }}", size="32x32", drafts=1)
still = o.scene("still", action="still life")
o.scene("after", photo=still, action="ink", edits=[Edit.restyle("ink drawing")])
o.scene("shop", photo="refs/shop.png", action="the shop")
o.scene("named", style="warm", action="a style by name")
o.scene("later", photo="@o/still", action="later")
sns(s, "instagram_square")
'''
ROWS = "id,action\na,waves\nb,sits\nc,flies\n"


@pytest.fixture
def session(project):
    (project.root / "recipes/refs").mkdir(parents=True)
    Image.new("RGB", (24, 32), "blue").save(project.root / "recipes/refs/jun.png")
    Image.new("RGB", (40, 40), "gray").save(project.root / "recipes/refs/shop.png")
    project.write("recipes/prompt.j2", "{{ cast }} {{ action }}, {{ style }}")
    project.write("recipes/rows.csv", ROWS)
    project.write("recipes/r.py", RECIPE)
    live = Project(project.root)
    live.plan(live.load())
    yield project, live
    live.close()


def reload(project, live):
    """Reload the long-lived project; check it agrees with a fresh one in every task, location, size, scene and
    key; return the scenes it rebuilt rather than reused."""
    old = live._last_graph
    loaded = live.load()
    plan = live.plan(loaded)
    fresh = Project(project.root)
    try:
        fresh_loaded = fresh.load()
        fresh_plan = fresh.plan(fresh_loaded)
    finally:
        fresh.close()
    assert snapshot(loaded.graph) == snapshot(fresh_loaded.graph)
    assert {i: (p.key, p.runner, p.stale) for i, p in plan.items.items()} == \
        {i: (p.key, p.runner, p.stale) for i, p in fresh_plan.items.items()}
    return {uid for uid, build in loaded.graph.builds.items() if old.builds.get(uid) is not build}


def snapshot(graph):
    tasks = [(t.id, t, t.where, graph.sizes.get(t.id)) for t in graph.tasks.values()]
    scenes = {uid: (n.drafts, n.contact, n.pick, n.refine, n.edits, n.final) for uid, n in graph.scenes.items()}
    return tasks, scenes


def test_nothing_changed_reuses_every_scene_and_every_planned_task(session):
    project, live = session
    before = live.plan(live.load())
    assert reload(project, live) == set()
    after = live._last_plan
    assert all(after.items[i] is item for i, item in before.items.items() if item.task.kind != "export"
               and not item.task.id.startswith(("characters/", "references/")) and "/reframe-" not in item.task.id)


@pytest.mark.parametrize("change, rebuilt", [
    (lambda p: p.write("recipes/rows.csv", ROWS.replace("sits", "stands")), {"s/b"}),
    (lambda p: p.write("recipes/rows.csv", "id,action\nb,sits\na,waves\nc,flies\n"), set()),  # rows reordered
    (lambda p: p.write("recipes/prompt.j2", "{{ action }} by {{ cast }}"), {"s/a", "s/b", "s/c"}),
    (lambda p: p.write("recipes/r.py", RECIPE.replace('looks="barista"', 'looks="chef"')), {"s/a", "s/b"}),
    (lambda p: p.write("recipes/r.py", RECIPE.replace('"warm film photo"', '"cold film"')),
     {"s/a", "s/b", "s/c", "o/named"}),
    (lambda p: p.write("recipes/r.py", RECIPE.replace("drafts=1", "drafts=2")),
     {"o/still", "o/after", "o/shop", "o/named", "o/later"}),
    (lambda p: p.write("recipes/r.py", RECIPE.replace('"still life"', '"a vase"')), {"o/still", "o/after"}),
    (lambda p: p.write("recipes/r.py", RECIPE.replace('"still life"', '"still life", refine=False')),
     {"o/still", "o/after", "o/later"}),  # the image "later" starts from is another task now
    (lambda p: p.write("recipes/r.py", RECIPE.replace("o = Series", "\n\no = Series")),
     {"o/still", "o/after", "o/shop", "o/named", "o/later"}),  # moved down: the tasks must name their new lines
    (lambda p: p.write("picks.json", '{"s/c": 2}'), {"s/c"}),
    (lambda p: Image.new("RGB", (48, 32), "red").save(p.root / "recipes/refs/shop.png"), {"o/shop"}),
    (lambda p: Image.new("RGB", (24, 32), "red").save(p.root / "recipes/refs/jun.png"), set()),  # keys only
])
def test_a_change_rebuilds_exactly_the_scenes_it_touches(session, change, rebuilt):
    project, live = session
    change(project)
    assert reload(project, live) == rebuilt
    assert reload(project, live) == set()


def test_an_edited_scene_is_replanned_and_only_its_tasks_are_rekeyed(session):
    project, live = session
    before = {i: p.key for i, p in live.plan(live.load()).items.items()}
    project.write("recipes/rows.csv", ROWS.replace("waves", "waves goodbye"))
    reload(project, live)
    after = {i: p.key for i, p in live._last_plan.items.items()}
    changed = {i for i in after if after[i] != before.get(i)}
    assert changed == {"s/a/draft-1", "s/a/draft-2", "s/a/contact", "s/a/refine", "s/a/edit-1-inpaint",
                       "s/a/reframe-outpaint-48x48", "s/export/sns"}


@pytest.mark.parametrize("change, message", [
    (lambda p: p.write("recipes/r.py", RECIPE.replace('mina = Character("mina", looks="barista")', "")),
     "name 'mina' is not defined"),
    (lambda p: p.write("recipes/r.py", RECIPE.replace('cast=[mina] if', 'cast=["nobody"] if')),
     "unknown character 'nobody'"),
    (lambda p: (p.root / "recipes/prompt.j2").unlink(), "prompt template"),
    (lambda p: (p.root / "recipes/refs/shop.png").unlink(), "photo"),
])
def test_a_broken_change_is_the_same_error_as_in_a_fresh_load_and_the_last_graph_is_kept(session, change, message):
    from zflow.errors import RecipeError

    project, live = session
    kept = live._last_graph
    change(project)
    with pytest.raises(RecipeError, match=message):
        live.load()
    with pytest.raises(RecipeError, match=message):
        Project(project.root).load()
    assert live._last_graph is kept


@pytest.mark.e2e
def test_after_a_build_unchanged_scenes_keep_their_whole_plan_until_the_store_loses_keys(session):
    project, live = session
    live.build(live.load())
    built = live.plan(live.load())
    assert not built.stale
    project.write("recipes/rows.csv", ROWS.replace("sits", "stands"))
    assert reload(project, live) == {"s/b"}
    plan = live._last_plan
    assert set(built.scenes) - set(plan.scenes) == {"s/b"}  # stale until built again: planned task by task
    assert all(kept is built.scenes[uid] for uid, kept in plan.scenes.items())
    assert {p.task.id for p in plan.stale} == {"s/b/draft-1", "s/b/draft-2", "s/b/contact", "s/b/refine",
                                               "s/b/edit-1-inpaint", "s/b/reframe-outpaint-48x48", "s/export/sns"}

    other = Store(project.root, project.root / "out")  # another process collects every artifact
    other.gc(keep=set())
    other.close()
    live.store.refresh()
    assert reload(project, live) == set()
    assert len(live._last_plan.stale) == len(live._last_plan.items)


@pytest.mark.e2e
def test_after_a_build_a_new_reference_image_restales_its_characters_scenes_which_the_graph_reused(session):
    project, live = session
    live.build(live.load())
    live.plan(live.load())
    Image.new("RGB", (24, 32), "red").save(project.root / "recipes/refs/jun.png")
    assert reload(project, live) == set()  # same size: the scene's tasks are the same, their keys are not
    stale = {p.task.id for p in live._last_plan.stale}
    assert {"characters/jun/sheet", "s/c/draft-1", "s/c/refine", "s/c/edit-1-inpaint", "s/export/sns"} <= stale
    assert not any(i.startswith(("s/a/", "s/b/", "o/")) for i in stale)
