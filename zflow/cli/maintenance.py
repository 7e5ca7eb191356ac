"""`zflow init` (scaffold a project) and `zflow gc` (drop store objects no task references)."""
from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from ..errors import UsageError
from ..store import STORE_DIR
from ..store.storage import storage_errors
from .common import open_project

ZFLOW_TOML = """\
# zflow settings (every option is in zflow's README, "Configuration"). Every stage below uses the weightless
# preview; point a stage at a model to render for real.
output = "out"
recipes = ["recipes/*.py"]

[stages.draft]
backend = "preview"
# backend = "zimage"
# model = "Tongyi-MAI/Z-Image-Turbo"

[stages.refine]
backend = "preview"

[stages.edit]
backend = "preview"
"""

RECIPE = '''\
"""{name}: a weekly series driven by a content calendar (episodes.csv)."""
from zflow import Character, Edit, Series, Style, sns

hero = Character("hero", looks="young explorer, red scarf, short brown hair")
look = Style("storybook", "soft watercolor illustration, warm light", negative="blurry, text")

series = Series("{name}", style=look, prompt="{{{{ cast }}}} {{{{ action }}}}, {{{{ place }}}}, {{{{ style }}}}")

for ep in series.rows("episodes.csv"):
    series.scene(f"ep{{ep.n:02}}", cast=[hero], action=ep.action, place=ep.place, size="3:4", drafts=3,
                 title=ep.title, edits=[Edit.inpaint("face", "a warm smile")])

sns(series, "ig_portrait", "x_post")
'''

EPISODES = """\
n,title,action,place
1,The map,unfolds an old map,a dusty attic
2,The river,crosses a rope bridge,a misty river valley
"""


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="create a project with a config and an example recipe")
    p.add_argument("folder", nargs="?", default=".")
    p.add_argument("--name", default="my-series", help="name of the example series")
    p.set_defaults(run=run_init)

    p = sub.add_parser("gc", help="delete store objects that no current task references")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_gc)


def run_init(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    files = {
        folder / "zflow.toml": ZFLOW_TOML,
        folder / "recipes" / "series.py": RECIPE.format(name=args.name),
        folder / "recipes" / "episodes.csv": EPISODES,
    }
    existing = [str(f) for f in files if f.exists()]
    if existing:
        raise UsageError(f"not overwriting existing files: {', '.join(existing)}")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"created {path}")
    go = "" if folder.resolve() == Path.cwd().resolve() else f"cd {shlex.quote(str(folder))} && "
    print(f"next: {go}zflow build")
    print("then: zflow watch --serve   (rebuilds as you save; the live gallery is on http://127.0.0.1:8765)")
    return 0


def run_gc(args: argparse.Namespace) -> int:
    project = open_project(args)
    try:
        with storage_errors(project.root / STORE_DIR), project.store.lock():
            project.store.refresh()
            plan = project.plan(project.load())
            dropped = project.store.gc({item.key for item in plan.items.values()})
    finally:
        project.close()
    if args.json:
        import json

        print(json.dumps(dropped))
    else:
        work = f" and {dropped['work']} unfinished tasks' work folders" if dropped["work"] else ""
        print(f"removed {dropped['artifacts']} artifacts, {dropped['objects']} objects and "
              f"{dropped['temporaries']} temporary files{work}")
    return 0
