"""The picks file: which draft (and layout) of each scene goes on and which turnaround sheets are dropped from
training, chosen in the gallery and kept beside the recipes."""
from __future__ import annotations

import json
import time
from pathlib import Path

from ..errors import RecipeError
from ..store.atomic import write_atomic
from ..store.temporaries import STALE_SECONDS, sweep_temporaries_of


def read_picks(path: Path, root: Path) -> dict[str, int]:
    """``"series/scene" -> draft number``; {} when there is no picks file. Raises RecipeError at the bad line."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RecipeError(f"invalid picks file: {exc.msg}", str(path.relative_to(root)), exc.lineno)
    if not isinstance(data, dict) or not all(isinstance(v, int) for v in data.values()):
        raise RecipeError('picks file must map "series/scene" to a draft number', str(path), 1)
    return data


def write_pick(path: Path, root: Path, key: str, pick: int | None) -> None:
    """Record a pick in the picks file, atomically, keeping the others; ``None`` removes ``key``'s entry (the
    file goes once it holds nothing), so undoing a choice leaves the file as it was. A killed writer's temporary
    copy is removed first."""
    sweep_temporaries_of(path, time.time() - STALE_SECONDS)
    picks = read_picks(path, root)
    if pick is None:
        if key not in picks:
            return
        del picks[key]
    else:
        picks[key] = pick
    if picks:
        write_atomic(path, (json.dumps(picks, indent=2, sort_keys=True) + "\n").encode())
    else:
        path.unlink()
