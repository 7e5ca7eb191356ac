"""The whole plugin API, importing nothing else of zflow: tasks, what flows between the engine and plugins, the
plugin protocols, declaration places and image sizes. ``zflow.contracts.text`` and ``.provenance`` (which need
Pillow) are imported by name."""
from .location import Location, shown_path
from .protocols import (Backend, CostEstimate, EditOp, Executor, Exporter, KeyOptions, PixelOp, ProjectSettings,
                        Registries, ReportsLoads, Runtime)
from .sizes import parse_size
from .task import STAGE_OF_KIND, Task, canonical
from .work import Artifact, Batch, ModelRef, Output, Request

__all__ = [
    "Artifact", "Backend", "Batch", "CostEstimate", "EditOp", "Executor", "Exporter", "KeyOptions", "Location",
    "ModelRef", "Output", "PixelOp", "ProjectSettings", "Registries", "ReportsLoads", "Request", "Runtime",
    "STAGE_OF_KIND", "Task", "canonical", "parse_size", "shown_path",
]
