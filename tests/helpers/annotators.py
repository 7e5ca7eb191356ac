"""Random-weight detector files in the formats controlnet-aux loads (lllyasviel/Annotators' names), made from
controlnet-aux's own model classes, imported as zflow imports them."""
from __future__ import annotations

from pathlib import Path


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
