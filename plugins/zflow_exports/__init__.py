"""zflow's output exporters: SNS sizes, thumbnails with titles, webtoon episodes, blog posts and contact sheets.

Each exporter's module (Pillow, encoders, templates) is imported when the exporter is first used, so that loading
the plugin (every zflow command does) stays cheap.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable, Mapping, Sequence

from zflow.contracts import Output, Request
from zflow.hookspecs import hookimpl

from .options import OPTIONS

#: name -> (module, class, version); the version is the class's own (a test checks they agree).
EXPORTERS = {
    "sns": ("sns", "SnsExporter", "2"),
    "thumbnail": ("thumbnail", "ThumbnailExporter", "2"),
    "webtoon": ("webtoon", "WebtoonExporter", "2"),
    "blog": ("blog", "BlogExporter", "3"),
    "contact-sheet": ("contact", "ContactSheetExporter", "2"),
}


#: What each exporter serves (``export`` tasks unless named here): the contact sheet serves every scene's drafts.
KINDS = {"contact-sheet": frozenset({"contact"})}


class LazyExporter:
    """An exporter that imports its implementation at first use; its options and kinds are known before."""

    def __init__(self, name: str, module: str, cls: str, version: str):
        self.name, self.version = name, version
        self.options = OPTIONS[name]
        self.kinds = KINDS.get(name, frozenset({"export"}))
        self._where = (module, cls)
        self._target: Any = None

    @property
    def target(self) -> Any:
        if self._target is None:
            module, cls = self._where
            self._target = getattr(importlib.import_module(f"{__name__}.{module}"), cls)()
        return self._target

    def check(self, params: Mapping[str, Any]) -> None:
        self.target.check(params)

    def reframes(self, params: Mapping[str, Any], size: tuple[int, int]) -> Mapping[str, Mapping[str, Any]]:
        return self.target.reframes(params, size)

    def export(self, request: Request) -> Output:
        return self.target.export(request)

    def scene_vars(self, params: Mapping[str, Any]) -> Sequence[str]:
        reads = getattr(self.target, "scene_vars", None)
        return reads(params) if reads is not None else ()


@hookimpl
def register_exporters(register: Callable[[Any], None]) -> None:
    """Register the ``sns``, ``thumbnail``, ``webtoon``, ``blog`` and ``contact-sheet`` exporters."""
    for name, (module, cls, version) in EXPORTERS.items():
        register(LazyExporter(name, module, cls, version))
