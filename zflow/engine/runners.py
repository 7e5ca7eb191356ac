"""Runners: one uniform face (identity, load, run, release) over backends, exporters, pixel ops and file imports."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Sequence

from ..contracts import ModelRef, Output, Request


class OneByOne(ABC):
    """A runner with no model: each request is handled on its own, and one failing does not fail the others."""

    name = ""
    version = "0"

    def load(self, model: ModelRef) -> None:
        return None

    def release(self, handle: Any) -> None:
        return None

    def run(self, handle: Any, requests: Sequence[Request]) -> list[Output | BaseException]:
        results: list[Output | BaseException] = []
        for request in requests:
            try:
                results.append(self.one(request))
            except Exception as exc:
                results.append(exc)
        return results

    @abstractmethod
    def one(self, request: Request) -> Output:
        """The output of one request."""


class SourceRunner(OneByOne):
    """Imports an existing image file (a photo or a character's reference image) as an artifact."""

    name = "source"
    version = "1"

    def identity(self, model: ModelRef) -> str:
        return "file"

    def one(self, request: Request) -> Output:
        rel = request.params["file"]
        path = request.root / rel  # an absolute path stays as it is
        ext = path.suffix.lower().lstrip(".") or "img"
        return Output({f"image.{ext}": path.read_bytes()}, {"source": rel, "stage": "source"})


class ExporterRunner(OneByOne):
    """Runs an exporter plugin's ``export`` per request."""

    def __init__(self, exporter: Any):
        self.exporter = exporter
        self.name = f"exporter:{exporter.name}"
        self.version = str(getattr(exporter, "version", "0"))

    def identity(self, model: ModelRef) -> str:
        return self.exporter.name

    def one(self, request: Request) -> Output:
        return self.exporter.export(request)


class PixelOpRunner(OneByOne):
    """Runs an edit operation that is pure pixel work (it has ``apply``) without any model."""

    def __init__(self, op: Any):
        self.op = op
        self.name = f"op:{op.name}"
        self.version = str(getattr(op, "version", "0"))

    def identity(self, model: ModelRef) -> str:
        return self.op.name

    def one(self, request: Request) -> Output:
        data, meta = self.op.apply(request.images[0].main, dict(request.params))
        return Output({"image.png": data}, dict(meta))
