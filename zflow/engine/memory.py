"""The cycle collector around reloads. A watch session keeps a big graph alive and reloads it again and again:
automatic collections while a load and plan allocate would walk that graph, and then the new one, each time (a
fifth of a re-plan), so they are paused then, a fresh load is set aside, and the session collects between
rebuilds instead, while it waits for the next change."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic cycle collection inside the block (reference counting still frees everything else)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def set_aside() -> None:
    """Keep automatic collections from walking the objects alive now (a fresh load that will live on) until the
    next ``collect_while_idle``; reference counting still frees whatever of them dies."""
    gc.freeze()


def collect_while_idle() -> None:
    """Collect all cyclic garbage now, then set what survives aside (``gc.freeze``), so that later automatic
    collections walk only objects made since; the next call looks at those again."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def collect_normally() -> None:
    """Hand everything set aside back to the automatic collector (a session that ends)."""
    gc.unfreeze()
