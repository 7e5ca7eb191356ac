"""Exports expanded into tasks: each export's options checked by its exporter, its scenes' final images and the
reframed images the exporter asks for as inputs."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from ..contracts import ExporterOptions, Location, Task, exporters_serving
from ..dsl.words import closest
from . import kinds
from .model import fail

if TYPE_CHECKING:
    from .build import Builder


def add_exports(b: Builder, exports: Iterable[Any]) -> None:
    """Every export's task (after every scene's); two exports of one series with one name are an error."""
    names: dict[tuple[str, str], Location] = {}
    for exp in exports:
        if (exp.series, exp.name) in names:
            raise fail(exp.where, f"duplicate export {exp.name!r} of series {exp.series!r} "
                                  f"(first declared at {names[exp.series, exp.name]}); give one a name=")
        names[exp.series, exp.name] = exp.where
        add_export(b, exp)


def add_export(b: Builder, exp: Any) -> None:
    exporter = b.opt.exporters.get(exp.exporter)
    if exporter is None or exp.exporter not in exporters_serving({exp.exporter: exporter}, "export"):
        known = ", ".join(exporters_serving(b.opt.exporters, "export")) or "none installed"
        raise fail(exp.where, f"unknown exporter {exp.exporter!r} (known: {known})")
    files: list[str] = []
    options = b.probe.plain(declared_options(exporter, exp), files)
    try:
        exporter.check(options)
    except ValueError as exc:
        raise fail(exp.where, f"export {exp.name} of {exp.series}: {exc}") from None
    if exp.series not in b.recipe.series:
        raise fail(exp.where, f"export {exp.name}: unknown series {exp.series!r}")
    graph = b.graph
    in_series = [uid for uid in graph.scenes if uid.split("/", 1)[0] == exp.series]
    wanted = in_series if exp.scenes is None else [f"{exp.series}/{s}" for s in exp.scenes]
    for uid in wanted:
        if uid not in graph.scenes:
            raise fail(exp.where, f"export {exp.name}: unknown scene {uid!r}")
    if not wanted:  # e.g. a scheduled run whose week has no calendar row: skipped and reported, not failed
        graph.empty_exports[f"{exp.series}/export/{exp.name}"] = (
            f"no scenes of {exp.series} in this run" if exp.scenes is None else "it names no scenes")
        return
    inputs = [graph.scenes[uid].final for uid in wanted]
    entries = []
    reframes: dict[tuple[int, int], dict] = {}  # by image size: an exporter's reframes depend on nothing else
    for index, uid in enumerate(wanted):
        final = inputs[index]
        size = graph.sizes[final]
        info = graph.builds[uid].info
        entry = {**info, "image": index, "size": list(size), "reframes": {}}
        if size not in reframes:
            reframes[size] = exporter.reframes(options, size) or {}
        for tag, edit in reframes[size].items():
            edit = dict(edit)
            task_id, _ = kinds.edit(b, uid, f"reframe-{tag}", edit.pop("op"), edit, exp.where, final, size,
                                    {"prompt": info["prompt"], "negative": ""}, [], None)
            entry["reframes"][tag] = len(inputs)
            inputs.append(task_id)
        entries.append(entry)
    params = {"exporter": exp.exporter, "name": exp.name, "options": options, "scenes": entries}
    b.add(Task(id=f"{exp.series}/export/{exp.name}", kind="export", params=params, inputs=tuple(inputs),
               files=tuple(files), where=exp.where, series=exp.series, scene=None))


def declared_options(exporter: Any, exp: Any) -> dict[str, Any]:
    """An export's options, checked against those its exporter declares (when it does): an unknown one is an error
    at the export's line naming the known ones, and one given as None gets the exporter's default."""
    given = dict(exp.params)
    if not isinstance(exporter, ExporterOptions):
        return given
    declared = exporter.options
    for name in given:
        if name not in declared:
            close = closest(name, declared)
            hint = f"; did you mean {close!r}?" if close else ""
            raise fail(exp.where, f"export {exp.name} of {exp.series}: unknown option {name!r} of exporter "
                                  f"{exp.exporter!r}{hint} (known: {', '.join(sorted(declared)) or 'none'})")
    return {name: declared[name] if value is None else value for name, value in given.items()}
