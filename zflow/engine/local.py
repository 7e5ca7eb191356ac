"""The local executor: runs batches in this process, preferring the model that is already loaded."""
from __future__ import annotations

from typing import Any, Mapping

from ..contracts import Batch, Output, Runtime


class LocalExecutor:
    """Runs submitted batches one at a time, in this process, in ``wait``."""

    name = "local"

    def __init__(self, runtime: Runtime, options: Mapping[str, Any] | None = None):
        self.runtime = runtime
        self.pending: list[Batch] = []
        self.current: tuple[str, str] | None = None

    def submit(self, batch: Batch) -> None:
        self.pending.append(batch)

    def wait(self) -> list[tuple[Batch, list[Output | BaseException]]]:
        if not self.pending:
            return []
        index = next((i for i, b in enumerate(self.pending) if (b.runner, b.model.group) == self.current), 0)
        batch = self.pending.pop(index)
        self.current = (batch.runner, batch.model.group)
        return [(batch, self.runtime.run(batch))]

    def cancel(self) -> list[Batch]:
        dropped, self.pending = self.pending, []
        return dropped

    def close(self) -> None:
        self.pending.clear()
