"""A scene's prompt: its style looked up, its template read and rendered with the scene's variables."""
from __future__ import annotations

from typing import Any, Mapping

from ..contracts import Location, shown_path
from ..dsl import Character, File, Scene, Style
from ..dsl.limits import RAISE_IT
from ..errors import RecipeError
from .model import fail
from .prompts import PromptError, Prompts
from .values import Probe


def scene_style(styles: Mapping[str, Style], style: Any, where: Location, uid: str) -> Style | None:
    """A scene's style: the one given, or the recipe's style of that name."""
    if isinstance(style, str):
        if style not in styles:
            known = ", ".join(sorted(styles)) or "none declared"
            raise fail(where, f"scene {uid}: unknown style {style!r} (known: {known})")
        return styles[style]
    return style


def scene_prompt(prompts: Prompts, probe: Probe, scene: Scene, series: Any, cast: list[Character],
                 style: Style | None, variables: dict[str, Any], files: list[str], run: Mapping[str, Any]
                 ) -> tuple[str, frozenset[str]]:
    """The rendered prompt and the variables its template reads; ``variables`` are the scene's, already plain data
    (``Probe.plain``); a template file it reads is added to ``files``. Raises RecipeError where the mistake was
    written (see ``_prompt_error``)."""
    source = scene.prompt
    where = scene.where
    if isinstance(source, File):
        files.append(probe.file(source.path, source.where, "prompt template"))
        text = source.path.read_text(encoding="utf-8")
    elif isinstance(source, str):
        text = source
    else:
        raise fail(where, f"scene {scene.uid}: prompt must be text or template(...), not {source!r}")
    values = dict(variables)
    values.update({
        "cast": " and ".join(f"{c.trigger + ' ' if c.trigger else ''}{c.name} ({c.looks})" for c in cast),
        "characters": [{"name": c.name, "looks": c.looks, "trigger": c.trigger} for c in cast],
        "style": style.text if style else "",
        "series": series.name, "scene": scene.id, "title": scene.title, "run": dict(run),
    })
    try:
        prompt = prompts.render(text, values)
    except PromptError as exc:
        raise _prompt_error(exc, scene, series) from None
    return prompt, prompts.names(text)


def _prompt_error(exc: PromptError, scene: Scene, series: Any) -> RecipeError:
    """A prompt that failed, reported where the mistake was written: a template file at its line; a series' prompt
    that is itself wrong at the series, one the scene renders without a value it needs at the scene (naming the
    series); a scene's own prompt at the scene."""
    source, scene_at = scene.prompt, f"{shown_path(scene.where.file)}:{scene.where.line}"
    line = f" (line {exc.line} of the prompt)" if exc.line and exc.line > 1 else ""
    if isinstance(source, File):
        return RecipeError(f"{exc.message} (rendering scene {scene.uid} at {scene_at})", shown_path(str(source.path)),
                           exc.line or 1)
    if source != series.prompt:
        return fail(scene.where, f"scene {scene.uid}: prompt{line}: {exc.message}")
    if exc.in_template:
        return fail(series.where, f"series {series.name} prompt{line}: {exc.message}")
    series_at = f"{shown_path(series.where.file)}:{series.where.line}"
    return fail(scene.where, f"scene {scene.uid}: the prompt of series {series.name} (at {series_at}){line}: "
                             f"{exc.message}")


def bounded(text: str, limit: int, what: str, where: Location) -> str:
    """Text that goes to a model as it is (a negative or an edit prompt), no longer than a prompt may be."""
    if len(text) > limit:
        raise fail(where, f"{what} is {len(text):,} characters, over the limit of {limit:,}{RAISE_IT}")
    return text
