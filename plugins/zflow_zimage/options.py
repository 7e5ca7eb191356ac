"""A stage's backend options, read and checked, with defaults picked by model flavour and task kind."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from zflow.errors import PluginError

#: Turbo (draft) and Base (refine) settings from the model cards; ``None`` steps/guidance = the pipeline's own default.
TURBO = {"steps": 9, "guidance": 0.0, "negative": ""}
BASE = {"steps": 40, "guidance": 4.0,
        "negative": "blurry, low quality, lowres, distorted, deformed, bad anatomy, watermark, text, jpeg artifacts"}
OTHER = {"steps": None, "guidance": None, "negative": ""}

#: Options that change the pixels, so they are part of every task key (``key_options``); the rest change speed.
OUTPUT_OPTIONS = ("pipeline", "steps", "guidance", "negative", "strength", "cfg_normalization", "max_sequence_length",
                  "dtype", "exact_batches")
RUNTIME_OPTIONS = ("device", "cpu_offload", "attention", "compile", "batch_size")
DTYPES = ("auto", "float32", "bfloat16", "float16")
DEVICES = ("auto", "cpu", "cuda", "mps")


def setting(stage: str | None, key: str = "model") -> str:
    """Where a user changes a setting in zflow.toml: ``stages.<stage>.model`` or ``stages.<stage>.options.<key>``."""
    return f"stages.{stage or '<stage>'}.{key if key in ('model', 'revision') else 'options.' + key}"


@dataclass(frozen=True, slots=True)
class Settings:
    """How one stage runs its model: sampling settings, then where and how the pipeline is placed."""

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


def read(options: Mapping[str, Any], model: str, kind: str, stage: str, zimage: bool = True) -> Settings:
    """Settings from ``ModelRef.options`` for a task ``kind``; errors name the setting to change."""
    unknown = sorted(set(options) - set(OUTPUT_OPTIONS) - set(RUNTIME_OPTIONS))
    if unknown:
        raise PluginError(f"stages.{stage}.options: unknown zimage option(s) {', '.join(unknown)}; known: "
                          f"{', '.join(OUTPUT_OPTIONS + RUNTIME_OPTIONS)}")
    defaults = (TURBO if flavour(model, kind) == "turbo" else BASE) if zimage else OTHER
    get = _getter(options, stage)
    return Settings(
        pipeline=get("pipeline", str, "auto"),
        steps=get("steps", int, defaults["steps"], low=1),
        guidance=get("guidance", float, defaults["guidance"], low=0.0),
        negative=get("negative", str, defaults["negative"]),
        strength=get("strength", float, None, low=0.0, high=1.0),
        cfg_normalization=get("cfg_normalization", bool, False),
        max_sequence_length=get("max_sequence_length", int, None, low=16),
        dtype=get("dtype", str, "auto", choices=DTYPES),
        device=get("device", str, "auto", choices=DEVICES),
        cpu_offload=get("cpu_offload", bool, False),
        attention=get("attention", str, None),
        compile=get("compile", bool, False),
        batch_size=get("batch_size", int, 4, low=1),
        exact_batches=get("exact_batches", bool, True),
    )


def _getter(options: Mapping[str, Any], stage: str):
    def get(key: str, kind: type, default: Any, low: float | None = None, high: float | None = None,
            choices: tuple[str, ...] = ()) -> Any:
        value = options.get(key)
        if value is None:
            return default
        where = f"{setting(stage, key)} = {value!r}"
        if kind in (bool, str) and not isinstance(value, kind):
            raise PluginError(f"{where}: write {'true or false' if kind is bool else 'a text'}")
        if kind in (int, float):
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or (kind is int and not float(value).is_integer()):
                raise PluginError(f"{where}: write {'an integer' if kind is int else 'a number'}")
            value = kind(value)
            if (low is not None and value < low) or (high is not None and value > high):
                bounds = f"at least {low}" if high is None else f"in [{low}, {high}]"
                raise PluginError(f"{where}: must be {bounds}")
        if choices and value not in choices:
            raise PluginError(f"{where}: write one of {', '.join(choices)}")
        return value

    return get
