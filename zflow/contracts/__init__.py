"""The whole plugin API, importing nothing else of zflow: tasks, what flows between the engine and plugins, the
plugin protocols, declaration places and image sizes. ``zflow.contracts.text`` and ``.provenance`` (which need
Pillow) are imported by name."""
from .adapters import Adapter, adapters_of
from .location import Location, shown_path
from .protocols import (EXPORT_KINDS, REQUIRED, Backend, CostEstimate, EditConstructor, EditOp, Executor, Exporter,
                        ExporterOptions, KeyOptions, PixelOp, ProjectSettings, Refuses, Registries, ReportsLoads,
                        Runtime, SideModels, exporters_serving)
from .sizes import parse_size
from .task import STAGE_OF_KIND, Task, canonical
from .work import Artifact, Batch, ModelRef, Output, Request

__all__ = [
    "EXPORT_KINDS", "REQUIRED", "Adapter", "Artifact", "Backend", "Batch", "CostEstimate", "EditConstructor",
    "EditOp", "Executor", "Exporter", "ExporterOptions", "KeyOptions", "Location", "ModelRef", "Output", "PixelOp",
    "ProjectSettings", "Refuses", "Registries", "ReportsLoads", "Request", "Runtime", "STAGE_OF_KIND", "SideModels",
    "Task", "adapters_of", "canonical", "exporters_serving", "parse_size", "shown_path",
]
