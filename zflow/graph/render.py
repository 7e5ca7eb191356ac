"""A scene's prompt: its style looked up, its template read and rendered with the scene's variables."""
from __future__ import annotations

from typing import Any, Mapping

from ..contracts import Location, shown_path
from ..dsl import Character, File, Scene, Style
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
                 style: Style | None, variables: dict[str, Any], files: list[str], run: Mapping[str, Any]) -> str:
    """The rendered prompt; a template file it reads is added to ``files``. Raises RecipeError at the template's
    own line when the error is inside a template file, else at the scene's."""
    source = scene.prompt
    where = scene.where
    if isinstance(source, File):
        probe.reads.append(source.path)
        if not source.path.is_file():
            raise fail(source.where, f"prompt template {shown_path(str(source.path))} not found")
        files.append(probe.rel(source.path))
        text = source.path.read_text(encoding="utf-8")
    elif isinstance(source, str):
        text = source
    else:
        raise fail(where, f"scene {scene.uid}: prompt must be text or template(...), not {source!r}")
    values = {k: probe.plain(v, []) for k, v in variables.items()}
    values.update({
        "cast": " and ".join(f"{c.name} ({c.looks})" for c in cast),
        "characters": [{"name": c.name, "looks": c.looks} for c in cast],
        "style": style.text if style else "",
        "series": series.name, "scene": scene.id, "title": scene.title, "run": dict(run),
    })
    try:
        return prompts.render(text, values)
    except PromptError as exc:
        if isinstance(source, File) and exc.line:
            raise RecipeError(f"scene {scene.uid}: {exc.message}", shown_path(str(source.path)), exc.line)
        raise fail(where, f"scene {scene.uid}: {exc.message}") from None
