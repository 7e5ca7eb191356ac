"""Fixtures shared by the tests (real projects in tmp_path, driven through the real `zflow` command), and under
CI=true, every skip turned into a failure: a CI run must not pass by leaving out what it was meant to check."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from helpers.ci import in_ci
from helpers.project import BASIC_RECIPE, CONFIG, ProjectDir
from helpers.ray_lab import Lab, started_lab


@pytest.fixture
def project(tmp_path: Path) -> ProjectDir:
    proj = ProjectDir(tmp_path / "proj")
    proj.write("zflow.toml", CONFIG)
    return proj


@pytest.fixture
def basic(project: ProjectDir) -> ProjectDir:
    project.write("recipes/basic.py", BASIC_RECIPE)
    return project


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    """One real Ray cluster of this machine for the session's Ray tests (see helpers.ray_lab)."""
    with started_lab() as cluster:
        yield cluster


def failed_in_ci(report) -> None:
    """Make a skipped report a failure that names the skip's reason (under CI=true)."""
    if in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        _, _, reason = report.longrepr if isinstance(report.longrepr, tuple) else ("", 0, str(report.longrepr))
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where nothing may skip: {reason.removeprefix('Skipped: ')}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    failed_in_ci(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    failed_in_ci(outcome.get_result())
