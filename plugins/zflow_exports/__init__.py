"""zflow's output exporters: SNS sizes, thumbnails with titles, webtoon episodes, blog posts and contact sheets."""
from __future__ import annotations

from typing import Any, Callable

from zflow.hookspecs import hookimpl

from .blog import BlogExporter
from .contact import ContactSheetExporter
from .sns import SnsExporter
from .thumbnail import ThumbnailExporter
from .webtoon import WebtoonExporter


@hookimpl
def register_exporters(register: Callable[[Any], None]) -> None:
    """Register the ``sns``, ``thumbnail``, ``webtoon``, ``blog`` and ``contact-sheet`` exporters."""
    for exporter in (SnsExporter(), ThumbnailExporter(), WebtoonExporter(), BlogExporter(), ContactSheetExporter()):
        register(exporter)
