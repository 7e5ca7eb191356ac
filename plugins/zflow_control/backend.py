"""The ``control`` backend: one control map per task, at the size of the task it conditions, with the resize it
took reported (a note event at the Control's line, and the map's provenance)."""
from __future__ import annotations

import time
from typing import Any, Sequence

from zflow.contracts import ModelRef, Output, Request, Task, shown_path
from zflow.events import ModelLoad, Note, ignore


class ControlBackend:
    """Makes control maps: copies a picked layout's map, or preprocesses an image (a file, another scene's)."""

    name = "control"
    version = "1"
    kinds = frozenset({"control"})
    emit = staticmethod(ignore)  # the runtime sets the build's event sink (ReportsLoads)

    def identity(self, model: ModelRef) -> str:
        return "control"

    def side_models(self, model: ModelRef) -> dict[str, str]:
        """Each controlnet-aux detector's weights identity, by control type, so a new weight file rebuilds the
        maps it makes (and only those)."""
        from .annotators import DETECTORS, weights_identity

        return {kind: weights_identity(model.options, kind) for kind in DETECTORS}

    def side_models_of(self, model: ModelRef, task: Task) -> tuple[str, ...]:
        """The detector a map preprocessed from an image uses (none for Canny or a layout's maps)."""
        from .annotators import DETECTORS

        kind = task.params.get("type")
        return (kind,) if kind in DETECTORS and task.params.get("from") != "layout" else ()

    def load(self, model: ModelRef) -> Any:
        from .detectors import Detectors

        started = time.perf_counter()
        detectors = Detectors(model.options.get("annotators"), model.options.get("device", "cpu"), self._loaded)
        self.emit(ModelLoad(event="model-load", backend=self.name, model=model.model or self.name,
                            seconds=round(time.perf_counter() - started, 4)))
        return detectors

    def run(self, handle: Any, requests: Sequence[Request]) -> list[Output | BaseException]:
        from .maps import control_map

        results: list[Output | BaseException] = []
        for request in requests:
            try:
                output = control_map(handle, request)
            except Exception as error:  # one bad request must not sink its batch
                results.append(error)
                continue
            self._tell_resize(request, output.meta)
            results.append(output)
        return results

    def release(self, handle: Any) -> None:
        handle.release()

    def _loaded(self, detector: str, seconds: float) -> None:
        self.emit(ModelLoad(event="model-load", backend=self.name, model=detector, seconds=round(seconds, 4)))

    def _tell_resize(self, request: Request, meta: dict) -> None:
        resized = meta.get("resized_from")
        where = request.task.where
        if resized and where is not None:
            w, h = meta["size"]
            self.emit(Note(event="note", message=f"{request.task.id}: the {meta['source']} image is "
                                                  f"{resized[0]}x{resized[1]}; its {meta['control']} map was "
                                                  f"resized to {w}x{h}" + (" (centre-cropped to that aspect)"
                                                                          if meta.get("cropped") else ""),
                           file=shown_path(where.file), line=where.line))
