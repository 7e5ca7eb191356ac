"""Where a panel's balloons go: clear of faces, text and each other, in reading order, tails at the speaker's head."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from .balloons import Balloon, Point, measure
from .common import Box

#: Text sizes tried, as shares of the full size, when the balloons do not fit: down to 70% (our choice: below that
#: the text no longer matches the episode's other balloons).
SHRINKS = (1.0, 0.85, 0.7)
#: Widest lines tried for each balloon, as shares of the panel's width: wide flat balloons for short panels,
#: narrow tall ones beside a speaker; the cheapest placement wins (our choice).
REFLOWS = (0.40, 0.55, 0.28, 0.70)
#: Balloons keep this share of the width from the panel's edges (our choice).
EDGE = 0.03
#: Clearance around faces, text and other balloons, and the gap a tail's tip leaves before the head, as shares of
#: the font size (our choice).
CLEAR, TIP_GAP = 0.3, 0.35
#: A tail is at least this long, and costs three times as much per px beyond this length, as multiples of the
#: font size (our choice: a long tail is allowed when a crowded panel leaves no nearer spot, but any nearer spot wins).
MIN_TAIL, LONG_TAIL = 0.6, 9.0
#: A balloon covering a body (below its head: 1.6 head-widths wide, 3.5 head-heights tall, the figure's torso and
#: legs) costs this many font sizes of tail per covered share of the balloon (our choice: a free spot beside the
#: speaker wins over one on a chest, but a body may be covered when nothing else is free).
BODY_COST = 6.0
#: Candidate positions per axis scanned for each balloon (our choice: a 1600-px panel is scanned every ~40 px).
GRID = 40


@dataclass(frozen=True, slots=True)
class Head:
    """A face box and whose it is (None when unknown, as for a detected face)."""

    who: str | None
    box: Box


@dataclass(frozen=True, slots=True)
class Placed:
    """A balloon placed on a panel: its body's top-left, where its tail ends, whose head that is."""

    balloon: Balloon
    spec: Mapping[str, Any]
    origin: tuple[int, int]
    tip: Point | None
    who: str | None

    @property
    def body(self) -> Box:
        return (self.origin[0], self.origin[1], self.origin[0] + self.balloon.body[0],
                self.origin[1] + self.balloon.body[1])


class NoRoom(ValueError):
    """The balloons cannot all be placed clear of the faces, the text and each other."""


def place(size: tuple[int, int], specs: Sequence[Mapping[str, Any]], heads: Sequence[Head], avoid: Sequence[Box],
          font_file: tuple[str, int], font_size: int) -> list[Placed]:
    """Every balloon of a panel placed, each re-flowed as suits it and all shrunk alike when they do not fit; raises
    NoRoom."""
    if not specs:
        return []
    for scale in SHRINKS:
        placed: list[Placed] = []
        for spec in specs:
            tries = [_best(size, measure(str(spec.get("kind", "speech")), str(spec["text"]), font_file,
                                         round(font_size * scale), round(size[0] * width)), spec, heads, avoid, placed)
                     for width in REFLOWS]
            found = [t for t in tries if t is not None]
            if not found:
                break
            placed.append(min(found, key=lambda t: t[1])[0])
        else:
            return placed
    raise NoRoom(f"{len(specs)} balloon(s) do not fit clear of its faces, its text and each other, even re-flowed "
                 f"and at {SHRINKS[-1]:.0%} size; shorten the text or use a taller panel")


def speaker(spec: Mapping[str, Any], heads: Sequence[Head]) -> Head | None:
    """The head a balloon's tail points at: the named speaker's, else the panel's only head; None for narration and
    when the speaker is not one head among several (a voice from outside the panel gets no tail)."""
    if spec.get("kind", "speech") == "narration" or not heads:
        return None
    named = [h for h in heads if h.who is not None and h.who == spec.get("who")]
    if named:
        return named[0]
    return heads[0] if len(heads) == 1 else None


