"""A zflow project in a temporary folder, driven through the real `zflow` command, and the basic recipe."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from helpers.hostile import folder_bytes

ZFLOW = str(Path(sys.executable).with_name("zflow"))

#: Tiny images keep the preview backend fast: 64x64 for a 1:1 aspect.
CONFIG = 'output = "out"\nbase_pixels = 4096\n'

BASIC_RECIPE = '''\
from zflow import Character, Edit, Series, Style

mina = Character("mina", looks="barista, green apron")
warm = Style("warm", "warm film photo")
s = Series("s", style=warm, prompt="{{ cast }} {{ action }}, {{ style }}", size="64x64", drafts=2)
s.scene("a", cast=[mina], action="pours coffee")
s.scene("b", cast=[mina], action="reads a book", edits=[Edit.inpaint("face", "a smile")])
'''

BASIC_TASKS = {
    "characters/mina/sheet",
    "s/a/draft-1", "s/a/draft-2", "s/a/contact", "s/a/refine",
    "s/b/draft-1", "s/b/draft-2", "s/b/contact", "s/b/refine", "s/b/edit-1-inpaint",
}


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    events: list[dict] = field(default_factory=list)

    @property
    def summary(self) -> dict:
        return self.events[-1]

    def ids(self, event: str) -> set[str]:
        return {e["id"] for e in self.events if e.get("event") == event}


@dataclass
class ProjectDir:
    """A zflow project in a temporary folder."""

    root: Path
    env: dict = field(default_factory=dict)

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def zflow(self, *args: str, env: dict | None = None, timeout: float = 120) -> Result:
        run_env = {**os.environ, **self.env, **(env or {})}
        proc = subprocess.run([ZFLOW, *args], cwd=self.root, capture_output=True, text=True, env=run_env,
                              timeout=timeout)
        events = []
        if "--json" in args:
            events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{") and line.endswith("}")]
        return Result(proc.returncode, proc.stdout, proc.stderr, events)

    def build(self, *args: str, env: dict | None = None) -> Result:
        return self.zflow("build", "--json", *args, env=env)

    def out_files(self) -> dict[str, bytes]:
        out = self.root / "out"
        return folder_bytes(out) if out.exists() else {}
