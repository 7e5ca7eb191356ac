"""docs/platforms.md read as data: a section's table by its first cell, and its sizes and byte amounts as numbers."""
from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "platforms.md"
UNITS = {"MB": 1_000_000, "KB": 1_000}


def table(section: str) -> dict[str, list[str]]:
    """The rows of the first table under ``## section``, by their first cell without backticks."""
    text = DOC.read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in body.splitlines() if line.startswith("| ")][1:]  # the header row out
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
    return {c[0].strip("`"): c for c in cells}


def size(cell: str) -> tuple[int, int]:
    """``"1080×1350"`` -> (1080, 1350)."""
    w, h = re.fullmatch(r"(\d+)×(\d+)", cell).groups()
    return int(w), int(h)


def amount(cell: str) -> int:
    """``"8 MB"`` -> 8000000 (decimal units, as the page says)."""
    number, unit = re.fullmatch(r"(\d+) (MB|KB)", cell).groups()
    return int(number) * UNITS[unit]
