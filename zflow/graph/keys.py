"""Content keys: a hash of everything that decides a task's result, chained through its inputs' keys."""
from __future__ import annotations

import hashlib
from typing import Any, Mapping

from ..contracts import Task, canonical


def key_parts(task: Task, impl: str, model: Any, input_keys: Mapping[str, str],
              file_digests: Mapping[str, str]) -> dict[str, Any]:
    """The parts a key hashes; kept in the store so ``explain`` can say which one changed."""
    return {
        "kind": task.kind,
        "impl": impl,
        "model": model,
        "params": task.params,
        "inputs": {i: input_keys[i] for i in task.inputs},
        "files": {f: file_digests[f] for f in task.files},
    }


def key_of(parts: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(parts).encode()).hexdigest()


def changes(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[str]:
    """Why a task with parts ``new`` differs from its last build's ``old``, in words."""
    if old is None:
        return ["never built"]
    reasons = []
    if old.get("kind") != new["kind"]:
        reasons.append("kind changed")
    if old.get("impl") != new["impl"]:
        reasons.append(f"implementation changed ({old.get('impl')} -> {new['impl']})")
    if canonical(old.get("model")) != canonical(new["model"]):
        reasons.append("model changed")
    reasons += _dict_changes("param", old.get("params") or {}, new["params"])
    reasons += _dict_changes("input", old.get("inputs") or {}, new["inputs"])
    reasons += _dict_changes("file", old.get("files") or {}, new["files"])
    return reasons or ["artifact missing from the store"]


def _dict_changes(what: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    out = []
    for name in sorted(set(old) | set(new)):
        if name not in old:
            out.append(f"{what} {name} added")
        elif name not in new:
            out.append(f"{what} {name} removed")
        elif canonical(old[name]) != canonical(new[name]):
            out.append(f"{what} {name} changed")
    return out


def derived_seed(task_id: str, base: int | None = None) -> int:
    """A reproducible seed from a task id (and the series seed, when one is set)."""
    text = task_id if base is None else f"{base}:{task_id}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") & 0x7FFFFFFF
