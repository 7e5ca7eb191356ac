"""Content keys: a change in any key part, and only that, makes a task (and its downstream) stale."""
from __future__ import annotations

import os

import pytest
from PIL import Image

from helpers.project import BASIC_RECIPE
from zflow.engine import Project

pytestmark = [pytest.mark.e2e]

RECIPE = '''\
from zflow import Character, Edit, Series, template

mina = Character("mina", looks="barista", reference="../refs/mina.png")
jun = Character("jun", looks="pilot")
s = Series("s", prompt=template("prompt.j2"), size="32x32", drafts=2)
for row in s.rows("rows.csv"):
    s.scene(row.id, cast=[mina] if row.id == "a" else [jun], action=row.action)
other = Series("o", prompt="{{ action }}", size="32x32", drafts=1)
other.scene("z", action="still life")
'''


def setup(project):
    (project.root / "refs").mkdir(parents=True)
    Image.new("RGB", (24, 32), "blue").save(project.root / "refs/mina.png")
    project.write("recipes/prompt.j2", "{{ cast }} {{ action }}")
    project.write("recipes/rows.csv", "id,action\na,waves\nb,sits\n")
    project.write("recipes/r.py", RECIPE)
    proj = Project(project.root)
    proj.build(proj.load())
    return proj


def stale(project) -> set[str]:
    proj = Project(project.root)
    try:
        return {p.task.id for p in proj.plan(proj.load()).stale}
    finally:
        proj.close()


SCENE_A = {"s/a/draft-1", "s/a/draft-2", "s/a/contact", "s/a/refine"}
SCENE_B = {"s/b/draft-1", "s/b/draft-2", "s/b/contact", "s/b/refine"}


def test_nothing_changed_nothing_stale(project):
    setup(project)
    assert stale(project) == set()


def test_reference_image_content_reaches_its_character_and_scenes_only(project):
    setup(project)
    Image.new("RGB", (24, 32), "green").save(project.root / "refs/mina.png")
    assert stale(project) == {"characters/mina/sheet"} | SCENE_A


def test_touching_a_file_without_changing_it_changes_nothing(project):
    setup(project)
    for rel in ("refs/mina.png", "recipes/prompt.j2", "recipes/rows.csv"):
        path = project.root / rel
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000_000))
    assert stale(project) == set()


def test_template_file_change_reaches_the_scenes_using_it(project):
    setup(project)
    project.write("recipes/prompt.j2", "{{ action }} by {{ cast }}")
    assert stale(project) == SCENE_A | SCENE_B


def test_one_data_table_row_reaches_only_its_scene(project):
    setup(project)
    project.write("recipes/rows.csv", "id,action\na,waves\nb,stands\n")
    assert stale(project) == SCENE_B


def test_model_of_a_stage_reaches_that_stage_and_downstream(project):
    setup(project)
    project.write("zflow.toml", 'base_pixels = 4096\n[stages.refine]\nbackend = "preview"\nmodel = "org/refiner"\n')
    assert stale(project) == {"s/a/refine", "s/b/refine", "o/z/refine"}


def test_model_options_are_part_of_the_key(project):
    setup(project)
    project.write("zflow.toml", 'base_pixels = 4096\n[stages.draft]\nbackend = "preview"\noptions = {steps = 9}\n')
    drafts = {t for t in SCENE_A | SCENE_B if "draft" in t} | {"o/z/draft-1"}
    sheets = {"characters/jun/sheet"}
    assert stale(project) == drafts | sheets | SCENE_A | SCENE_B | {"o/z/contact", "o/z/refine"}


def test_plugin_version_is_part_of_the_key(project):
    setup(project)
    project.write("plugins/v2.py", '''\
        from zflow import hookimpl
        import zflow_preview

        class Versioned:
            def __init__(self, inner):
                self.inner, self.name, self.version, self.kinds = inner, "preview2", "2", inner.kinds
            def __getattr__(self, name):
                return getattr(self.inner, name)

        @hookimpl
        def register_backends(register):
            zflow_preview.register_backends(register=lambda backend: register(Versioned(backend)))
    ''')
    project.write("zflow.toml", 'base_pixels = 4096\n[stages.refine]\nbackend = "preview2"\n')
    assert stale(project) == {"s/a/refine", "s/b/refine", "o/z/refine"}


def test_pick_change_reaches_only_that_scenes_refine_and_contact(project):
    proj = setup(project)
    proj.write_pick("s/b", 2)
    assert stale(project) == {"s/b/refine", "s/b/contact"}


def test_build_after_change_stores_new_keys_and_is_then_clean(basic):
    proj = Project(basic.root)
    proj.build(proj.load())
    recipe = basic.root / "recipes/basic.py"
    recipe.write_text(BASIC_RECIPE.replace("pours coffee", "pours tea"))
    summary = Project(basic.root).build(Project(basic.root).load())
    assert summary["ran"] == 4
    assert stale(basic) == set()
