"""What travels to a worker with the work: the project's plugin modules, and the input files of a batch."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from zflow.contracts import Artifact, Batch

#: Input files of a batch by artifact key, then file name.
Blobs = dict[str, dict[str, bytes]]


def project_modules(root: Path) -> dict[str, bytes]:
    """The Python files of the project's plugins/ folder (local plugins and their helper modules), by path."""
    folder = root / "plugins"
    if not folder.is_dir():
        return {}
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*.py"))
            if "__pycache__" not in path.parts}


def write_modules(modules: dict[str, bytes], root: Path) -> None:
    """Recreate the shipped modules under ``root`` (a worker's copy of the project)."""
    for rel, data in modules.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def pack_inputs(batch: Batch, shipped: set[str]) -> Blobs:
    """The bytes of the input files the batch reads (from the driver's store), but for artifacts already shipped."""
    blobs: Blobs = {}
    for request in batch.requests:
        for artifact in request.inputs:
            if artifact.key not in blobs and artifact.key not in shipped:
                blobs[artifact.key] = {name: Path(path).read_bytes() for name, path in artifact.files.items()}
    return blobs


def unpack_inputs(batch: Batch, blobs: Blobs, folder: Path) -> Batch:
    """The batch with its inputs pointing at copies under ``folder``, written from ``blobs`` once per artifact key
    (artifacts missing from ``blobs`` were shipped with an earlier batch)."""
    requests = []
    for request in batch.requests:
        inputs = tuple(_local(artifact, blobs.get(artifact.key, {}), folder / artifact.key)
                       for artifact in request.inputs)
        requests.append(replace(request, inputs=inputs))
    return Batch(batch.runner, batch.model, requests, batch.started, batch.seconds)


def _local(artifact: Artifact, files: dict[str, bytes], folder: Path) -> Artifact:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(data)
        partial.replace(path)
    return replace(artifact, files={name: folder / name for name in artifact.files})
