"""What changed between a task's last build and now, part by part, with the old and new values (and, for text,
which words changed): the detail behind ``zflow explain``."""
from __future__ import annotations

import difflib
from typing import Any, Mapping

from ..contracts import canonical


def differences(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each key part that differs between ``old`` (the last build's parts; None when never built) and ``new``:
    ``{"part", "name", "change" (added, removed or changed), "old", "new"}``, plus ``"words"`` for changed text."""
    if old is None:
        return []
    found = []
    for part in ("kind", "impl", "model"):
        if canonical(old.get(part)) != canonical(new[part]):
            found.append(_difference(part, "", old.get(part), new[part], part in old))
    for part, group in (("param", "params"), ("input", "inputs"), ("file", "files")):
        before, after = old.get(group) or {}, new[group]
        for name in sorted(set(before) | set(after)):
            if name not in after:
                found.append({"part": part, "name": name, "change": "removed", "old": before[name], "new": None})
            elif name not in before or canonical(before[name]) != canonical(after[name]):
                found.append(_difference(part, name, before.get(name), after[name], name in before))
    return found


def word_changes(old: str, new: str) -> list[dict[str, str]]:
    """``old`` to ``new`` as runs of words: ``{"same": text}`` or ``{"old": text, "new": text}`` (either may be
    empty for words added or removed)."""
    a, b = old.split(), new.split()
    runs: list[dict[str, str]] = []
    for op, i0, i1, j0, j1 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append({"same": " ".join(a[i0:i1])})
        else:
            runs.append({"old": " ".join(a[i0:i1]), "new": " ".join(b[j0:j1])})
    return runs


def marked(runs: list[dict[str, str]]) -> str:
    """Word runs as one line, removed words as [-words-] and added ones as {+words+}."""
    shown = []
    for run in runs:
        if "same" in run:
            shown.append(run["same"])
            continue
        if run["old"]:
            shown.append(f"[-{run['old']}-]")
        if run["new"]:
            shown.append(f"{{+{run['new']}+}}")
    return " ".join(shown)


def _difference(part: str, name: str, old: Any, new: Any, existed: bool) -> dict[str, Any]:
    found = {"part": part, "name": name, "change": "changed" if existed else "added", "old": old, "new": new}
    if isinstance(old, str) and isinstance(new, str):
        found["words"] = word_changes(old, new)
    return found
