"""Fixtures of the zimage tests: tiny random models saved once per session, one torch thread, requests to run."""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from helpers import zimage_model
from helpers.ci import need_torch
from zflow.contracts import Artifact, ModelRef, Output, Request, Task

STEPS = 2


@pytest.fixture(scope="session", autouse=True)
def offline_one_thread():
    """No hub, one torch thread (2-core CPU timings swing 20x with two)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    need_torch()
    import torch

    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_zimage(tmp_path_factory) -> Path:
    return zimage_model.build_zimage(tmp_path_factory.mktemp("models") / "tiny-random-z")


@pytest.fixture(scope="session")
def tiny_omni(tmp_path_factory) -> Path:
    return zimage_model.build_zimage_omni(tmp_path_factory.mktemp("models") / "tiny-z-image-omni")


@pytest.fixture(scope="session")
def tiny_sd(tmp_path_factory) -> Path:
    return zimage_model.build_stable_diffusion(tmp_path_factory.mktemp("models") / "tiny-sd")


def model_ref(folder: Path, **options) -> ModelRef:
    return ModelRef("zimage", str(folder), None, {"steps": STEPS, **options})


def request(kind: str, params: dict, inputs: tuple = (), model: ModelRef | None = None, root: Path = Path("."),
            task_id: str | None = None) -> Request:
    """A request as the engine makes it: stage task, canonical params (size [w, h]), input artifacts."""
    params = {"prompt": "a cat", "negative": "", "seed": 1, "size": [64, 64], **params}
    task = Task(task_id or f"s/{kind}-{params['seed']}", kind, params, tuple(a.task_id for a in inputs))
    return Request(task, "key-" + task.id, model, tuple(inputs), root)


def stored(output: Output, folder: Path, name: str, **meta) -> Artifact:
    """An Output as the store keeps it: files on disk and its meta (plus ``meta`` overrides)."""
    path = folder / f"{name}.png"
    path.write_bytes(output.files["image.png"])
    return Artifact(name, "key-" + name, {"image.png": path}, {**output.meta, **meta})


def picture(size=(64, 64), seed: int = 0) -> Image.Image:
    """A smooth test photo (gradients), not noise, so VAE round trips stay close."""
    width, height = size
    image = Image.new("RGB", size)
    image.putdata([((x * 255) // width, (y * 255) // height, ((x + y + seed * 16) * 2) % 256)
                   for y in range(height) for x in range(width)])
    return image


def photo_artifact(folder: Path, name: str = "photo", size=(64, 64), **meta) -> Artifact:
    path = folder / f"{name}.png"
    picture(size).save(path)
    return Artifact(name, "key-" + name, {"image.png": path}, {"size": list(size), **meta})


def pixels(output: Output):
    import numpy as np

    return np.asarray(Image.open(io.BytesIO(output.files["image.png"])).convert("RGB"), dtype=np.int16)
