"""Runners: one uniform face (identity, load, run, release) over backends, exporters, pixel ops and file imports."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from ..contracts import ModelRef, Output, Request


class SourceRunner:
    """Imports an existing image file (a photo or a character's reference image) as an artifact."""

    name = "source"
    version = "1"

    def identity(self, model: ModelRef) -> str:
        return "file"

    def load(self, model: ModelRef) -> None:
        return None

    def run(self, handle: Any, requests: Sequence[Request]) -> list[Output | BaseException]:
        results: list[Output | BaseException] = []
        for request in requests:
            rel = request.params["file"]
            path = Path(rel) if Path(rel).is_absolute() else request.root / rel
            try:
                ext = path.suffix.lower().lstrip(".") or "img"
                results.append(Output({f"image.{ext}": path.read_bytes()}, {"source": rel, "stage": "source"}))
            except OSError as exc:
                results.append(exc)
        return results

    def release(self, handle: Any) -> None:
        return None


class ExporterRunner:
    """Runs an exporter plugin's ``export`` per request; one failing export does not fail the others."""

    def __init__(self, exporter: Any):
        self.exporter = exporter
        self.name = f"exporter:{exporter.name}"
        self.version = str(getattr(exporter, "version", "0"))

    def identity(self, model: ModelRef) -> str:
        return self.exporter.name

    def load(self, model: ModelRef) -> None:
        return None

    def run(self, handle: Any, requests: Sequence[Request]) -> list[Output | BaseException]:
        results: list[Output | BaseException] = []
        for request in requests:
            try:
                results.append(self.exporter.export(request))
            except Exception as exc:
                results.append(exc)
        return results

    def release(self, handle: Any) -> None:
        return None


class PixelOpRunner:
    """Runs an edit operation that is pure pixel work (it has ``apply``) without any model."""

    def __init__(self, op: Any):
        self.op = op
        self.name = f"op:{op.name}"
        self.version = str(getattr(op, "version", "0"))

    def identity(self, model: ModelRef) -> str:
        return self.op.name

    def load(self, model: ModelRef) -> None:
        return None

    def run(self, handle: Any, requests: Sequence[Request]) -> list[Output | BaseException]:
        results: list[Output | BaseException] = []
        for request in requests:
            try:
                data, meta = self.op.apply(request.inputs[0].main, dict(request.params))
                results.append(Output({"image.png": data}, dict(meta)))
            except Exception as exc:
                results.append(exc)
        return results

    def release(self, handle: Any) -> None:
        return None
