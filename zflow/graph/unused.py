"""Keywords of scenes and series that no template and no export reads: typos, refused with a did-you-mean."""
from __future__ import annotations

from typing import Any, Mapping

from ..dsl import shown_path
from ..dsl.words import SCENE_OPTIONS, SERIES_OPTIONS, did_you_mean
from ..errors import RecipeError


def check_unused(recipe: Any, builds: Mapping[str, Any], exporters: Mapping[str, Any]) -> None:
    """Raise RecipeError at the first scene (or series) keyword that is neither an option nor a variable read by
    the prompt template its scene renders or by an exporter of its series (``scene_vars``, see the Exporter
    protocol). A series' keyword is one when no scene of the series reads it; a series with no scenes is not
    checked."""
    exported = _read_by_exports(recipe, exporters)
    read_in_series: dict[str, set[str]] = {}
    series_vars: dict[str, dict[str, Any]] = {}  # each series' variables as a dict, made once for all its scenes
    for scene in recipe.scenes:
        reads = builds[scene.uid].names | exported.get(scene.series, frozenset())
        read_in_series.setdefault(scene.series, set()).update(reads)
        inherited = series_vars.get(scene.series)
        if inherited is None:
            inherited = series_vars[scene.series] = dict(recipe.series[scene.series].vars)
        for key, value in scene.vars:
            if key in reads or key == "__style__" or (key in inherited and inherited[key] is value):
                continue
            raise _unknown(key, "scene", f"scene {scene.uid}", SCENE_OPTIONS, reads, scene.where)
    for name, series in recipe.series.items():
        reads = read_in_series.get(name)
        for key, _ in series.vars if reads is not None else ():
            if key not in reads:
                raise _unknown(key, "series", f"series {name}", SERIES_OPTIONS, reads, series.where)


def _read_by_exports(recipe: Any, exporters: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """By series: the scene variables its exports read (a blog's ``text=``, a webtoon's ``scene_key``)."""
    found: dict[str, frozenset[str]] = {}
    for exp in recipe.exports:
        reads = getattr(exporters.get(exp.exporter), "scene_vars", None)
        if reads is not None:
            found[exp.series] = found.get(exp.series, frozenset()) | frozenset(reads(dict(exp.params)))
    return found


def _unknown(key: str, kind: str, who: str, options: tuple[str, ...], reads: set[str] | frozenset[str],
             where: Any) -> RecipeError:
    hint = did_you_mean(key, (*options, *reads))
    used = ", ".join(sorted(reads)) or "none"
    return RecipeError(f"{who}: unknown keyword {key}=: not a {kind} option, and no template or export of it reads "
                       f"it ({hint or f'variables read: {used}'})", shown_path(where.file), where.line)
