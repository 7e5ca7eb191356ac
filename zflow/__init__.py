"""zflow: declarative image-series builds on the Z-Image model line. The names recipes import."""
from .dsl import (Balloon, Character, Control, Edit, File, Lora, Refine, Row, Scene, Schedule, Series, Sheets, Style,
                  Train, Upscale, blog, export, narrate, rows, say, shout, sns, template, think, thumbnail, webtoon)
from .errors import PluginError, RecipeError, StoreError, TaskError, ZflowError, UsageError
from .hookspecs import hookimpl

__version__ = "0.1.0"

__all__ = [
    "Balloon", "Character", "Control", "Edit", "File", "Lora", "PluginError", "RecipeError", "Refine", "Row", "Scene",
    "Schedule", "Series", "Sheets", "StoreError", "Style", "Train", "TaskError", "UsageError", "ZflowError", "blog",
    "export", "hookimpl", "narrate", "rows", "say", "shout", "sns", "template", "think", "thumbnail", "Upscale",
    "webtoon",
]
