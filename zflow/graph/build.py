"""Turn a loaded recipe into the task graph: sheets, drafts, contact sheets, refine, edit chains, exports."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from ..dsl import Character, File, Location, Row, Scene, Style, parse_size, shown_path
from ..errors import RecipeError
from .keys import derived_seed
from .prompts import PromptError, Prompts
from ..contracts import Task

SHEET_ASPECT = "3:4"
_SCALARS = frozenset({str, int, float, bool, type(None)})


@dataclass(slots=True)
class GraphOptions:
    """What graph building needs from outside: the project root, plugins' edit ops and exporters, picks, sizes."""

    root: Path
    edit_ops: Mapping[str, Any]
    exporters: Mapping[str, Any]
    image_size: Callable[[Path], tuple[int, int]]
    picks: Mapping[str, int] = field(default_factory=dict)
    picks_file: str = "picks.json"
    filters: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    base_pixels: int = 1024 * 1024
    run: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class SceneNodes:
    """The task ids one scene produced, for galleries and exports."""

    uid: str
    drafts: list[str] = field(default_factory=list)
    contact: str | None = None
    pick: int | None = None
    refine: str | None = None
    edits: list[str] = field(default_factory=list)
    final: str = ""


@dataclass(slots=True)
class SceneBuild:
    """What one scene added to the graph and what that came from: reused by the next build of the graph while its
    basis (the scene's declaration and all it draws on) is equal and the files it read are unchanged."""

    basis: tuple
    reads: tuple[tuple[Path, tuple[int, int] | None], ...]
    tasks: dict[str, Task]
    sizes: dict[str, tuple[int, int]]
    nodes: SceneNodes
    info: dict[str, Any]


@dataclass(slots=True)
class Graph:
    """Tasks in dependency order, the image size of each image task and each scene's nodes; for the next build of
    the graph (a watch session's), how each scene was built, the tasks in units (a scene's own tasks as one), and
    the options and declarations every scene's build depended on."""

    tasks: dict[str, Task] = field(default_factory=dict)
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)
    scenes: dict[str, SceneNodes] = field(default_factory=dict)
    builds: dict[str, SceneBuild] = field(default_factory=dict)
    units: list[Task | SceneBuild] = field(default_factory=list)  # the tasks again, a scene's own as one unit
    options: GraphOptions | None = None  # picks aside: scenes compare their own
    declared: tuple[dict, dict, dict] = ({}, {}, {})  # the series, characters and styles scenes were built with
    empty_exports: dict[str, str] = field(default_factory=dict)  # export task id -> why it has nothing to export


def fail(where: Location | None, message: str) -> RecipeError:
    if where is None:
        return RecipeError(message)
    return RecipeError(message, shown_path(where.file), where.line)


def build_graph(recipe: Any, options: GraphOptions, previous: Graph | None = None) -> Graph:
    """All tasks of a recipe; raises RecipeError naming the declaration at fault. Scenes whose declaration and
    inputs equal those of the ``previous`` graph's (a watch session's last load) reuse its tasks."""
    return _Builder(recipe, options, previous).build()


