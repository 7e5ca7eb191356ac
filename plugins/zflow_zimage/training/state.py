"""Files of a train task's work folder (``Request.work``, keyed by the task key, so a restarted build finds them),
written atomically: a killed writer leaves the last complete file, and a temporary file ``zflow gc`` sweeps."""
from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from typing import Any

def save_file(path: Path, value: Any) -> None:
    """``torch.save`` to a temporary file beside ``path``, flushed to disk, then renamed over it."""
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "wb") as handle:
            torch.save(value, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def load_file(path: Path) -> Any:
    """What ``save_file`` wrote there (None when nothing was)."""
    if not path.is_file():
        return None
    import torch

    return torch.load(path, map_location="cpu", weights_only=True)


def remove(folder: Path) -> None:
    """The work folder of a finished training."""
    shutil.rmtree(folder, ignore_errors=True)
