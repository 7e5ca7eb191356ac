"""The seeded composition of a scene: shot, horizon and where each cast member stands (all in 0-1 units)."""
from __future__ import annotations

from dataclasses import dataclass

from .seeding import stream

#: Lowest a figure's feet may stand (fraction of the height), leaving room for its label and the prompt strip.
FLOOR = 0.80
_SHOTS = {"wide": (0.30, 0.40, 0.45, 0.60), "medium": (0.48, 0.60, 0.50, 0.64), "close": (0.62, 0.70, 0.56, 0.68)}
_WIDTH_OF_HEIGHT = 0.42


@dataclass(frozen=True, slots=True)
class Placement:
    """One cast member in the frame: ``member`` indexes the cast; x of its centre and y of its feet in 0-1 units."""

    member: int
    x: float
    feet: float
    height: float
    facing: int


@dataclass(frozen=True, slots=True)
class Layout:
    """A scene's composition; ``subject`` is the box a figureless scene's subject fills."""

    shot: str
    horizon: float
    placements: tuple[Placement, ...]
    subject: tuple[float, float, float, float]


def layout_for(seed: int, index: int, members: int, aspect: float) -> Layout:
    """The composition of variant ``index`` of a scene seeded ``seed`` with ``members`` figures, at ``aspect`` w/h."""
    rng = stream("layout", seed, index)
    shot = rng.choice(tuple(_SHOTS))
    low, high, h_low, h_high = _SHOTS[shot]
    horizon = rng.uniform(h_low, h_high)
    height = rng.uniform(low, high)
    if members:
        fits = 0.84 * aspect / (members * _WIDTH_OF_HEIGHT * 1.15)
        height = min(height, fits, FLOOR - 0.08)
    span = min(0.84, members * height * _WIDTH_OF_HEIGHT * 1.3 / aspect)
    centre = rng.choice((1 / 3, 1 / 2, 2 / 3))
    centre = min(max(centre, 0.08 + span / 2), 0.92 - span / 2)
    order = list(range(members))
    rng.shuffle(order)
    placements = []
    for slot, member in enumerate(order):
        x = centre - span / 2 + span * (slot + 0.5) / members + rng.uniform(-0.02, 0.02)
        depth = rng.uniform(0.0, 0.08) if members > 1 else 0.0
        scale = 1.0 - depth
        feet = min(FLOOR, max(horizon + 0.04, FLOOR - depth * 1.2 - rng.uniform(0.0, 0.04)))
        facing = 1 if x < 0.5 else -1
        placements.append(Placement(member, x, feet, height * scale, facing if rng.random() < 0.7 else -facing))
    placements.sort(key=lambda p: p.feet)
    w, h = rng.uniform(0.22, 0.34), rng.uniform(0.3, 0.42)
    sx = min(max(centre - w / 2, 0.05), 0.95 - w)
    subject = (sx, FLOOR - h, sx + w, FLOOR)
    return Layout(shot, horizon, tuple(placements), subject)


def layout_data(layout: Layout) -> dict:
    """A layout as JSON data (a layout task's meta, which the drafts that follow it read back)."""
    return {"shot": layout.shot, "horizon": layout.horizon, "subject": list(layout.subject),
            "placements": [[p.member, p.x, p.feet, p.height, p.facing] for p in layout.placements]}


def layout_from(data: dict) -> Layout:
    """The layout ``layout_data`` wrote."""
    return Layout(data["shot"], data["horizon"], tuple(Placement(*p) for p in data["placements"]),
                  tuple(data["subject"]))
