"""Exports: a series or some of its scenes handed to an exporter plugin, and the shortcuts for the built-in ones."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .checks import check_schedule
from .names import check_name
from .parts import Scene
from .registry import DeclarationError, current
from .schedule import Schedule
from .series import Series
from .source import Location, caller_location
from .values import File, freeze


@dataclass(frozen=True, slots=True)
class Export:
    """An export of a series' (or some scenes') final images by the exporter plugin ``exporter``."""

    exporter: str
    name: str
    series: str
    scenes: tuple[str, ...] | None
    params: tuple[tuple[str, Any], ...]
    where: Location = field(compare=False, repr=False)
    schedule: Schedule | None = None


def export(exporter: str, target: Series | Scene | list, name: str | None = None,
           schedule: Schedule | None = None, **params: Any) -> Export:
    """Export a series (or a list of its scenes) with the exporter plugin called ``exporter``; ``schedule``
    builds it on a cron schedule under `zflow schedule`."""
    where = caller_location()
    check_name("exporter", exporter, where)
    if isinstance(target, Series):
        series, scenes = target.name, None
    elif isinstance(target, Scene):
        series, scenes = target.series, (target.id,)
    elif isinstance(target, (list, tuple)) and target and all(isinstance(s, Scene) for s in target):
        series = target[0].series
        if any(s.series != series for s in target):
            raise DeclarationError("an export takes scenes of one series", where)
        scenes = tuple(s.id for s in target)
    else:
        raise DeclarationError(f"export {exporter!r} needs a Series, a Scene or a list of scenes, not {target!r}", where)
    item = Export(exporter, check_name("export", name or exporter, where), series, scenes, freeze(params, where),
                  where, check_schedule(schedule, where))
    current().exports.append(item)
    return item


def sns(target: Any, *presets: str, name: str | None = None, **params: Any) -> Export:
    """Every named social-network size of the target's final images (see ``zflow plugins`` for presets)."""
    return export("sns", target, name=name, presets=list(presets), **params)


def webtoon(target: Any, preset: str | None = None, name: str | None = None, **params: Any) -> Export:
    """A webtoon episode: the scenes as panels on a vertical strip, sliced for upload (``preset=None``: the
    exporter's default)."""
    return export("webtoon", target, name=name, preset=preset, **params)


def blog(target: Any, template: str | Path | None = None, name: str | None = None, **params: Any) -> Export:
    """A blog post (Markdown or HTML) with responsive images, from a Jinja2 template the user can replace."""
    if template is not None:
        params["template"] = File.at(template, caller_location())
    return export("blog", target, name=name, **params)


def thumbnail(target: Any, title: str | None = None, preset: str | None = None, name: str | None = None,
              **params: Any) -> Export:
    """A thumbnail with its title set over the image (``preset=None``: the exporter's default)."""
    if title is not None:
        params["title"] = title
    return export("thumbnail", target, name=name, preset=preset, **params)
