"""Under CI=true nothing skips: a skip, or a missing tool, fails with its reason and install hint; elsewhere they
skip. Checked by running pytest on a small suite beside a copy of this suite's conftest and helpers."""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).parent

SUITE = '''\
import pytest
from helpers.ci import missing_modules, need


def test_skips():
    pytest.skip("the frobnicator is asleep")


def test_needs_a_missing_module():
    need(missing_modules("zflow_no_such_module", hint="pip install zflow-no-such-module"))


def test_runs():
    assert True
'''

MODULE_LEVEL = '''\
from helpers.ci import missing_modules, need

need(missing_modules("zflow_no_such_module", hint="pip install zflow-no-such-module"))


def test_never_collected():
    assert False
'''

MODULE_SKIP = '''\
import pytest

pytest.skip("this module's frobnicator is asleep", allow_module_level=True)


def test_never_collected():
    assert False
'''


def run_suite(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess:
    shutil.copy(TESTS / "conftest.py", tmp_path / "conftest.py")
    shutil.copytree(TESTS / "helpers", tmp_path / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "test_suite.py").write_text(SUITE)
    (tmp_path / "test_module_level.py").write_text(MODULE_LEVEL)
    (tmp_path / "test_module_skip.py").write_text(MODULE_SKIP)
    env = {k: v for k, v in os.environ.items() if k != "CI"} | ({"CI": "true"} if ci else {})
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rfEs",
                           "--continue-on-collection-errors", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_under_ci_every_skip_fails_with_its_reason_and_install_hint(tmp_path):
    result = run_suite(tmp_path, ci=True)
    assert result.returncode == 1, result.stdout
    out = result.stdout
    assert "skipped under CI=true, where nothing may skip: the frobnicator is asleep" in out
    assert "CI=true and zflow_no_such_module not installed (pip install zflow-no-such-module)" in out
    assert "FAILED test_suite.py::test_skips" in out and "FAILED test_suite.py::test_needs_a_missing_module" in out
    assert "ERROR test_module_level.py" in out
    assert "skipped under CI=true, where nothing may skip: this module's frobnicator is asleep" in out
    assert "1 passed" in out and "skipped" not in out.splitlines()[-1]


def test_outside_ci_the_same_tests_skip_with_the_install_hint(tmp_path):
    result = run_suite(tmp_path, ci=False)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 4 skipped" in result.stdout
    assert "zflow_no_such_module not installed (pip install zflow-no-such-module)" in result.stdout


def test_no_test_module_imports_another_or_the_conftest():
    """Shared code lives in tests/helpers/; a test module imported by another would run its tests twice."""
    wrong = []
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            wrong += [f"{path.relative_to(TESTS)}:{node.lineno}: {name}" for name in names
                      if name.split(".")[0].startswith(("test_", "conftest", "tests"))]
    assert wrong == []
