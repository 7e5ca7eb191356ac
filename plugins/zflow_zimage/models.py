"""Model references: a hub id (+ revision) or a local folder, its identity for task keys, and its pipeline class."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from zflow.errors import PluginError

from .options import setting

#: Files of a diffusers folder hashed by content (small JSON: configs, indexes); the rest count by name and size.
_HASHED_SUFFIXES = (".json", ".txt", ".model")
_HASH_LIMIT = 1 << 20
_WEIGHTS = (".safetensors", ".bin", ".pt", ".pth", ".gguf")


@dataclass(frozen=True, slots=True)
class Source:
    """Where a model's files are: ``folder`` for a local one, else ``hub_id`` at ``revision``."""

    model: str
    folder: Path | None
    hub_id: str | None
    revision: str | None

    @property
    def label(self) -> str:
        return str(self.folder) if self.folder else f"{self.hub_id}@{self.revision or 'main'}"


def looks_like_folder(model: str, root: Path | None = None) -> bool:
    """A path (absolute, ./ or ../, ~, an existing folder, or not ``org/name``) rather than a hub id."""
    return (model.startswith(("/", "./", "../", "~", "\\")) or model.count("/") != 1 or os.path.isdir(model)
            or (root is not None and (root / model).is_dir()))


def resolve(model: str, revision: str | None, stage: str | None, root: Path | None = None) -> Source:
    """The Source of a ``model`` setting; a missing folder is an error naming ``stages.<stage>.model``."""
    if not model:
        raise PluginError(f"{setting(stage)} is empty: set it to a hub id such as Tongyi-MAI/Z-Image-Turbo "
                          f"or a local folder of diffusers weights")
    if looks_like_folder(model, root):
        folder = Path(model).expanduser()
        if not folder.is_absolute() and root is not None:
            folder = root / folder
        if not folder.is_dir():
            raise PluginError(f"{setting(stage)}: folder {folder} not found")
        if not (folder / "model_index.json").is_file():
            raise PluginError(f"{setting(stage)}: folder {folder} has no model_index.json "
                              f"(save a diffusers pipeline there with save_pretrained, or name a hub id)")
        return Source(model, folder.resolve(), None, None)
    return Source(model, None, model, revision)


def identity(source: Source) -> str:
    """What a task key needs to know of the weights: hub id + commit (resolved from the local cache when it can), or
    a fingerprint of the folder's configs and indexes (by content) and weight files (by name and size)."""
    if source.folder is not None:
        return f"folder:{source.folder.name}@{revision_of(source)}"
    return f"hub:{source.hub_id}@{revision_of(source)}"


def revision_of(source: Source) -> str:
    """The hub commit (or the revision as given when it is not cached), or ``sha:<fingerprint>`` of a folder."""
    if source.folder is not None:
        return f"sha:{fingerprint(source.folder)}"
    return cached_commit(source.hub_id, source.revision) or source.revision or "main"


def fingerprint(folder: Path) -> str:
    """A hash of a diffusers folder that changes when its configs or weight files change; reads no weights."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and ".cache" not in p.parts):
        rel = path.relative_to(folder).as_posix()
        size = path.stat().st_size
        digest.update(f"{rel}\0{size}\0".encode())
        if path.suffix in _HASHED_SUFFIXES and size <= _HASH_LIMIT:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached_commit(hub_id: str, revision: str | None) -> str | None:
    """The commit a branch or tag points to in the local Hugging Face cache, or None when it is not cached."""
    ref = revision or "main"
    if len(ref) == 40 and all(c in "0123456789abcdef" for c in ref):
        return ref
    from huggingface_hub.constants import HF_HUB_CACHE

    ref_file = Path(HF_HUB_CACHE) / f"models--{hub_id.replace('/', '--')}" / "refs" / ref
    return ref_file.read_text().strip() if ref_file.is_file() else None


def model_index(source: Source) -> dict:
    """The pipeline's model_index.json (from the folder, or the hub cache); empty when it cannot be read offline."""
    if source.folder is not None:
        path = source.folder / "model_index.json"
    else:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(source.hub_id, "model_index.json", revision=source.revision)
        if not isinstance(cached, str):
            return {}
        path = Path(cached)
    return json.loads(path.read_text())


def weight_bytes(source: Source) -> int:
    """Bytes of weight files on disk: what loading the model will roughly take (0 when unknown)."""
    folder = source.folder
    if folder is None:
        from huggingface_hub.constants import HF_HUB_CACHE

        commit = cached_commit(source.hub_id, source.revision)
        folder = Path(HF_HUB_CACHE) / f"models--{source.hub_id.replace('/', '--')}" / "snapshots" / (commit or "-")
    if not folder.is_dir():
        return 0
    return sum(p.stat().st_size for p in weight_files(folder))


def weight_files(folder: Path) -> list[Path]:
    """The weight files under ``folder``, sorted."""
    return sorted(p for p in folder.rglob("*") if p.suffix in _WEIGHTS and p.is_file())
