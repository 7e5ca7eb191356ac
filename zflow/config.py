"""Project configuration: zflow.toml (or [tool.zflow] in pyproject.toml), with sensible defaults and no file at all."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .contracts import ModelRef
from .contracts.settings import Located, Setting, Table, shown
from .contracts.sizes import MAX_SIDE, MIN_SIDE
from .contracts.upscaling import COMFORTABLE_SIDE
from .dsl.adapters import Lora
from .dsl.limits import PROMPT_CHARS
from .dsl.registry import DeclarationError
from .dsl.source import Location
from .dsl.tables import TABLE_BYTES, bad_byte_line
from .errors import UsageError

STAGES = ("layout", "draft", "refine", "edit", "upscale", "train", "control")
#: The backend of a stage zflow.toml does not name one for: the preview, except for control maps (made from a layout
#: or by the ``control`` plugin's preprocessors).
DEFAULT_BACKEND = {"control": "control"}


def _globs(value: str | list) -> str | None:
    if isinstance(value, list) and not all(isinstance(v, str) for v in value):
        return f"must be a glob or a list of globs, got {shown(value)}"
    return None


#: The settings of zflow.toml (the tables are read by their own owners: stages below, executors and schedule by
#: the executor and the scheduler, prices by the backends that charge).
TOP = {
    "output": Setting(str, "out"),
    "recipes": Setting((str, list), ["recipes/*.py"], check=_globs),
    "executor": Setting(str, "local"),
    "batch_size": Setting(int, 4, low=1),
    "max_loaded_models": Setting(int, 2, low=1),
    "base_pixels": Setting(int, 1024 * 1024, low=1),
    "direct_max_side": Setting(int, COMFORTABLE_SIDE, low=MIN_SIDE, high=MAX_SIDE),
    "picks": Setting(str, "picks.json"),
    "stages": Setting(dict, {}),
    "executors": Setting(dict, {}),
    "schedule": Setting(dict, {}),
    "prices": Setting(dict, {}),
    "budget": Setting(float, None, low=0),  # dollars a build may spend on priced models
    "limits": Setting(dict, {}),
}
#: ``[limits]``: bounds on what a load may read, and their defaults.
LIMITS = {"table_bytes": TABLE_BYTES, "prompt_chars": PROMPT_CHARS}
STAGE = {"backend": Setting(str, "preview"), "model": Setting(str, ""), "revision": Setting(str, None),
         "options": Setting(dict, {}), "loras": Setting(list, [])}
#: A stage's ``loras = [{ file = "...", weight = 0.8 }, { hub = "owner/name", weight_name = "...", revision = "..." }]``
STAGE_LORA = {"file": Setting(str, None), "hub": Setting(str, None), "weight": Setting(float, 0.8),
              "weight_name": Setting(str, None), "revision": Setting(str, None)}
#: Dollars per image.
PRICE = Setting(float, low=0)


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
    direct_max_side: int = COMFORTABLE_SIDE  # a scene larger than this is generated this large, then upscaled
    picks: str = "picks.json"
    stages: dict[str, ModelRef] = field(
        default_factory=lambda: {s: ModelRef(DEFAULT_BACKEND.get(s, "preview")) for s in STAGES})
    stage_loras: dict[str, tuple[Lora, ...]] = field(default_factory=dict)
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
    """Read the project's settings; an unknown or ill-typed one is a SettingError naming its file, line and path."""
    config = Config(root=root)
    table = _read_file(root)
    if table is None:
        return config
    config.source = table.source
    values = table.read(TOP)
    for name in ("output", "executor", "picks", "batch_size", "max_loaded_models", "base_pixels",
                 "direct_max_side"):
        setattr(config, name, values[name])
    config.recipes = [values["recipes"]] if isinstance(values["recipes"], str) else list(values["recipes"])
    stages = table.sub("stages")
    for stage in stages.values:
        if stage not in STAGES:
            raise stages.error(stage, f"unknown stage (stages: {', '.join(STAGES)})")
        spec = stages.sub(stage)
        given = spec.read(STAGE | {"backend": Setting(str, DEFAULT_BACKEND.get(stage, "preview"))})
        model = given["model"]
        if model and not _looks_like_hub_id(model, root):
            path = Path(model).expanduser()
            model = str(path if path.is_absolute() else (root / path).resolve())
        options = spec.sub("options")
        config.stages[stage] = ModelRef(given["backend"], model, given["revision"], _located(options))
        if given["loras"]:
            config.stage_loras[stage] = _stage_loras(spec, given["loras"], root)
    if "upscale" not in stages.values:  # by default the refine model re-denoises the upscaled tiles
        config.stages["upscale"] = config.stages["refine"]
        if "refine" in config.stage_loras:
            config.stage_loras["upscale"] = config.stage_loras["refine"]
    if "train" not in stages.values:  # by default a character's LoRA is trained on the draft stage's model
        config.stages["train"] = config.stages["draft"]
    config.limits = table.sub("limits").read({name: Setting(int, default, low=1) for name, default in LIMITS.items()})
    executors = table.sub("executors")
    config.executors = {name: _located(executors.sub(name)) for name in executors.values}
    _check_prices(table.sub("prices"))
    config.extra = {k: values[k] for k in ("prices", "budget") if k in table.values}
    if "schedule" in table.values:
        config.extra["schedule"] = _located(table.sub("schedule"))
    return config


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def _read_file(root: Path) -> Table | None:
    """zflow's table of zflow.toml, or of [tool.zflow] in pyproject.toml; None when neither has one."""
    file, prefix = root / "zflow.toml", ()
    if not file.is_file():
        file, prefix = root / "pyproject.toml", ("tool", "zflow")
        if not file.is_file():
            return None
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{file}:{bad_byte_line(raw)}: not UTF-8 text ({exc.reason} at byte "
                         f"{raw[exc.start]:#04x}); save it as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = _TOML_AT.search(str(exc))  # tomllib puts the place in its message only
        where = f"{file}:{at.group(1)}: invalid TOML: {str(exc)[:at.start()].rstrip()} (column {at.group(2)})" \
            if at else f"{file}: invalid TOML: {exc}"
        raise UsageError(where) from None
    if prefix:
        data = data.get("tool", {}).get("zflow")
        if not data:
            return None
    elif "zflow" in data:
        data, prefix = data["zflow"], ("zflow",)
    return Table(data, "", str(file), text, prefix)


def _stage_loras(spec: Table, entries: list, root: Path) -> tuple[Lora, ...]:
    """A stage's LoRA adapters, files relative to the project root; a wrong one is an error at its line."""
    where = Location(str(root / "zflow.toml") if spec.source is None else spec.source, spec.line("loras") or 0)
    loras = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise spec.error("loras", f'each adapter is a table such as {{ file = "loras/x.safetensors", weight = '
                                      f"0.8 }}, got {shown(entry)}")
        values = Table(entry, f"{spec.path}.loras", spec.source, spec.text, spec.prefix)
        given = values.read(STAGE_LORA)
        if (given["file"] is None) == (given["hub"] is None):
            raise spec.error("loras", "each adapter needs one of file = ... or hub = ...")
        source = given["file"] if given["hub"] is None else given["hub"]
        try:
            loras.append(Lora.at(source, given["weight"], given["weight_name"], given["revision"], where))
        except DeclarationError as exc:
            raise spec.error("loras", exc.message) from None
    return tuple(loras)


def _located(table: Table) -> Located:
    return Located(table.values, table.path, table.source, table.text, table.prefix)


def _check_prices(prices: Table) -> None:
    """Each ``[prices]`` entry is dollars per image: a number, or a table of them by image size."""
    for model, entry in prices.values.items():
        if isinstance(entry, dict):
            prices.sub(model).read({size: PRICE for size in entry})
        elif isinstance(entry, bool) or not isinstance(entry, (int, float)):
            raise prices.error(model, "must be dollars per image: a number, or a table of them by image size such "
                                      f'as {{"1K" = 0.134, "4K" = 0.24}}, got {shown(entry)}')
        else:
            prices.value(model, PRICE)


def _looks_like_hub_id(model: str, root: Path) -> bool:
    """A model id (``org/name`` on a hub, or an API's model name) unless it is written as a path or names an
    existing folder."""
    return not model.startswith((".", "/", "~")) and not (root / model).exists()
