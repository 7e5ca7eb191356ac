"""The keywords declarations take, and the did-you-mean suggestion for a word that is none of them."""
from __future__ import annotations

import difflib
from typing import Iterable

#: What ``Series.scene`` takes besides template variables.
SCENE_OPTIONS = ("cast", "size", "drafts", "seed", "pick", "refine", "edits", "prompt", "negative", "photo",
                 "references", "title", "alt", "balloons", "style", "loras", "upscale", "layouts", "layout", "control")
#: What ``Series`` takes besides template variables.
SERIES_OPTIONS = ("name", "style", "prompt", "negative", "seed", "size", "drafts", "refine", "edits", "schedule",
                  "loras", "upscale", "layouts", "control")


def closest(word: str, known: Iterable[str]) -> str | None:
    """The known word closest to ``word`` (a likely typo of it), or None when none is close."""
    close = difflib.get_close_matches(word, sorted(set(known)), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``"did you mean drafts?"`` for the known word closest to ``word``, or "" when none is close."""
    close = closest(word, known)
    return f"did you mean {close}?" if close else ""
