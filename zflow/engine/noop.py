"""The no-op fast path: a fingerprint of everything the last load read, and the task keys that load produced.

Like ninja with its build.ninja, zflow re-runs the recipes only when something they read has changed: the recipe
files, the helper modules, data tables, templates and images they read through zflow, the picks file, the
configuration, the plugins' versions and the models' identities. When none has, the last load's task keys are used
as they are (`zflow build --fresh` always re-runs the recipes).
"""
from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from ..contracts import SideModels, canonical
from ..signature import signature
from ..store.atomic import write_atomic

CACHE_NAME = "last-load.json"
_MISSING = (-1, -1)


def file_stats(paths: Iterable[Path]) -> dict[str, list[int]]:
    """The signature (size and mtime) of each file as JSON data (a missing file gets [-1, -1])."""
    return {str(path): list(signature(path) or _MISSING) for path in paths}


def fingerprint(project: Any, recipe_paths: list[Path], run: dict[str, Any]) -> str:
    """Everything outside the files a load reads that can change its result."""
    from .. import __version__

    plugins = project.plugins
    stages = {}
    for stage, model in project.config.stages.items():
        backend = plugins.backends.get(model.backend)
        stages[stage] = [model.group, backend.version, backend.identity(model),
                         dict(backend.side_models(model)) if isinstance(backend, SideModels) else {}] \
            if backend else None
    config_files = [project.root / "zflow.toml", project.root / "pyproject.toml"]
    parts = {
        "zflow": __version__, "python": sys.version, "recipes": [str(p.resolve()) for p in recipe_paths],
        "config": {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in config_files if p.is_file()},
        "stages": stages, "run": run,
        "plugins": sorted(name for name, _ in plugins.pm.list_name_plugin()),
        "versions": {kind: {n: str(getattr(o, "version", "")) for n, o in table.items()}
                     for kind, table in (("backends", plugins.backends), ("exporters", plugins.exporters),
                                         ("edit_ops", plugins.edit_ops))},
        "filters": sorted(plugins.filters), "executors": sorted(plugins.executors),
    }
    return hashlib.sha256(canonical(parts).encode()).hexdigest()


@dataclass(slots=True)
class LastLoad:
    """What the last complete build loaded: its fingerprint, the files it read, its tasks (id, key, kind), and
    its exports that had nothing to export (id -> why)."""

    fingerprint: str
    files: dict[str, list[int]]
    tasks: list[list[str]]
    empty_exports: dict[str, str]

    def still_valid(self, fingerprint: str) -> bool:
        return fingerprint == self.fingerprint and file_stats(Path(p) for p in self.files) == self.files


def read_last_load(store_dir: Path) -> LastLoad | None:
    try:
        data = json.loads((store_dir / CACHE_NAME).read_text())
        return LastLoad(data["fingerprint"], data["files"], data["tasks"], data["empty_exports"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_last_load(store_dir: Path, last: LastLoad) -> None:
    data = {"fingerprint": last.fingerprint, "files": last.files, "tasks": last.tasks,
            "empty_exports": last.empty_exports}
    write_atomic(store_dir / CACHE_NAME, json.dumps(data, separators=(",", ":")).encode())


def forget_last_load(store_dir: Path) -> None:
    (store_dir / CACHE_NAME).unlink(missing_ok=True)
