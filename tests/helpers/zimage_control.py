"""Fixtures of the ControlNet tests: a tiny Z-Image and two tiny ControlNets saved once per session, and a project
configuration that puts the image stages on them."""
from __future__ import annotations

import pytest

from helpers import zimage_model


@pytest.fixture(scope="session")
def control_models(tmp_path_factory):
    """A tiny Z-Image folder, a ControlNet for it, and another ControlNet (other layers) for it."""
    folder = tmp_path_factory.mktemp("control-models")
    return (zimage_model.build_zimage(folder / "z"), zimage_model.build_zimage_controlnet(folder / "cn"),
            zimage_model.build_zimage_controlnet(folder / "cn-other", layers=(0,)))


def configure(project, model, controlnet: str | None, extra: str = "") -> None:
    """zflow.toml with the draft, refine and edit stages on ``model`` (2 steps), ``controlnet`` when given, and the
    ``extra`` options (``key = value, ...``)."""
    option = (f', controlnet = "{controlnet}"' if controlnet else "") + (f", {extra}" if extra else "")
    project.write("zflow.toml", 'output = "out"\nbase_pixels = 4096\n' + "".join(
        f'\n[stages.{stage}]\nbackend = "zimage"\nmodel = "{model}"\noptions = {{ steps = 2{option} }}\n'
        for stage in ("draft", "refine", "edit")))
