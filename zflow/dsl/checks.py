"""Validators of the arguments of Series and scene(): each returns the checked value or raises at the caller's line."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from .parts import DEFAULT_REFINE, Balloon, Edit, Refine, Scene
from .registry import DeclarationError
from .schedule import Schedule
from .source import Location
from .values import File, Style
from .words import did_you_mean


def check_schedule(value: Any, where: Location) -> Schedule | None:
    if value is None or isinstance(value, Schedule):
        return value
    raise DeclarationError(f"schedule={value!r}: use Schedule(\"0 9 * * MON\", tz=\"Asia/Seoul\")", where)


def check_photo(photo: Any, where: Location) -> File | Scene | str | None:
    """A scene starts from a photo file, another Scene, or "@series/scene"."""
    if photo is None or isinstance(photo, Scene) or (isinstance(photo, str) and photo.startswith("@")):
        return photo
    if isinstance(photo, (str, Path)):
        return File.at(photo, where)
    raise DeclarationError(f"photo {photo!r}: give an image path, a Scene or \"@series/scene\"", where)


def cast_name(value: Any, where: Location) -> str:
    if isinstance(value, str):
        return value
    raise DeclarationError(f"cast member {value!r} is not a Character", where)


def check_style(style: Any, where: Location) -> Style | str | None:
    if style is None or isinstance(style, (Style, str)):
        return style
    raise DeclarationError(f"style {style!r} is not a Style (or a style name)", where)


def check_int(what: str, value: Any, where: Location) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise DeclarationError(f"{what} must be a whole number, not {value!r}", where)
    return value


#: Seeds are what every backend takes: a 32-bit unsigned number (drafts count on from a scene's seed).
MAX_SEED = 2**32 - 1


def check_seed(value: Any, where: Location) -> int | None:
    seed = check_int("seed", value, where)
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise DeclarationError(f"seed must be a whole number from 0 to {MAX_SEED}, not {seed}", where)
    return seed


def check_drafts(value: Any, where: Location) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64:
        raise DeclarationError(f"drafts must be a whole number from 1 to 64, not {value!r}", where)
    return value


def check_refine(value: Any, where: Location) -> Refine | None:
    if value is True:
        return DEFAULT_REFINE
    if value is False or value is None:
        return None
    if isinstance(value, Refine):
        return value
    if isinstance(value, Mapping):
        try:
            return Refine(**value)
        except TypeError as exc:
            raise DeclarationError(f"refine: {exc}", where) from None
    raise DeclarationError(f"refine must be True, False or Refine(...), not {value!r}", where)


def check_edits(value: Any, where: Location) -> tuple[Edit, ...]:
    if isinstance(value, Edit):
        value = (value,)
    edits = tuple(value)
    for e in edits:
        if not isinstance(e, Edit):
            raise DeclarationError(f"edit {e!r} is not an Edit (use Edit.inpaint(...), Edit.outpaint(...), ...)", where)
    return edits


def check_balloons(values: Any, cast: tuple[str, ...], where: Location) -> tuple[Balloon, ...]:
    """A scene's balloons; a speaker must be in its cast (a balloon points at its speaker's head)."""
    balloons = tuple([check_balloon(b, where) for b in values])
    for balloon in balloons:
        if balloon.who is not None and balloon.who not in cast:
            hint = did_you_mean(str(balloon.who), cast)
            raise DeclarationError(f"balloon {balloon.text!r} is said by {balloon.who!r}, who is not in the scene's "
                                   f"cast ({', '.join(cast) or 'nobody'}){'; ' + hint if hint else ''}: add them "
                                   f"to cast= or drop who=", where)
    return balloons


def check_balloon(value: Any, where: Location) -> Balloon:
    if isinstance(value, Balloon):
        return value
    if isinstance(value, str):
        return Balloon("narration", value)
    raise DeclarationError(f"balloon {value!r}: use say(...), think(...), shout(...) or narrate(...)", where)
