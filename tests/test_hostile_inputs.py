"""A corpus of hostile inputs through `zflow build`: each one exits 2 naming the file and line at fault, and leaves
out/ and .zflow/ byte for byte as they were."""
from __future__ import annotations

import shutil

import pytest

from helpers.project import BASIC_RECIPE, CONFIG, ProjectDir
from helpers.hostile import snapshot

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

HEADER = '''\
from zflow import Character, Edit, Series, Style
mina = Character("mina", looks="barista")
s = Series("s", prompt="{{ cast }} {{ action }}", size="32x32", drafts=1)
'''
R = "recipes/r.py"


def recipe(*lines: str) -> dict[str, str]:
    """A recipe whose own lines start at line 4."""
    return {R: HEADER + "".join(line + "\n" for line in lines)}


def table(name: str, content: str | bytes, **more: str | bytes) -> dict[str, str | bytes]:
    """A recipe reading ``name`` (on line 4) and declaring a scene per row, with the table's bytes."""
    return {**recipe(f'for row in s.rows("{name}"):', '    s.scene(f"e{row.n}", action=row.action)'),
            f"recipes/{name}": content, **more}


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))

CASES = [
    # syntax and name errors
    pytest.param(recipe('s.scene("a", cast=[mina], action="x"'), R, 4, "syntax error", id="syntax-error"),
    pytest.param(recipe("if True:", "x = 1"), R, 5, "syntax error", id="indentation"),
    pytest.param(recipe('s.scene("a", cast=[jun], action="x")'), R, 4, "NameError", id="undefined-name"),
    pytest.param(recipe("import no_such_module_here"), R, 4, "ModuleNotFoundError", id="missing-import"),
    pytest.param({**recipe("import _helper"), "recipes/_helper.py": "x = 1\ny = 1 / 0\n"}, "recipes/_helper.py", 2,
                 "ZeroDivisionError", id="helper-module-error"),
    pytest.param(recipe('s.scene("a", cast=["jun"], action="x")'), R, 4, "unknown character 'jun'",
                 id="unknown-character"),
    pytest.param(recipe('s.scene("a", action="x", style="noir")'), R, 4, "unknown style 'noir'", id="unknown-style"),
    pytest.param(recipe('s.scene("a", cast=[mina])'), R, 4, "action", id="undefined-template-variable"),
    pytest.param(recipe('s.scene("a", action="x")', 's.scene("a", action="y")'), R, 5, "duplicate scene id",
                 id="duplicate-scene"),
    pytest.param(recipe('s.scene("a", action="x", edits=[Edit.custom("melt")])'), R, 4, "unknown edit operation",
                 id="unknown-edit"),
    pytest.param(recipe("def f(): return f()", "f()"), R, 4, "RecursionError", id="runaway-recursion"),
    # sizes and counts
    pytest.param(recipe('s.scene("a", action="x", size="0x100")'), R, 4, "impossible size", id="size-zero"),
    pytest.param(recipe('s.scene("a", action="x", size="-64x64")'), R, 4, "impossible size", id="size-negative"),
    pytest.param(recipe('s.scene("a", action="x", size="99999x99999")'), R, 4, "16-4096 px", id="size-huge"),
    pytest.param(recipe('s.scene("a", action="x", size="wide")'), R, 4, "impossible size 'wide'", id="size-word"),
    pytest.param(recipe('s.scene("a", action="x", drafts=10**9)'), R, 4, "drafts must be", id="drafts-huge"),
    pytest.param(recipe('s.scene("a", action="x", drafts=-1)'), R, 4, "drafts must be", id="drafts-negative"),
    pytest.param(recipe('s.scene("a", action="x", pick=-1)'), R, 4, "pick -1", id="pick-negative"),
    # ids
    pytest.param(recipe('s.scene("../../etc", action="x")'), R, 4, "invalid scene id", id="id-dotdot"),
    pytest.param(recipe('s.scene("/etc/passwd", action="x")'), R, 4, "invalid scene id", id="id-absolute"),
    pytest.param(recipe('s.scene("", action="x")'), R, 4, "invalid scene id", id="id-empty"),
    pytest.param(recipe('s.scene("a\\x00b", action="x")'), R, 4, "invalid scene id", id="id-nul"),
    pytest.param(recipe('s.scene("a\\nb", action="x")'), R, 4, "invalid scene id", id="id-newline"),
    pytest.param(recipe('Series("../up", prompt="x")'), R, 4, "invalid series name", id="series-dotdot"),
    # tables: csv
    pytest.param(table("t.csv", ""), "recipes/t.csv", 1, "is empty", id="csv-zero-bytes"),
    pytest.param(table("t.csv", " \n\n  \n"), "recipes/t.csv", 1, "is empty", id="csv-blank"),
    pytest.param(table("t.csv", b"\xef\xbb\xbf"), "recipes/t.csv", 1, "is empty", id="csv-bom-only"),
    pytest.param(table("t.csv", "n,action\n1,waves\n2,sits,extra\n"), "recipes/t.csv", 3, "more cells",
                 id="csv-extra-cell"),
    pytest.param(table("t.csv", b"n,act\xe9on\n1,waves\n"), "recipes/t.csv", 1, "cannot read", id="csv-latin1"),
    pytest.param(table("t.csv", "n,action\n1,waves\n".encode("utf-16")), "recipes/t.csv", 1, "cannot read",
                 id="csv-utf16"),
    pytest.param(table("t.csv", "n,actoin\n1,waves\n"), "recipes/t.csv", 2, "no column 'action'",
                 id="csv-missing-column"),
    pytest.param(table("t.tsv", "n\taction\n1\twaves\n"), R, 4, "use .csv", id="table-unknown-format"),
    pytest.param(recipe('s.rows("nowhere.csv")'), R, 4, "not found", id="table-missing"),
    # tables: json
    pytest.param(table("t.json", ""), "recipes/t.json", 1, "is empty", id="json-zero-bytes"),
    pytest.param(table("t.json", '[{"n": 1, "action": "x"'), "recipes/t.json", 1, "cannot read", id="json-truncated"),
    pytest.param(table("t.json", "42"), "recipes/t.json", 1, "list of mappings", id="json-not-a-list"),
    pytest.param(table("t.json", "[1, 2]"), "recipes/t.json", 1, "list of mappings", id="json-list-of-numbers"),
    pytest.param(table("t.json", b'[{"n": 1, "action": "caf\xe9"}]'), "recipes/t.json", 1, "cannot read",
                 id="json-latin1"),
    # tables: yaml
    pytest.param(table("t.yaml", ""), "recipes/t.yaml", 1, "is empty", id="yaml-zero-bytes"),
    pytest.param(table("t.yaml", "- n: 1\n  action: [unclosed\n"), "recipes/t.yaml", 3, "invalid YAML",
                 id="yaml-syntax"),
    pytest.param(table("t.yml", '- n: 1\n  action: !!python/object/apply:os.system ["touch pwned"]\n'),
                 "recipes/t.yml", 2, "python/object/apply", id="yaml-python-tag"),
    pytest.param(table("t.yaml", "- n: 1\n  action: !shell ls\n"), "recipes/t.yaml", 2, "!shell", id="yaml-unknown-tag"),
    pytest.param(table("t.yaml", BOMB + "rows:\n- n: 1\n  action: *i\n"), "recipes/t.yaml", 6, "alias bomb",
                 id="yaml-alias-bomb"),
    pytest.param(table("t.yaml", "- &r\n  n: 1\n  action: [*r]\n"), "recipes/t.yaml", 3, "refers to itself",
                 id="yaml-recursive-alias"),
    pytest.param(table("t.yaml", b"- n: 1\n  action: caf\xe9\n"), "recipes/t.yaml", 2, "not UTF-8",
                 id="yaml-latin1"),
    pytest.param({**table("t.csv", "n,action\n" + "1,waves\n" * 200),
                  "zflow.toml": CONFIG + '[limits]\ntable_bytes = 1000\n'},
                 "recipes/t.csv", 1, "table_bytes", id="table-over-size-limit"),
    # huge values
    pytest.param(table("t.csv", "n,action\n1," + "x" * 200_000 + "\n"), "recipes/t.csv", 2, "field larger",
                 id="csv-huge-cell"),
    pytest.param(table("t.json", "[" * 100_000 + "]" * 100_000), "recipes/t.json", 1, "recursion",
                 id="json-deeply-nested"),
    pytest.param(table("t.yaml", "[" * 100_000 + "]" * 100_000), "recipes/t.yaml", 1, "nested too deeply",
                 id="yaml-deeply-nested"),
    pytest.param(recipe('s.scene("a", action="x", seed=2**80)'), R, 4, "seed", id="seed-huge"),
    # recipes that exit, raise BaseException, print a lot or start threads
    pytest.param(recipe("import sys", "sys.exit(0)"), R, 5, "sys.exit(0)", id="sys-exit-0"),
    pytest.param(recipe("import sys", "sys.exit(3)"), R, 5, "sys.exit(3)", id="sys-exit-3"),
    pytest.param(recipe("raise SystemExit('bye')"), R, 4, "sys.exit('bye')", id="raise-system-exit"),
    pytest.param(recipe("raise KeyboardInterrupt"), R, 4, "KeyboardInterrupt (not a Ctrl-C)", id="keyboard-interrupt"),
    pytest.param(recipe("raise GeneratorExit('x')"), R, 4, "GeneratorExit", id="generator-exit"),
    pytest.param(recipe("class Odd(BaseException): pass", "raise Odd('odd')"), R, 5, "Odd: odd",
                 id="custom-base-exception"),
    pytest.param(recipe("print('x' * 100_000)", "print('y\\n' * 50_000)", "1 / 0"), R, 6, "ZeroDivisionError",
                 id="prints-a-lot"),
    pytest.param(recipe("import threading, time", "threading.Thread(target=time.sleep, args=(600,), "
                        "name='recipe-sleeper').start()", "1 / 0"), R, 6, "ZeroDivisionError",
                 id="thread-left-running"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> ProjectDir:
    """A project built once from a good recipe; each case starts from a copy of it."""
    good = ProjectDir(tmp_path_factory.mktemp("hostile") / "good")
    good.write("zflow.toml", CONFIG)
    good.write("recipes/good.py", BASIC_RECIPE.replace('Series("s"', 'Series("good"').replace('"mina"', '"ana"'))
    assert good.build().code == 0
    return good


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40


@pytest.mark.parametrize("files, file, line, message", CASES)
def test_hostile_input_exits_2_at_its_file_and_line_and_changes_nothing(built, tmp_path, files, file, line, message):
    project = ProjectDir(tmp_path / "proj")
    shutil.copytree(built.root, project.root, symlinks=True)
    before = snapshot(project.root)
    for rel, content in files.items():
        path = project.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    result = project.zflow("build", "--json", timeout=60)
    assert result.code == 2, result.stderr[-2000:]
    error = result.events[-1]
    assert error["event"] == "error" and message in error["error"], error
    assert error["file"].endswith(file) and error["line"] == line, error
    assert f"{file}:{line}: " in result.stderr
    assert snapshot(project.root) == before
    assert not (project.root / "recipes/pwned").exists() and not (project.root / "pwned").exists()


def test_a_yaml_table_may_share_values_through_anchors_and_merge_keys(project):
    project.write("recipes/r.py", HEADER.replace('drafts=1)', 'drafts=1, refine=False)') +
                  'for row in s.rows("rows.yaml"):\n    s.scene(f"e{row.n}", action=row.action)\n')
    project.write("recipes/rows.yaml", "- &base\n  n: 0\n  action: waves\n" +
                  "".join(f"- <<: *base\n  n: {n}\n" for n in range(1, 41)))
    result = project.zflow("plan", "--json")
    assert result.code == 0, result.stderr
    assert '"s/e40/draft-1"' in result.stdout
