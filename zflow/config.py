"""Project configuration: zflow.toml (or [tool.zflow] in pyproject.toml), with sensible defaults and no file at all."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .contracts import ModelRef
from .dsl.tables import TABLE_BYTES
from .errors import UsageError

STAGES = ("draft", "refine", "edit")
_TOP_KEYS = {"output", "recipes", "executor", "batch_size", "max_loaded_models", "base_pixels", "picks", "stages",
             "executors", "schedule", "prices", "budget", "limits"}
#: ``[limits]``: bounds on what a load may read, and their defaults.
LIMITS = {"table_bytes": TABLE_BYTES}
_STAGE_KEYS = {"backend", "model", "revision", "options"}


@dataclass(slots=True)
class Config:
    """Resolved settings of one project."""

    root: Path
    source: str = "defaults"
    output: str = "out"
    recipes: list[str] = field(default_factory=lambda: ["recipes/*.py"])
    executor: str = "local"
    batch_size: int = 4
    max_loaded_models: int = 2
    base_pixels: int = 1024 * 1024
    picks: str = "picks.json"
    stages: dict[str, ModelRef] = field(default_factory=lambda: {s: ModelRef("preview") for s in STAGES})
    executors: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    limits: dict[str, int] = field(default_factory=lambda: dict(LIMITS))

    @property
    def out_dir(self) -> Path:
        return self.root / self.output

    @property
    def picks_path(self) -> Path:
        return self.root / self.picks

    def recipe_files(self) -> list[Path]:
        """The project's recipe files: the ``recipes`` globs, skipping helper modules named ``_*.py``."""
        found: list[Path] = []
        for pattern in self.recipes:
            for path in sorted(self.root.glob(pattern)):
                if path.is_file() and not path.name.startswith("_") and path not in found:
                    found.append(path)
        return found


def find_root(start: Path) -> Path:
    """The nearest folder (from ``start`` up) holding zflow.toml, or pyproject.toml with [tool.zflow]; else start."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "zflow.toml").is_file():
            return folder
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.zflow" in pyproject.read_text(encoding="utf-8", errors="replace"):
            return folder
    return start


def load_config(root: Path) -> Config:
    """Read the project's settings; unknown or ill-typed settings are a UsageError naming the setting."""
    config = Config(root=root)
    data: dict[str, Any] = {}
    file = root / "zflow.toml"
    try:
        if file.is_file():
            data = tomllib.loads(file.read_text(encoding="utf-8"))
            data = data.get("zflow", data)
            config.source = str(file)
        elif (root / "pyproject.toml").is_file():
            data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8")).get("tool", {}).get("zflow", {})
            config.source = str(root / "pyproject.toml") if data else "defaults"
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{file if file.is_file() else root / 'pyproject.toml'}: invalid TOML: {exc}") from None
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise UsageError(f"{config.source}: unknown setting(s) {', '.join(sorted(unknown))} "
                         f"(known: {', '.join(sorted(_TOP_KEYS))})")
    for name, kind in (("output", str), ("executor", str), ("picks", str), ("batch_size", int),
                       ("max_loaded_models", int), ("base_pixels", int)):
        if name in data:
            if not isinstance(data[name], kind) or (kind is int and data[name] < 1):
                raise UsageError(f"{config.source}: {name} must be a {'positive whole number' if kind is int else 'text'}")
            setattr(config, name, data[name])
    if "recipes" in data:
        recipes = data["recipes"]
        config.recipes = [recipes] if isinstance(recipes, str) else list(recipes)
    for stage, spec in (data.get("stages") or {}).items():
        if stage not in STAGES:
            raise UsageError(f"{config.source}: stages.{stage}: unknown stage (stages: {', '.join(STAGES)})")
        bad = set(spec) - _STAGE_KEYS
        if bad:
            raise UsageError(f"{config.source}: stages.{stage}: unknown key(s) {', '.join(sorted(bad))} "
                             f"(known: {', '.join(sorted(_STAGE_KEYS))})")
        model = str(spec.get("model", ""))
        if model and not _looks_like_hub_id(model, root):
            path = Path(model).expanduser()
            model = str(path if path.is_absolute() else (root / path).resolve())
        config.stages[stage] = ModelRef(spec.get("backend", "preview"), model, spec.get("revision"),
                                        dict(spec.get("options", {})))
    config.limits = _limits(data.get("limits") or {}, config.source)
    config.executors = dict(data.get("executors") or {})
    config.extra = {k: data[k] for k in ("schedule", "prices", "budget") if k in data}
    return config


def _limits(given: dict[str, Any], source: str) -> dict[str, int]:
    unknown = set(given) - set(LIMITS)
    if unknown:
        raise UsageError(f"{source}: limits: unknown key(s) {', '.join(sorted(unknown))} "
                         f"(known: {', '.join(sorted(LIMITS))})")
    for name, value in given.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise UsageError(f"{source}: limits.{name} must be a positive whole number, not {value!r}")
    return {**LIMITS, **given}


def _looks_like_hub_id(model: str, root: Path) -> bool:
    """A model id (``org/name`` on a hub, or an API's model name) unless it is written as a path or names an
    existing folder."""
    return not model.startswith((".", "/", "~")) and not (root / model).exists()
