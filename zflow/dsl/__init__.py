"""The recipe language: plain frozen declarations that remember where they were made."""
from ..contracts.sizes import parse_size
from .declarations import (DEFAULT_PROMPT, Balloon, Character, Edit, Export, File, Refine, Scene, Series, Style,
                           blog, export, narrate, say, shout, sns, template, think, thumbnail, webtoon)
from .registry import DeclarationError, Registry, collecting
from .schedule import Schedule
from .source import Location, caller_location, shown_path
from .tables import Row, rows

__all__ = [
    "Balloon", "Character", "DEFAULT_PROMPT", "DeclarationError", "Edit", "Export", "File", "Location", "Refine",
    "Registry", "Row", "Scene", "Schedule", "Series", "Style", "blog", "caller_location", "collecting", "export",
    "narrate", "parse_size", "rows", "say", "shout", "shown_path", "sns", "template", "think", "thumbnail",
    "webtoon",
]
