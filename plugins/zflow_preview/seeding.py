"""Stable random streams and numbers derived from text and seeds (the same on every machine and Python run)."""
from __future__ import annotations

import hashlib
import random
from typing import Any


def digest(*parts: Any) -> int:
    """A 64-bit number that depends only on ``parts`` (not on Python's per-process hash salt)."""
    text = "\x1f".join(str(p) for p in parts).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def stream(*parts: Any) -> random.Random:
    """A random stream seeded by ``parts``."""
    return random.Random(digest(*parts))
