"""Mistakes in recipes, templates, tables and sizes through `zflow build`: exit 2, a message naming the mistake and the
file:line where it was written, and out/ and .zflow/ exactly as they were."""
from __future__ import annotations

import textwrap

import pytest
from PIL import Image

from helpers.hostile import snapshot

GOOD = '''\
from zflow import Character, Edit, Series, sns
mina = Character("mina", looks="barista")
s = Series("s", prompt="{{ cast }} {{ action }}", size="64x64", drafts=1, refine=False)
s.scene("a", cast=[mina], action="pours coffee")
'''


@pytest.fixture
def built(project):
    """A project built once, so a refused build has outputs and a store it must leave alone."""
    project.write("recipes/r.py", GOOD)
    assert project.build().code == 0
    return project


def refused(project, recipe: str, *needles: str, files: dict[str, str] | None = None):
    """Write ``recipe`` (and ``files``), build, and check the build is refused naming each of ``needles`` with out/
    and .zflow/ unchanged; returns stderr."""
    before = snapshot(project.root)
    for rel, text in (files or {}).items():
        project.write(rel, text)
    project.write("recipes/r.py", recipe)
    result = project.zflow("build")
    assert result.code == 2, result.stdout + result.stderr
    said = " ".join(result.stderr.split())
    for needle in needles:
        assert needle in said, said
    assert "Traceback" not in result.stderr
    assert snapshot(project.root) == before
    return said


def line_of(recipe: str, text: str) -> int:
    """The 1-based line of ``recipe`` holding ``text``."""
    return next(n for n, line in enumerate(textwrap.dedent(recipe).splitlines(), 1) if text in line)


# -- sizes: sides are multiples of 16 ---------------------------------------------------------------------------------
@pytest.mark.parametrize("where, declared", [
    ("scene", 's.scene("b", action="x", size="1000x1001")'),
    ("series", 't = Series("t", prompt="{{ action }}", size="1000x1001")'),
    ("outpaint", 's.scene("b", action="x", edits=[Edit.outpaint("1000x1001")])'),
    ("tuple", 's.scene("b", action="x", size=(1000, 1001))'),
])
def test_a_size_that_is_not_a_multiple_of_16_is_refused_with_the_nearest_valid_one(built, where, declared):
    recipe = GOOD + declared + "\n"
    refused(built, recipe, f"recipes/r.py:{line_of(recipe, declared)}:",
            "1000x1001 is not a multiple of 16; use 1008x1008")


def test_an_aspect_is_rounded_to_multiples_of_16(project):
    project.write("recipes/r.py", GOOD.replace('size="64x64"', 'size="7:5"'))
    assert project.build().code == 0
    width, height = Image.open(project.root / "out/s/a/draft-1.png").size
    assert width % 16 == 0 and height % 16 == 0 and width > height
