"""A ControlNet's identity for task keys and for its loaded model: a hub id's commit, or a folder's fingerprint with
the content of its weight files, so retrained weights of the same size (a fine-tune saved over the old file) are
another ControlNet. A file is read again only when its size or mtime changes (zflow.contracts.digests, kept in the
project's store index across processes)."""
from __future__ import annotations

import hashlib
from pathlib import Path

from zflow.contracts.digests import file_digest

from .models import Source, fingerprint, identity, weight_files


def controlnet_identity(found: Source, root: Path | None) -> str:
    """``folder:<name>@sha:<configs, sizes and weight bytes>`` for a folder (``root``: the project whose index keeps
    the weights' digests), else the hub identity."""
    if found.folder is None:
        return identity(found)
    digest = hashlib.sha256(fingerprint(found.folder).encode())
    for path in weight_files(found.folder):
        digest.update(f"{path.relative_to(found.folder).as_posix()}\0{file_digest(path, root)}\0".encode())
    return f"folder:{found.folder.name}@sha:{digest.hexdigest()[:16]}"
