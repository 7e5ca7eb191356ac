"""Mistakes in recipes, templates, tables and sizes through `zflow build`: exit 2, a message naming the mistake and the
file:line where it was written, and out/ and .zflow/ exactly as they were."""
from __future__ import annotations

import textwrap

import pytest
from PIL import Image

from helpers.hostile import snapshot

pytestmark = [pytest.mark.e2e]

GOOD = '''\
from zflow import Character, Edit, Series, blog, say, template, webtoon
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


def refused_at_its_line(project, declared: str, *needles: str) -> str:
    """``declared`` added to the good recipe is refused at its own line (``recipes/r.py:N:``), naming ``needles``."""
    recipe = GOOD + declared + "\n"
    return refused(project, recipe, f"recipes/r.py:{line_of(recipe, declared)}:", *needles)


# -- sizes: sides are multiples of 16 ---------------------------------------------------------------------------------
@pytest.mark.parametrize("where, declared", [
    ("scene", 's.scene("b", action="x", size="1000x1001")'),
    ("series", 't = Series("t", prompt="{{ action }}", size="1000x1001")'),
    ("outpaint", 's.scene("b", action="x", edits=[Edit.outpaint("1000x1001")])'),
    ("tuple", 's.scene("b", action="x", size=(1000, 1001))'),
])
def test_a_size_that_is_not_a_multiple_of_16_is_refused_with_the_nearest_valid_one(built, where, declared):
    refused_at_its_line(built, declared, "1000x1001 is not a multiple of 16; use 1008x1008")


def test_an_aspect_is_rounded_to_multiples_of_16(project):
    project.write("recipes/r.py", GOOD.replace('size="64x64"', 'size="7:5"'))
    assert project.build().code == 0
    width, height = Image.open(project.root / "out/s/a/draft-1.png").size
    assert width % 16 == 0 and height % 16 == 0 and width > height


# -- typos: a keyword that is no option and that nothing reads ---------------------------------------------------------
@pytest.mark.parametrize("declared, hint", [
    ('s.scene("b", action="x", draft=4)', "did you mean drafts?"),
    ('s.scene("b", action="x", stlye="noir")', "did you mean style?"),
    ('s.scene("b", action="x", ballons=[say("hi", who=mina)])', "did you mean balloons?"),
    ('s.scene("b", action="x", mood="calm")', "variables read: action, cast"),
])
def test_a_scene_keyword_nothing_reads_is_refused_with_a_suggestion(built, declared, hint):
    said = refused_at_its_line(built, declared, hint)
    assert "unknown keyword" in said


def test_a_series_keyword_no_scene_reads_is_refused_at_the_series(built):
    recipe = GOOD.replace('refine=False)', 'refine=False, sizee="64x64")')
    refused(built, recipe, f"recipes/r.py:{line_of(recipe, 'sizee')}:", "series s: unknown keyword sizee=",
            "did you mean size?")


def test_keywords_a_template_or_an_export_reads_are_accepted(project):
    project.write("recipes/p.j2", "{{ cast }} {{ action }} in {{ weather }}")
    project.write("recipes/r.py", GOOD + """\
t = Series("t", prompt=template("p.j2"), size="64x64", drafts=1, refine=False, lang="ko")
t.scene("a", action="waits", weather="rain", place="bus stop", text="Under the shelter.")
webtoon(t, scene_key="place")
blog(t)
""")
    result = project.build()
    assert result.code == 0, result.stderr
    assert "Under the shelter." in (project.root / "out/t/export/blog").joinpath(
        next(p.name for p in (project.root / "out/t/export/blog").iterdir() if p.suffix == ".html")).read_text()


def test_a_balloon_speaker_outside_the_cast_is_refused_at_the_scene(built):
    declared = 's.scene("b", cast=[mina], action="x", balloons=[say("hi", who=jun)])'
    recipe = GOOD + 'jun = Character("jun", looks="boy")\n' + declared + "\n"
    refused(built, recipe, f"recipes/r.py:{line_of(recipe, declared)}:", "said by 'jun', who is not in the scene's "
            "cast (mina)")


# -- errors point where the mistake was written ------------------------------------------------------------------------
def test_a_syntax_error_in_a_series_prompt_is_reported_at_the_series(built):
    recipe = GOOD.replace("{{ cast }} {{ action }}", "{{ cast }} {{ action ")
    refused(built, recipe, f"recipes/r.py:{line_of(recipe, 'Series(')}: series s prompt: template syntax error")


def test_an_undefined_variable_of_a_series_prompt_is_reported_at_the_scene_naming_the_series(built):
    declared = 's.scene("b", cast=[mina], acton="x")'
    recipe = GOOD + declared + "\n"
    refused(built, recipe, f"recipes/r.py:{line_of(recipe, declared)}: scene s/b: the prompt of series s (at "
            f"recipes/r.py:{line_of(recipe, 'Series(')})", "'action' is undefined; did you mean acton?")


def test_an_error_in_a_template_file_is_reported_at_its_line_naming_the_scene(built):
    declared = 's.scene("b", action="x", prompt=template("p.j2"))'
    recipe = GOOD + declared + "\n"
    refused(built, recipe, "recipes/p.j2:3: undefined template variable: 'plase' is undefined",
            f"rendering scene s/b at recipes/r.py:{line_of(recipe, declared)}",
            files={"recipes/p.j2": "{{ action }}\nat\n{{ plase }}\n"})


def test_a_missing_column_is_reported_at_the_row_with_the_recipe_line_that_read_it(built):
    reads = 's.scene(f"row{row.n}", action=row.acton)'
    recipe = GOOD + 'for row in s.rows("t.csv"):\n    ' + reads + "\n"
    refused(built, recipe, "recipes/t.csv:3: row has no column 'acton'; did you mean action?",
            f"read at recipes/r.py:{line_of(recipe, reads)}", files={"recipes/t.csv": "n,action\n\n1,waves\n"})


@pytest.mark.parametrize("name, data, line", [
    ("t.csv", b"n,action\n1,caf\xe9\n", 2),
    ("t.csv", b"n,action\n1,ok\n2,fine\n3,na\xefve\n", 4),
    ("t.json", b'[\n{"n": 1,\n "action": "caf\xe9"}]', 3),
])
def test_a_byte_that_is_not_utf8_is_reported_at_its_line(built, name, data, line):
    recipe = GOOD + f'for row in s.rows("{name}"):\n    s.scene(f"row{{row.n}}", action=row.action)\n'
    before = snapshot(built.root)
    (built.root / "recipes" / name).write_bytes(data)
    built.write("recipes/r.py", recipe)
    result = built.zflow("build")
    assert result.code == 2 and f"recipes/{name}:{line}: cannot read data table {name}: not UTF-8" in result.stderr
    assert snapshot(built.root) == before


# -- prompt length: bounded at load ([limits] prompt_chars) -------------------------------------------------------------
def test_a_10mb_value_in_a_table_is_refused_at_the_scene_that_renders_it(built):
    reads = 's.scene(f"row{row.n}", action=row.action)'
    recipe = GOOD + 'for row in s.rows("t.json"):\n    ' + reads + "\n"
    refused(built, recipe, f"recipes/r.py:{line_of(recipe, reads)}: scene s/row1: the prompt of series s",
            "the rendered prompt passed 80,000 characters (limit 20,000)",
            files={"recipes/t.json": '[{"n": 1, "action": "' + "waves " * 1_750_000 + '"}]'})


def test_a_csv_cell_too_large_to_read_is_reported_at_its_line(built):
    recipe = GOOD + 'for row in s.rows("t.csv"):\n    s.scene(f"row{row.n}", action=row.action)\n'
    refused(built, recipe, "recipes/t.csv:3: cannot read data table t.csv: field larger than field limit",
            files={"recipes/t.csv": "n,action\n1,waves\n2," + "w" * 200_000 + "\n"})


@pytest.mark.parametrize("declared, words", [
    ('t = Series("t", prompt="' + "long words " * 2000 + '")', "series t: the prompt is 22,000 characters, over "
     "the limit of 20,000 (shorten it, or raise [limits] prompt_chars in zflow.toml)"),
    ('s.scene("b", action="x", prompt="{{ action * 10**8 }}")', "repeating 1 items 100,000,000 times"),
    ('s.scene("b", action="x", prompt="{{ action|replace(\'x\', \'xxxxxxxxxx\')|replace(\'x\', \'xxxxxxxxxx\')'
     '|replace(\'x\', \'xxxxxxxxxx\')|replace(\'x\', \'xxxxxxxxxx\')|replace(\'x\', \'xxxxxxxxxx\') }}")',
     "filter do_replace made 100,000 items"),
    ('s.scene("b", action="x", negative="' + "blur, " * 4000 + '")', "scene b: the negative prompt is 24,000 characters"),
    ('s.scene("b", action="x", edits=[Edit.restyle("' + "ink " * 6000 + '")])', "edit restyle: the prompt is 24,000"),
])
def test_a_prompt_over_the_limit_is_refused_at_its_line(built, declared, words):
    refused_at_its_line(built, declared, words)


def test_a_template_file_over_the_limit_is_refused_naming_the_scene(built):
    declared = 's.scene("b", action="x", prompt=template("p.j2"))'
    recipe = GOOD + declared + "\n"
    refused(built, recipe, "recipes/p.j2:1: the prompt template is 30,000 characters, over the limit of 20,000",
            f"rendering scene s/b at recipes/r.py:{line_of(recipe, declared)}", files={"recipes/p.j2": "x" * 30_000})


def test_the_prompt_limit_is_set_in_zflow_toml(built):
    config = built.root / "zflow.toml"
    base = config.read_text()
    recipe = GOOD.replace('action="pours coffee"', 'action="pours coffee slowly into a white cup"')
    refused(built, recipe, "recipes/r.py:4: scene s/a: the prompt of series s (at recipes/r.py:3): the rendered prompt is 51 characters, over the limit of 40",
            files={"zflow.toml": base + "[limits]\nprompt_chars = 40\n"})
    config.write_text(base + "[limits]\nprompt_chars = 100\n")
    assert built.build().code == 0


# -- zflow.toml: every error names its line ----------------------------------------------------------------------------
@pytest.mark.parametrize("text, needle", [
    (b'output = "out"\nbase_pixels = \n', "zflow.toml:2: invalid TOML: Invalid value (column 15)"),
    (b'output = "out"\n[limits\n', "zflow.toml:2: invalid TOML: Expected ']' at the end of a table declaration"),
    (b'output = "out"\n\n# caf\xe9\n', "zflow.toml:3: not UTF-8 text (invalid continuation byte at byte 0xe9)"),
    (b'output = "out"\n[limits]\nprompt_chars = 0\n', "zflow.toml:3: [limits] prompt_chars: must be at least 1"),
])
def test_a_zflow_toml_mistake_is_reported_at_its_line(built, text, needle):
    before = snapshot(built.root)
    (built.root / "zflow.toml").write_bytes(text)
    result = built.zflow("build")
    assert result.code == 2 and needle in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert snapshot(built.root) == before
