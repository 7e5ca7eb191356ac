"""Where to cut a webtoon strip: at gutter midpoints, else at a free row; never inside a balloon or face span."""
from __future__ import annotations


class NoCut(ValueError):
    """Some stretch of the strip longer than a slice has no gutter and no free row; ``row`` is where it starts."""

    def __init__(self, row: int, max_height: int):
        super().__init__(f"no gutter or row free of balloons and faces within {max_height} px below row {row}")
        self.row = row


def cuts(height: int, max_height: int, gutters: list[tuple[int, int]], keepouts: list[tuple[int, int]]) -> list[int]:
    """Slice boundaries ``[0, ..., height]``: each slice at most ``max_height`` tall, each cut at the lowest gutter
    midpoint that fits, or failing that at the lowest row outside every keep-out span (start, end)."""
    mids = sorted((a + b) // 2 for a, b in gutters)
    bounds = [0]
    while height - bounds[-1] > max_height:
        top = bounds[-1]
        fitting = [m for m in mids if top < m <= top + max_height]
        if fitting:
            bounds.append(fitting[-1])
            continue
        row = top + max_height
        while any(s < row < e for s, e in keepouts):
            row = min(s for s, e in keepouts if s < row < e)
        if row <= top:
            raise NoCut(top, max_height)
        bounds.append(row)
    bounds.append(height)
    return bounds
