"""The preview backend: weightless, deterministic storyboard frames for every image stage (drawing happens in
``render``, imported at first use so that loading the plugin stays cheap)."""
from __future__ import annotations

import sys
from typing import Any, Sequence

from zflow.contracts import ModelRef, Output, Request


class PreviewBackend:
    """Weightless, deterministic previews for every image stage: what composition and cast a render would have."""

    name = "preview"
    version = "2"  # 2: reads four languages, draws species, outlines inpaints, extends scenery
    kinds = frozenset({"layout", "sheet", "draft", "refine", "edit", "upscale", "train"})

    def identity(self, model: ModelRef) -> str:
        """"preview", plus a digest of the words plugins taught it (they change what it draws); no plugin can have
        taught it any while its word lists were never loaded."""
        reading = sys.modules.get(f"{__package__}.reading")
        added = reading.fingerprint() if reading is not None else ""
        return f"preview+words:{added}" if added else "preview"

    def load(self, model: ModelRef) -> Any:
        from .text import Fonts

        return Fonts()

    def run(self, handle: Any, requests: Sequence[Request]) -> list[Output | BaseException]:
        from .render import render
        from .training import placeholder_lora

        results: list[Output | BaseException] = []
        for request in requests:
            try:
                train = request.task.kind == "train"
                results.append(placeholder_lora(handle, request) if train else render(handle, request))
            except Exception as error:  # one bad request must not sink its batch
                results.append(error)
        return results

    def release(self, handle: Any) -> None:
        return None
