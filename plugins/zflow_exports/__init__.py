"""zflow's output exporters: SNS sizes, thumbnails with titles, webtoon episodes, blog posts and contact sheets."""
from __future__ import annotations

from typing import Any, Callable

from zflow.hookspecs import hookimpl

from .sns import SnsExporter


@hookimpl
def register_exporters(register: Callable[[Any], None]) -> None:
    """Register the five exporters."""
    for exporter in (SnsExporter(),):
        register(exporter)
