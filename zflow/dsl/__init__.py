"""The recipe language: plain frozen declarations that remember where they were made."""
from ..contracts.sizes import parse_size
from .adapters import Lora
from .control import CONTROL_TYPES, Control
from .exports import Export, blog, export, sns, thumbnail, webtoon
from .parts import Balloon, Edit, Refine, Scene, add_edit_constructors, narrate, say, shout, think
from .registry import DeclarationError, Registry, collecting
from .schedule import Schedule
from .series import DEFAULT_PROMPT, Series
from .source import Location, caller_location, shown_path
from .tables import Row, rows
from .training import Sheets, Train
from .upscale import Upscale
from .values import Character, File, Style, template

__all__ = [
    "Balloon", "CONTROL_TYPES", "Character", "Control", "DEFAULT_PROMPT", "DeclarationError", "Edit", "Export", "File",
    "Location", "Lora",
    "Refine",
    "Registry", "Row", "Scene", "Schedule", "Series", "Sheets", "Style", "Train", "add_edit_constructors", "blog",
    "caller_location",
    "collecting", "export", "narrate", "parse_size", "rows", "say", "shout", "shown_path", "sns", "template", "think",
    "thumbnail", "Upscale", "webtoon",
]