class _Builder:
    def __init__(self, recipe: Any, options: GraphOptions, previous: Graph | None = None):
        self.recipe = recipe
        self.opt = options
        shared = replace(options, picks={})
        self.graph = Graph(options=shared, declared=(recipe.series, recipe.characters, recipe.styles))
        if previous is None or previous.options != shared:
            previous = Graph()
        self.previous = previous.builds
        old_series, old_characters, old_styles = previous.declared
        # Declarations compared with the previous graph's once here rather than once per scene.
        self.same_series = {n for n, s in recipe.series.items() if old_series.get(n) == s}
        self.same_characters = {n for n, c in recipe.characters.items() if old_characters.get(n) == c}
        self.changed_styles = {n for n in recipe.styles.keys() | old_styles.keys()
                               if recipe.styles.get(n) != old_styles.get(n)}
        self._prompts: Prompts | None = None
        self._images: dict[Path, tuple[str, tuple[int, int]]] = {}
        self._stats: dict[Path, tuple[int, int] | None] = {}
        self._reads: list[Path] = []
        self._scene_uid: str | None = None  # the scene whose tasks are being made
        self._scene_tasks: list[Task] = []
        self._sheets: dict[str, Task] = {}

    @property
    def prompts(self) -> Prompts:
        """The prompt renderer, made on first use (a load whose scenes are all reused renders nothing)."""
        if self._prompts is None:
            self._prompts = Prompts(self.opt.filters)
        return self._prompts

    def build(self) -> Graph:
        for character in self.recipe.characters.values():
            if character.reference is not None:
                self._image(character.reference, f"reference image of {character.name!r}")
        graph, previous, characters = self.graph, self.previous, self.recipe.characters
        for scene in self._scene_order():
            old = previous.get(scene.uid)
            if old is None or not self._unchanged(scene, old):
                self._scene(scene)
                continue
            for name in scene.cast:  # what a reused scene needs besides its own tasks
                self._sheet(characters[name])
            for file in scene.references:
                self._reference(file)
            # No clash to check: a scene's task ids are its unique uid plus a name without "/", and exports (which
            # could clash) are added after every scene.
            graph.tasks.update(old.tasks)
            graph.sizes.update(old.sizes)
            graph.scenes[scene.uid] = old.nodes
            graph.builds[scene.uid] = old
            graph.units.append(old)
        names: dict[tuple[str, str], Location] = {}
        for exp in self.recipe.exports:
            if (exp.series, exp.name) in names:
                raise fail(exp.where, f"duplicate export {exp.name!r} of series {exp.series!r} "
                                      f"(first declared at {names[exp.series, exp.name]}); give one a name=")
            names[exp.series, exp.name] = exp.where
            self._export(exp)
        return self.graph

    # -- helpers -------------------------------------------------------------------------------------------------
    def _add(self, task: Task, size: tuple[int, int] | None = None) -> Task:
        old = self.graph.tasks.get(task.id)
        if old is not None:
            if old == task:
                return old
            raise fail(task.where, f"duplicate task id {task.id!r} (first declared at {old.where})")
        self.graph.tasks[task.id] = task
        if size is not None:
            self.graph.sizes[task.id] = size
        if task.scene is not None and task.scene == self._scene_uid:
            self._scene_tasks.append(task)
        else:
            self.graph.units.append(task)
        return task

    def _stat(self, path: Path) -> tuple[int, int] | None:
        """Size and modification time of a file (None when it is missing), once per build."""
        if path not in self._stats:
            try:
                st = os.stat(path)
                self._stats[path] = (st.st_size, st.st_mtime_ns)
            except OSError:
                self._stats[path] = None
        return self._stats[path]

    def _rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.opt.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def _plain(self, value: Any, files: list[str]) -> Any:
        """A declaration value as canonical JSON data; files it names are collected into ``files``."""
        if type(value) in _SCALARS:
            return value
        if isinstance(value, File):
            self._reads.append(value.path)
            rel = self._rel(value.path)
            if not value.path.is_file():
                raise fail(value.where, f"file {shown_path(str(value.path))} not found")
            files.append(rel)
            return {"file": rel}
        if isinstance(value, Style):
            return value.text
        if isinstance(value, Character):
            return value.name
        if isinstance(value, Row):
            return self._plain(Row.asdict(value), files)
        if isinstance(value, (list, tuple)):
            return [self._plain(v, files) for v in value]
        if isinstance(value, dict):
            return {str(k): self._plain(v, files) for k, v in value.items()}
        return value

    def _image(self, file: File, what: str) -> tuple[str, tuple[int, int]]:
        """An image file's project path and size, checked once per load however many declarations name it."""
        known = self._images.get(file.path)
        if known is not None:
            return known
        if not file.path.is_file():
            raise fail(file.where, f"{what} {shown_path(str(file.path))} not found")
        try:
            size = self.opt.image_size(file.path)
        except ValueError as exc:
            raise fail(file.where, f"{what} {shown_path(str(file.path))} is not an image ({exc})") from None
        self._images[file.path] = self._rel(file.path), size
        return self._images[file.path]

    # -- scenes --------------------------------------------------------------------------------------------------
    def _scene_order(self) -> list[Scene]:
        """Scenes in declaration order, except that a scene starting from another comes after it."""
        by_uid: dict[str, Scene] = {}
        for scene in self.recipe.scenes:
            if scene.uid in by_uid:
                first = by_uid[scene.uid]
                if first == scene:  # the same declaration, made twice (a helper module two recipes import)
                    continue
                raise fail(scene.where, f"duplicate scene id {scene.id!r} in series {scene.series!r} "
                                        f"(first declared at {first.where})")
            by_uid[scene.uid] = scene
        order: list[Scene] = []
        state: dict[str, int] = {}

        def visit(scene: Scene, trail: list[str]) -> None:
            if state.get(scene.uid) == 2:
                return
            if state.get(scene.uid) == 1:
                cycle = " -> ".join(trail[trail.index(scene.uid):] + [scene.uid])
                raise fail(scene.where, f"cycle between scenes: {cycle}")
            state[scene.uid] = 1
            source = _scene_source(scene)
            if source is not None:
                if source not in by_uid:
                    raise fail(scene.where, f"scene {scene.uid!r} starts from unknown scene {source!r}")
                visit(by_uid[source], trail + [scene.uid])
            state[scene.uid] = 2
            order.append(scene)

        for uid, scene in by_uid.items():
            if scene.photo is None:  # most scenes: nothing to visit first
                state[uid] = 2
                order.append(scene)
            else:
                visit(scene, [])
        return order

    def _basis(self, scene: Scene) -> tuple:
        """What a scene's tasks are made from, besides its series, cast, named styles and files: the declaration
        (with where it and its edits stand: named tuples compare their places too), the pick and the image it
        starts from."""
        return scene, self.opt.picks.get(scene.uid), None if scene.photo is None else self._upstream(scene)

    def _unchanged(self, scene: Scene, old: SceneBuild) -> bool:
        """Whether a scene may reuse its tasks of the previous graph: nothing they came from has changed."""
        series = self.recipe.series.get(scene.series)
        return (old.basis == self._basis(scene) and series is not None and series.name in self.same_series
                and self.same_characters.issuperset(scene.cast)
                and (not self.changed_styles or self.changed_styles.isdisjoint(_style_names(scene, series)))
                and (not old.reads or all(self._stat(p) == st for p, st in old.reads)))

    def _scene(self, scene: Scene) -> None:
        """Add a scene's new tasks (and remember how they were made, for the next build of the graph to reuse)."""
        series = self.recipe.series.get(scene.series)
        if series is None:
            raise fail(scene.where, f"unknown series {scene.series!r}")
        uid = scene.uid
        self._reads, self._scene_uid, self._scene_tasks = [], uid, []
        info = self._new_scene(scene, series)
        self._scene_uid = None
        tasks = {t.id: t for t in self._scene_tasks}
        sizes = {i: self.graph.sizes[i] for i in tasks if i in self.graph.sizes}
        build = SceneBuild(self._basis(scene), tuple((p, self._stat(p)) for p in dict.fromkeys(self._reads)),
                           tasks, sizes, self.graph.scenes[uid], info)
        self.graph.builds[uid] = build
        self.graph.units.append(build)

    def _upstream(self, scene: Scene) -> tuple[str, tuple[int, int] | None] | None:
        """The task (and size) of the image a scene starts from, when it starts from another scene."""
        nodes = self.graph.scenes.get(_scene_source(scene) or "")
        return (nodes.final, self.graph.sizes.get(nodes.final)) if nodes is not None else None

    def _new_scene(self, scene: Scene, series: Any) -> dict[str, Any]:
        """Make a scene's tasks; returns what exports say of it."""
        uid = scene.uid
        nodes = SceneNodes(uid)
        self.graph.scenes[uid] = nodes
        try:
            size = parse_size(scene.size, self.opt.base_pixels)
        except ValueError as exc:
            raise fail(scene.where, f"scene {uid}: {exc}") from None
        cast = []
        for name in scene.cast:
            if name not in self.recipe.characters:
                known = ", ".join(sorted(self.recipe.characters)) or "none declared"
                raise fail(scene.where, f"scene {uid}: unknown character {name!r} (known: {known})")
            cast.append(self.recipe.characters[name])
        variables = dict(scene.vars)
        style = self._style(variables.pop("__style__", series.style), scene.where, uid)
        files: list[str] = []
        prompt = self._render(scene, series, cast, style, variables, files)
        negative = ", ".join(t for t in (style.negative if style else "", scene.negative) if t)  # style, then scene
        # Character sheets, then the scene's extra reference images: inputs of every draft and edit, so a backend
        # that takes reference images gets them (params "references" names the extra ones), and a change rebuilds.
        references = [self._reference(f) for f in scene.references]
        sheets = [self._sheet(c).id for c in cast] + [task.id for task in references]
        guides = {"references": [task.params["file"] for task in references]} if references else {}
        cast_params = [{"name": c.name, "looks": c.looks} for c in cast]
        common = {"prompt": prompt, "negative": negative}

        source = _scene_source(scene)
        if source is not None:
            current = self.graph.scenes[source].final
            size = self.graph.sizes[current]
        elif scene.photo is not None:
            self._reads.append(scene.photo.path)  # its size is the scene's
            rel, size = self._image(scene.photo, "photo")
            current = self._add(Task(f"{uid}/photo", "source", {"file": rel}, files=(rel,), where=scene.where,
                                     series=series.name, scene=uid), size).id
        else:
            current = self._drafts(scene, nodes, size, common | guides, cast_params, sheets, style, series.seed,
                                   files)
        if scene.refine is not None and source is None and scene.photo is None:
            r = scene.refine
            params = {**common, "size": list(size), "strength": float(r.strength), "mode": r.mode,
                      "seed": self.graph.tasks[current].params["seed"]}
            params |= {k: v for k, v in (("steps", r.steps), ("guidance", r.guidance)) if v is not None}
            current = self._add(Task(f"{uid}/refine", "refine", params, (current,), tuple(files), scene.where,
                                     series.name, uid), size).id
            nodes.refine = current
        for index, edit in enumerate(scene.edits, start=1):
            current, size = self._edit(uid, f"edit-{index}-{edit.op}", edit.op, edit.args, edit.where, current,
                                       size, common | guides, sheets, series.seed)
            nodes.edits.append(current)
        nodes.final = current
        return {
            "id": scene.id, "series": series.name, "title": scene.title,
            "alt": scene.alt or scene.title or prompt, "prompt": prompt,
            "seed": self.graph.tasks[current].params.get("seed"),
            "cast": [c.name for c in cast],
            "balloons": [{"kind": b.kind, "text": b.text, "who": b.who} for b in scene.balloons],
            "vars": self._plain({k: v for k, v in variables.items()}, []),
        }

    def _style(self, style: Any, where: Location, uid: str) -> Style | None:
        if isinstance(style, str):
            if style not in self.recipe.styles:
                known = ", ".join(sorted(self.recipe.styles)) or "none declared"
                raise fail(where, f"scene {uid}: unknown style {style!r} (known: {known})")
            return self.recipe.styles[style]
        return style

    def _render(self, scene: Scene, series: Any, cast: list[Character], style: Style | None,
                variables: dict[str, Any], files: list[str]) -> str:
        source = scene.prompt
        where = scene.where
        if isinstance(source, File):
            self._reads.append(source.path)
            if not source.path.is_file():
                raise fail(source.where, f"prompt template {shown_path(str(source.path))} not found")
            files.append(self._rel(source.path))
            text = source.path.read_text(encoding="utf-8")
        elif isinstance(source, str):
            text = source
        else:
            raise fail(where, f"scene {scene.uid}: prompt must be text or template(...), not {source!r}")
        values = {k: self._plain(v, []) for k, v in variables.items()}
        values.update({
            "cast": " and ".join(f"{c.name} ({c.looks})" for c in cast),
            "characters": [{"name": c.name, "looks": c.looks} for c in cast],
            "style": style.text if style else "",
            "series": series.name, "scene": scene.id, "title": scene.title, "run": dict(self.opt.run),
        })
        try:
            return self.prompts.render(text, values)
        except PromptError as exc:
            if isinstance(source, File) and exc.line:
                raise RecipeError(f"scene {scene.uid}: {exc.message}", shown_path(str(source.path)), exc.line)
            raise fail(where, f"scene {scene.uid}: {exc.message}") from None

    def _sheet(self, character: Character) -> Task:
        made = self._sheets.get(character.name)
        if made is not None:
            return made
        made = self._sheets[character.name] = self._new_sheet(character)
        return made

    def _new_sheet(self, character: Character) -> Task:
        task_id = f"characters/{character.name}/sheet"
        if character.reference is not None:
            rel, size = self._image(character.reference, f"reference image of {character.name!r}")
            return self._add(Task(task_id, "source", {"file": rel}, files=(rel,), where=character.where), size)
        size = parse_size(SHEET_ASPECT, self.opt.base_pixels)
        params = {"name": character.name, "looks": character.looks, "style": "", "negative": "",
                  "prompt": f"character sheet of {character.looks}, front view and side view, plain background",
                  "size": list(size), "seed": derived_seed(task_id)}
        return self._add(Task(task_id, "sheet", params, where=character.where), size)

    def _reference(self, file: File) -> Task:
        """A scene's extra reference image, imported once however many scenes name it."""
        rel, size = self._image(file, "reference image")
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", rel.rsplit(".", 1)[0]).strip("-.") or "image"
        return self._add(Task(f"references/{name}", "source", {"file": rel}, files=(rel,), where=file.where), size)

    def _drafts(self, scene: Scene, nodes: SceneNodes, size: tuple[int, int], common: dict, cast: list,
                sheets: list[str], style: Style | None, series_seed: int | None, files: list[str]) -> str:
        uid = scene.uid
        for i in range(1, scene.drafts + 1):
            task_id = f"{uid}/draft-{i}"
            seed = scene.seed + i - 1 if scene.seed is not None else derived_seed(task_id, series_seed)
            params = {**common, "size": list(size), "seed": seed, "index": i, "cast": cast, "title": scene.title,
                      "style": style.text if style else ""}
            nodes.drafts.append(self._add(Task(task_id, "draft", params, tuple(sheets), tuple(files), scene.where,
                                               scene.series, uid), size).id)
        pick, where = scene.pick, scene.where
        if uid in self.opt.picks:
            pick, where = self.opt.picks[uid], Location(str(self.opt.root / self.opt.picks_file), 1)
        pick = 1 if pick is None else pick
        if not 1 <= pick <= scene.drafts:
            raise fail(where, f"scene {uid}: pick {pick} is not one of its {scene.drafts} drafts")
        nodes.pick = pick
        if "contact-sheet" in self.opt.exporters:
            params = {"scene": uid, "labels": [str(i) for i in range(1, scene.drafts + 1)], "pick": pick}
            nodes.contact = self._add(Task(f"{uid}/contact", "contact", params, tuple(nodes.drafts),
                                           where=scene.where, series=scene.series, scene=uid)).id
        return nodes.drafts[pick - 1]

    def _edit(self, uid: str, name: str, op_name: str, args: Mapping[str, Any], where: Location, before: str,
              size: tuple[int, int], common: dict, sheets: list[str], series_seed: int | None
              ) -> tuple[str, tuple[int, int]]:
        op = self.opt.edit_ops.get(op_name)
        if op is None:
            known = ", ".join(sorted(self.opt.edit_ops)) or "none installed"
            raise fail(where, f"scene {uid}: unknown edit operation {op_name!r} (known: {known})")
        files: list[str] = []
        try:
            norm = op.normalize(self._plain(dict(args), files), size)
            out_size = tuple(op.output_size(norm, size))
        except ValueError as exc:
            raise fail(where, f"scene {uid}: edit {op_name}: {exc}") from None
        task_id = f"{uid}/{name}"
        params = {**norm, "op": op_name, "scene_prompt": common["prompt"], "negative": common["negative"],
                  "size": list(out_size), "seed": derived_seed(task_id, series_seed)}
        if "references" in common:
            params["references"] = common["references"]
        task = self._add(Task(task_id, "edit", params, (before, *sheets), tuple(files), where,
                              uid.split("/", 1)[0], uid), out_size)
        return task.id, out_size

    # -- exports -------------------------------------------------------------------------------------------------
    def _export(self, exp: Any) -> None:
        exporter = self.opt.exporters.get(exp.exporter)
        if exporter is None:
            known = ", ".join(sorted(n for n in self.opt.exporters if n != "contact-sheet")) or "none installed"
            raise fail(exp.where, f"unknown exporter {exp.exporter!r} (known: {known})")
        files: list[str] = []
        options = self._plain(dict(exp.params), files)
        try:
            exporter.check(options)
        except ValueError as exc:
            raise fail(exp.where, f"export {exp.name} of {exp.series}: {exc}") from None
        if exp.series not in self.recipe.series:
            raise fail(exp.where, f"export {exp.name}: unknown series {exp.series!r}")
        in_series = [uid for uid in self.graph.scenes if uid.split("/", 1)[0] == exp.series]
        wanted = in_series if exp.scenes is None else [f"{exp.series}/{s}" for s in exp.scenes]
        for uid in wanted:
            if uid not in self.graph.scenes:
                raise fail(exp.where, f"export {exp.name}: unknown scene {uid!r}")
        if not wanted:  # e.g. a scheduled run whose week has no calendar row: skipped and reported, not failed
            self.graph.empty_exports[f"{exp.series}/export/{exp.name}"] = (
                f"no scenes of {exp.series} in this run" if exp.scenes is None else "it names no scenes")
            return
        inputs = [self.graph.scenes[uid].final for uid in wanted]
        entries = []
        reframes: dict[tuple[int, int], dict] = {}  # by image size: an exporter's reframes depend on nothing else
        for index, uid in enumerate(wanted):
            final = inputs[index]
            size = self.graph.sizes[final]
            info = self.graph.builds[uid].info
            entry = {**info, "image": index, "size": list(size), "reframes": {}}
            if size not in reframes:
                reframes[size] = exporter.reframes(options, size) or {}
            for tag, edit in reframes[size].items():
                edit = dict(edit)
                task_id, _ = self._edit(uid, f"reframe-{tag}", edit.pop("op"), edit, exp.where, final, size,
                                        {"prompt": info["prompt"], "negative": ""}, [], None)
                entry["reframes"][tag] = len(inputs)
                inputs.append(task_id)
            entries.append(entry)
        params = {"exporter": exp.exporter, "name": exp.name, "options": options, "scenes": entries}
        self._add(Task(f"{exp.series}/export/{exp.name}", "export", params, tuple(inputs), tuple(files),
                       exp.where, exp.series, None))


def _style_names(scene: Scene, series: Any) -> set[str]:
    """The styles a scene names (rather than holds): looked up in the recipe's styles when it is built."""
    styles = [series.style] + [v for k, v in scene.vars if k == "__style__"]
    return {s for s in styles if isinstance(s, str)}


def _scene_source(scene: Scene) -> str | None:
    """The uid of the scene this one starts from (``photo=other_scene`` or ``photo="@series/id"``)."""
    if isinstance(scene.photo, Scene):
        return scene.photo.uid
    if isinstance(scene.photo, str) and scene.photo.startswith("@"):
        return scene.photo[1:]
    return None