def _best(size: tuple[int, int], balloon: Balloon, spec: Mapping[str, Any], heads: Sequence[Head],
          avoid: Sequence[Box], placed: Sequence[Placed]) -> tuple[Placed, float] | None:
    """The lowest-cost position of the balloon and its cost, or None when every position overlaps something."""
    w, h = size
    bw, bh = balloon.body
    fs = balloon.font.size
    clear, edge = fs * CLEAR, round(w * EDGE)
    target = speaker(spec, heads)
    blocked = [_grow(b, clear) for b in [*avoid, *(hd.box for hd in heads), *(_full(p) for p in placed)]]
    bodies = [_body(hd.box) for hd in heads]
    others = [b for b in blocked if target is None or not _overlaps(b, _grow(target.box, clear))]
    prev = placed[-1] if placed else None
    xs = _steps(edge, w - edge - bw)
    ys = _steps(edge, h - edge - bh)
    best, best_cost = None, math.inf
    for y in ys:
        for x in xs:
            body = (x, y, x + bw, y + bh)
            if any(_overlaps(body, b) for b in blocked) or (prev and not _reads_after(body, prev.body)):
                continue
            tip, cost = None, 0.0
            if target is not None:
                tip = _tip(body, target.box, fs * TIP_GAP)
                reach = math.dist(_centre(body), tip) - balloon.edge(_angle(body, tip))
                if reach < MIN_TAIL * fs:
                    continue
                if any(_crosses(_centre(body), tip, b) for b in others):
                    continue
                cost = reach + 2 * max(0.0, reach - LONG_TAIL * fs) + max(0.0, y + bh / 2 - target.box[1]) * 0.5
            else:
                cost = y + 0.25 * x
            cost += BODY_COST * fs * sum(_area(body, b) for b in bodies) / (bw * bh)
            if cost < best_cost:
                best, best_cost = Placed(balloon, spec, (x, y), tip, target.who if target else None), cost
    return None if best is None else (best, best_cost)


def _steps(low: int, high: int) -> list[int]:
    if high < low:
        return []
    n = max(1, min(GRID, high - low))
    return sorted({round(low + (high - low) * i / n) for i in range(n + 1)})


def _tip(body: Box, head: Box, gap: float) -> Point:
    """Where the tail ends: where the line from the body's centre to the head's centre comes within ``gap`` px of
    the head's box."""
    (cx, cy), (hx, hy) = _centre(body), _centre(head)
    entry = _entry((cx, cy), (hx, hy), _grow(head, gap))
    return (cx + (hx - cx) * entry, cy + (hy - cy) * entry)


def _reads_after(body: Box, prev: Box) -> bool:
    """Top to bottom, then left to right: lower than the previous balloon, or beside it to its right."""
    h = prev[3] - prev[1]
    return body[1] >= prev[1] + 0.25 * h or (body[1] >= prev[1] - 0.5 * h and body[0] >= (prev[0] + prev[2]) / 2)


def _body(head: Box) -> Box:
    """Where the body under a head is, roughly: a figure's torso and legs."""
    cx, w, h = (head[0] + head[2]) / 2, head[2] - head[0], head[3] - head[1]
    return (cx - 0.8 * w, head[3], cx + 0.8 * w, head[3] + 3.5 * h)


def _area(a: Box, b: Box) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _full(p: Placed) -> Box:
    """The body and the tail's tip together."""
    x0, y0, x1, y1 = p.body
    if p.tip is None:
        return p.body
    return (min(x0, p.tip[0]), min(y0, p.tip[1]), max(x1, p.tip[0]), max(y1, p.tip[1]))


def _crosses(a: Point, b: Point, box: Box) -> bool:
    """Whether the segment a-b passes through the box."""
    return _entry(a, b, box) < 1.0


def _entry(a: Point, b: Point, box: Box) -> float:
    """Where the segment a-b enters the box, as a share of its length (0 when a is inside; 1 when it misses), by
    Liang-Barsky clipping."""
    low, high = 0.0, 1.0
    for delta, start, lo, hi in ((b[0] - a[0], a[0], box[0], box[2]), (b[1] - a[1], a[1], box[1], box[3])):
        if delta == 0:
            if not lo < start < hi:
                return 1.0
            continue
        t0, t1 = sorted(((lo - start) / delta, (hi - start) / delta))
        low, high = max(low, t0), min(high, t1)
    return low if low < high else 1.0


def _centre(box: Box) -> Point:
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


def _angle(body: Box, tip: Point) -> float:
    cx, cy = _centre(body)
    return math.atan2(tip[1] - cy, tip[0] - cx)


def _grow(box: Box, by: float) -> Box:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
