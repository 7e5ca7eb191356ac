"""A stage's backend options, read and checked, with defaults picked by model flavour and task kind."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from zflow.contracts.settings import Setting, located, nonempty

#: Turbo (draft) and Base (refine) settings from the model cards; ``None`` steps/guidance = the pipeline's own default.
TURBO = {"steps": 9, "guidance": 0.0, "negative": ""}
BASE = {"steps": 40, "guidance": 4.0,
        "negative": "blurry, low quality, lowres, distorted, deformed, bad anatomy, watermark, text, jpeg artifacts"}
OTHER = {"steps": None, "guidance": None, "negative": ""}

#: Options that change the pixels, so they are part of every task key (``key_options``); the rest change speed.
OUTPUT_OPTIONS = ("pipeline", "steps", "guidance", "negative", "strength", "cfg_normalization", "max_sequence_length",
                  "dtype", "exact_batches", "vae_tiling_above", "reference_pixels")
RUNTIME_OPTIONS = ("device", "cpu_offload", "attention", "compile", "batch_size", "max_images")
#: The stage's ControlNet (a folder or hub id, and the hub revision): keyed only into the tasks with control.
CONTROL_OPTIONS = ("controlnet", "controlnet_revision")
DTYPES = ("auto", "float32", "bfloat16", "float16")
DEVICES = ("auto", "cpu", "cuda", "mps")


def setting(stage: str | None, key: str = "model") -> str:
    """Where a user changes a setting in zflow.toml: ``stages.<stage>.model`` or ``stages.<stage>.options.<key>``."""
    return f"stages.{stage or '<stage>'}.{key if key in ('model', 'revision') else 'options.' + key}"


@dataclass(frozen=True, slots=True)
class Settings:
    """How one stage runs its model: sampling settings, where and how the pipeline is placed, its ControlNet."""

    pipeline: str
    steps: int | None
    guidance: float | None
    negative: str
    strength: float | None
    cfg_normalization: bool
    max_sequence_length: int | None
    dtype: str
    device: str
    cpu_offload: bool
    attention: str | None
    compile: bool
    batch_size: int
    exact_batches: bool
    vae_tiling_above: int = 1024  # images with a longer side are VAE-encoded and decoded in tiles
    controlnet: str | None = None
    controlnet_revision: str | None = None
    reference_pixels: int | None = None  # the area input images of an instruction-edit model are encoded at
    max_images: int | None = None  # input images a call may take (default: the instruction-edit model's own)


def key_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options that change pixels (``batch_size`` never does: an exact build makes each image in its own call,
    and a build with ``exact_batches = false`` already accepts images that vary with their call-mates)."""
    return {k: options[k] for k in OUTPUT_OPTIONS if k in options}


def flavour(model: str, kind: str) -> str:
    """``turbo`` or ``base`` defaults: by the model's name when it tells, else by the task kind (draft = Turbo)."""
    name = model.rstrip("/").lower()
    if "turbo" in name:
        return "turbo"
    if "z-image" in name or "zimage" in name:
        return "base"
    return "turbo" if kind in ("sheet", "draft") else "base"


def _settings(defaults: Mapping[str, Any]) -> dict[str, Setting]:
    """Every option, in the order of OUTPUT_OPTIONS, RUNTIME_OPTIONS then CONTROL_OPTIONS, with the flavour's
    defaults."""
    return {
        "pipeline": Setting(str, "auto"),
        "steps": Setting(int, defaults["steps"], low=1),
        "guidance": Setting(float, defaults["guidance"], low=0),
        "negative": Setting(str, defaults["negative"]),
        "strength": Setting(float, None, low=0, high=1),
        "cfg_normalization": Setting(bool, False),
        "max_sequence_length": Setting(int, None, low=16),
        "dtype": Setting(str, "auto", choices=DTYPES),
        "exact_batches": Setting(bool, True),
        "vae_tiling_above": Setting(int, 1024, low=16),
        "device": Setting(str, "auto", choices=DEVICES),
        "cpu_offload": Setting(bool, False),
        "attention": Setting(str, None),
        "compile": Setting(bool, False),
        "batch_size": Setting(int, 4, low=1),
        "controlnet": Setting(str, None, check=nonempty),
        "controlnet_revision": Setting(str, None, check=nonempty),
        "reference_pixels": Setting(int, None, low=256),
        "max_images": Setting(int, None, low=1),
    }


def read(options: Mapping[str, Any], model: str, kind: str, stage: str, zimage: bool = True) -> Settings:
    """Settings from ``ModelRef.options`` for a task ``kind``; a wrong one is a SettingError naming the setting and
    its zflow.toml line."""
    defaults = (TURBO if flavour(model, kind) == "turbo" else BASE) if zimage else OTHER
    return Settings(**located(options, f"stages.{stage}.options").read(_settings(defaults)))
