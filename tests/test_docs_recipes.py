"""docs/recipes.md's tutorial, run as written: its files are written and its shell commands run in order in an empty
folder (with the test's zflow on PATH), each must succeed, and the output it shows must be what the commands print."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e]

DOC = Path(__file__).resolve().parents[1] / "docs" / "recipes.md"
#: Set-up lines the test does itself (the folder, the virtual environment, installing zflow).
SET_UP = ("mkdir ", "python3 -m venv", "pip install")


def tutorial() -> list[tuple[str, str]]:
    """The tutorial's fenced blocks in order, as (language, text)."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Your first series", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(\w+)\n(.*?)```", section, re.S)


def test_the_tutorial_runs_as_written(tmp_path: Path) -> None:
    folder = tmp_path / "my-series"
    folder.mkdir()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    last_output = ""
    ran = []
    for language, body in tutorial():
        first, _, rest = body.partition("\n")
        if first.startswith("# file: "):
            path = folder / first.removeprefix("# file: ").strip()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(rest, encoding="utf-8")
            continue
        if language == "text":
            for line in body.strip().splitlines():
                assert line in last_output, f"the tutorial shows {line!r}, the command printed:\n{last_output}"
            continue
        assert language == "sh"
        last_output = ""
        for line in body.strip().splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command.startswith(SET_UP) or command.startswith(("cd ", ". ")) or not command:
                continue
            proc = subprocess.run(["bash", "-c", command], cwd=folder, env=env, capture_output=True, text=True,
                                  timeout=300)
            assert proc.returncode == 0, f"{command!r} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            last_output += proc.stdout + proc.stderr
            ran.append((command, proc.stdout + proc.stderr))
            if command == "zflow init":  # small images keep the test quick; the tutorial's commands stay as written
                toml = folder / "zflow.toml"
                toml.write_text("base_pixels = 16384\n" + toml.read_text())
    builds = [out for command, out in ran if command == "zflow build"]
    assert len(builds) == 4 and "0 ran," in builds[1], "the second build has nothing to do"
    [plan] = [out for command, out in ran if command == "zflow plan"]
    planned = [line.split()[1] for line in plan.splitlines() if line.startswith("run ")]
    assert planned and all(t.startswith(("rooftop-cats/ep02/rest/", "rooftop-cats/export/")) for t in planned)
    [explain] = [out for command, out in ran if command.startswith("zflow explain")]
    assert "input rooftop-cats/ep01/meet/draft-2 added" in explain
    slices = sorted((folder / "out/rooftop-cats/export/ep01/episode").iterdir())
    assert [p.name for p in slices][:2] == ["001.jpg", "002.jpg"]
    assert len(list((folder / "out/rooftop-cats/export/sns/ig_portrait").iterdir())) == 4
    assert (folder / "out/rooftop-cats/export/ep02/episode/001.jpg").is_file()
    assert (folder / "out/rooftop-cats/export/blog/index.html").is_file()
