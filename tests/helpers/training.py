"""A project whose recipe trains a character LoRA on a tiny Z-Image model, and reading what its builds made."""
from __future__ import annotations

from pathlib import Path

from PIL import Image

from helpers.project import ProjectDir

#: What the training tests' builds run with: no hub, one torch thread.
ENV = {"HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
TRAIN_ID = "characters/nabi/train"
RECIPE = '''\
from zflow import Character, Series, Train
nabi = Character("nabi", looks="a grey cat", trigger="nabi_cat",
                 train=Train(images="nabi/*.png", steps={steps}, rank=4, lr=5e-3, resolution=64,
                             checkpoint_every={every}))
s = Series("s", prompt="{{{{ cast }}}} {{{{ action }}}}", size="64x64", drafts=1, refine=False)
s.scene("cat", cast=[nabi], action="naps")
s.scene("cup", action="a cup of tea")
'''


def training_project(project: ProjectDir, model: Path, steps: int, every: int, settings: str = "") -> ProjectDir:
    """``project`` drafting on ``model`` (zimage) and training "nabi" on three images; ``settings`` ends zflow.toml."""
    project.write("zflow.toml", f'output = "out"\nbase_pixels = 4096\n[stages.draft]\nbackend = "zimage"\n'
                                f'model = "{model}"\noptions = {{ steps = 2 }}\n{settings}')
    for i in range(3):
        path = project.root / f"recipes/nabi/{i}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (64, 64), (60 * i, 110, 200 - 40 * i)).save(path)
    project.write("recipes/r.py", RECIPE.format(steps=steps, every=every))
    return project


def train_progress(events: list[dict]) -> list[dict]:
    """A build's training progress events."""
    return [e for e in events if e["event"] == "train-progress"]


def meta_of(project: ProjectDir, task_id: str) -> dict:
    """The meta of ``task_id``'s artifact as the project's current plan keys it."""
    from zflow.engine import Project

    session = Project(project.root)
    try:
        plan = session.plan(session.load())
        return dict(session.store.artifact(plan.items[task_id].key).meta)
    finally:
        session.close()


def tensors(path: Path) -> dict:
    """A safetensors file's tensors, as numpy arrays."""
    from safetensors.numpy import load_file

    return load_file(path)
