"""Model-affinity placement: which idle worker takes which pending batch."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from zflow.contracts import Batch

#: A loaded model as a worker's runtime caches it: (runner, model group).
Group = tuple[str, str]


def group_of(batch: Batch) -> Group:
    """The model a batch needs loaded."""
    return (batch.runner, batch.model.group)


@dataclass(slots=True)
class Slot:
    """What the scheduler knows of one worker: the models it holds, whether it runs a batch, how many it ran."""

    holds: set[Group] = field(default_factory=set)
    busy: bool = False
    done: int = 0


def place(slots: Sequence[Slot], pending: Sequence[Group]) -> list[tuple[int, int]]:
    """Pairs (slot index, pending index) to start now, oldest batches first.

    An idle worker takes a batch whose model it holds; else a batch whose model no worker holds; else it loads a
    model other workers hold only when that model has more batches waiting than workers holding it. Among idle
    workers that must load, the one holding the fewest models (then the one that ran fewest batches) goes first.
    """
    holds = [set(s.holds) for s in slots]
    idle = [i for i, s in enumerate(slots) if not s.busy]
    waiting = dict(enumerate(pending))
    moves: list[tuple[int, int]] = []
    while idle and waiting:
        move = _affine(holds, idle, waiting) or _fresh(slots, holds, idle, waiting)
        if move is None:
            break
        slot, index = move
        holds[slot].add(waiting.pop(index))
        idle.remove(slot)
        moves.append(move)
    return moves


def _affine(holds: list[set[Group]], idle: list[int], waiting: dict[int, Group]) -> tuple[int, int] | None:
    for index, group in waiting.items():
        for slot in idle:
            if group in holds[slot]:
                return slot, index
    return None


def _fresh(slots: Sequence[Slot], holds: list[set[Group]], idle: list[int],
           waiting: dict[int, Group]) -> tuple[int, int] | None:
    slot = min(idle, key=lambda i: (len(holds[i]), slots[i].done, i))
    held = set().union(*holds)
    for index, group in waiting.items():
        if group not in held:
            return slot, index
    for index, group in waiting.items():
        holders = sum(group in h for h in holds)
        if sum(g == group for g in waiting.values()) > holders:
            return slot, index
    return None
