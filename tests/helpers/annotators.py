"""Random-weight detector files in the formats controlnet-aux loads (lllyasviel/Annotators' names), made from
controlnet-aux's own model classes, imported as zflow imports them; and a project preprocessing a photograph."""
from __future__ import annotations

from pathlib import Path

from PIL import Image
from skimage import data

#: Scene a's map comes from a detector (``kind``), scene b's is a Canny map of the same photograph.
RECIPE = '''\
from zflow import Control, Series

s = Series("s", prompt="an astronaut {{{{ action }}}}", size="96x64", drafts=1, refine=False)
s.scene("a", action="waves", control=Control("{kind}", image="photos/astronaut.png"))
s.scene("b", action="smiles", control=Control("canny", image="photos/astronaut.png"))
'''
ENV = {"OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}


def write_detector(kind: str, folder: Path, seed: int = 0) -> Path:
    """Save a random ``kind`` detector (pose, hed, mlsd) into ``folder`` under the file name it is loaded from."""
    import torch
    from zflow_control.annotators import DETECTORS, detector_module

    module, (_, _, files) = detector_module(kind), DETECTORS[kind]
    torch.manual_seed(seed)
    if kind == "pose":  # the file's keys lack the model's first part (controlnet-aux's util.transfer adds it)
        model = module.body.bodypose_model()
        state = {key.split(".", 1)[1]: value for key, value in model.state_dict().items()}
    else:
        model = module.ControlNetHED_Apache2() if kind == "hed" else module.MobileV2_MLSD_Large()
        state = model.state_dict()
    folder.mkdir(parents=True, exist_ok=True)
    torch.save(state, folder / files[0])
    return folder / files[0]


def setup(project, kind: str, annotators) -> None:
    """The photograph, RECIPE with ``kind`` for scene a, and ``[stages.control]`` reading ``annotators``."""
    (project.root / "recipes/photos").mkdir(parents=True, exist_ok=True)
    Image.fromarray(data.astronaut()).resize((128, 128)).save(project.root / "recipes/photos/astronaut.png")
    project.write("recipes/r.py", RECIPE.format(kind=kind))
    project.write("zflow.toml", (project.root / "zflow.toml").read_text()
                  + f'[stages.control]\noptions = {{ annotators = "{annotators}" }}\n')
