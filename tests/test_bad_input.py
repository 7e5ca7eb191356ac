"""Bad input: exit 2 with file:line, nothing written, nothing deleted."""
from __future__ import annotations

import pytest

from helpers.project import BASIC_RECIPE

pytestmark = [pytest.mark.e2e]

HEADER = '''\
from zflow import Character, Edit, Series, Style
mina = Character("mina", looks="barista")
s = Series("s", prompt="{{ cast }} {{ action }}", size="32x32", drafts=1)
'''

CASES = {
    "syntax error": (HEADER + 's.scene("a", cast=[mina], action="x"\n', 4, "syntax error"),
    "undefined template variable": (HEADER + 's.scene("a", cast=[mina])\n', 4, "action"),
    "unknown character": (HEADER + 's.scene("a", cast=["jun"], action="x")\n', 4, "unknown character 'jun'"),
    "unknown style": (HEADER + 's.scene("a", cast=[mina], action="x", style="noir")\n', 4, "unknown style 'noir'"),
    "duplicate scene id": (HEADER + 's.scene("a", action="x")\ns.scene("a", action="y")\n', 5,
                           "duplicate scene id 'a'"),
    "cycle": (HEADER + 's.scene("a", action="x", photo="@s/b")\ns.scene("b", action="y", photo="@s/a")\n', 4,
              "cycle between scenes"),
    "impossible size": (HEADER + 's.scene("a", action="x", size="0x100")\n', 4, "impossible size"),
    "impossible aspect": (HEADER + 's.scene("a", action="x", size="wide")\n', 4, "impossible size 'wide'"),
    "missing reference file": (HEADER + 'Character("jun", looks="x", reference="refs/jun.png")\n', 4,
                               "refs/jun.png"),
    "non-image reference file": (HEADER + 'open(__file__.replace("r.py", "notes.png"), "w").write("hi")\n'
                                 'jun = Character("jun", looks="x", reference="notes.png")\n'
                                 's.scene("a", cast=[jun], action="x")\n', 5, "is not an image"),
    "scene id escaping the output folder": (HEADER + 's.scene("../../etc", action="x")\n', 4,
                                            "invalid scene id '../../etc'"),
    "unknown edit operation": (HEADER + 's.scene("a", action="x", edits=[Edit.custom("melt")])\n', 4,
                               "unknown edit operation 'melt'"),
    "bad edit region": (HEADER + 's.scene("a", action="x", edits=[Edit.inpaint("hand", "x")])\n', 4,
                        "inpaint"),
    "bad pick": (HEADER + 's.scene("a", action="x", pick=3)\n', 4, "pick 3"),
    "error in a helper module": (HEADER + 'import _helper\n', 1, "ZeroDivisionError"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_recipe_exits_2_naming_file_and_line_and_changes_nothing(project, case):
    project.write("recipes/good.py", BASIC_RECIPE.replace('Series("s"', 'Series("good"').replace('"mina"', '"ana"'))
    assert project.build().code == 0
    before = project.out_files()
    keys_before = sorted((project.root / ".zflow/objects").rglob("*"))
    text, line, message = CASES[case]
    project.write("recipes/r.py", text)
    project.write("recipes/_helper.py", "x = 1 / 0\n")
    result = project.build()
    assert result.code == 2, result.stderr
    error = result.events[-1]
    assert error["event"] == "error" and message in error["error"]
    expected_file = "recipes/_helper.py" if case == "error in a helper module" else "recipes/r.py"
    assert error["file"].endswith(expected_file) and error["line"] == line
    assert f"{expected_file}:{line}: " in result.stderr
    assert project.out_files() == before
    assert sorted((project.root / ".zflow/objects").rglob("*")) == keys_before


def test_bad_recipe_in_a_fresh_project_writes_nothing(project):
    project.write("recipes/r.py", HEADER + 's.scene("a", cast=[mina])\n')
    result = project.build()
    assert result.code == 2
    assert not (project.root / "out").exists() and not (project.root / ".zflow").exists()


def test_bad_data_table_row_names_the_table_line(project):
    project.write("recipes/rows.csv", "n,action\n1,waves\n2,sits,extra\n")
    project.write("recipes/r.py", HEADER + 'for row in s.rows("rows.csv"):\n    s.scene(f"e{row.n}", action=row.action)\n')
    result = project.build()
    assert result.code == 2 and result.events[-1]["file"].endswith("recipes/rows.csv")
    assert result.events[-1]["line"] == 3


def test_unknown_setting_in_config_is_a_usage_error(basic):
    basic.write("zflow.toml", 'base_pixels = 4096\noutptu = "x"\n')
    result = basic.build()
    assert result.code == 2 and "zflow.toml:2: outptu: unknown setting (known: " in result.stderr


def test_missing_backend_names_the_setting(basic):
    basic.write("zflow.toml", 'base_pixels = 4096\n[stages.refine]\nbackend = "nope"\n')
    result = basic.build()
    assert result.code == 2 and "stages.refine.backend" in result.stderr and "'nope'" in result.stderr
