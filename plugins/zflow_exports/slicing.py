"""Where to cut a webtoon strip: at rows crossing no balloon, face or text, into slices neither too short nor blank."""
from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from itertools import accumulate

#: No slice is shorter than this share of the platform's slice height, unless the whole strip is (our choice: a
#: 320-px sliver of an 800x1280 episode is where the demo's 800x100 and 196-px slices used to be).
MIN_SHARE = 0.25
#: A slice shows panel pixels on at least this share of its rows; less is a near-blank slice of gutter (our choice).
MIN_CONTENT = 0.25
#: Rows tried as cuts: every this many px, plus each gutter's middle (our choice: 8 px keeps the search fast).
STEP = 8
#: Costs: each slice, each cut inside a panel rather than in a gutter, and a slice's shortfall from the full height
#: (squared, so that slices come out even) (our choice: a gutter cut is invisible; a cut through a panel's free
#: row shows when the slices are viewed one by one, so it is worth a slice; evenness only breaks ties).
SLICE_COST, PANEL_CUT_COST, SHORT_COST = 1.0, 1.5, 0.5


class NoCut(ValueError):
    """Some stretch of the strip longer than a slice has no row free to cut; ``row`` is where it starts."""

    def __init__(self, row: int, max_height: int):
        super().__init__(f"no row free of balloons, faces and text within {max_height} px below row {row} "
                         "leaves slices that are neither too short nor blank")
        self.row = row


def cuts(height: int, max_height: int, gutters: list[tuple[int, int]], keepouts: list[tuple[int, int]],
         panels: list[tuple[int, int]]) -> list[int]:
    """Slice boundaries ``[0, ..., height]`` with the fewest slices and panel cuts: each slice at most ``max_height``
    and at least ``MIN_SHARE`` of it tall, at least ``MIN_CONTENT`` panel rows, and every cut outside the keep-out
    row spans (start, end) of balloons, faces and text."""
    if height <= max_height:
        return [0, height]
    min_height = math.ceil(max_height * MIN_SHARE)
    inside = [0] * (height + 1)
    for top, bottom in panels:
        for row in range(max(0, top), min(height, bottom)):
            inside[row] = 1
    content = [0, *accumulate(inside[:height])]
    blocked = [0] * (height + 2)
    for start, end in keepouts:
        blocked[max(0, start + 1)] += 1
        blocked[min(height + 1, max(0, end))] -= 1
    blocked = list(accumulate(blocked))
    rows = sorted({0, height, *range(STEP, height, STEP), *((a + b) // 2 for a, b in gutters)})
    rows = [r for r in rows if r in (0, height) or not blocked[r]]
    best: dict[int, tuple[float, int]] = {0: (0.0, -1)}
    for row in rows[1:]:
        panel_cut = PANEL_CUT_COST if row < height and inside[row] and inside[row - 1] else 0.0
        for prev in rows[bisect_left(rows, row - max_height):bisect_right(rows, row - min_height)]:
            if prev not in best:
                continue
            if content[row] - content[prev] < MIN_CONTENT * (row - prev):
                continue
            cost = best[prev][0] + SLICE_COST + panel_cut + SHORT_COST * (1 - (row - prev) / max_height) ** 2
            if row not in best or cost < best[row][0]:
                best[row] = (cost, prev)
    if height not in best:
        raise NoCut(max(best), max_height)
    bounds = [height]
    while bounds[-1] != 0:
        bounds.append(best[bounds[-1]][1])
    return bounds[::-1]
