"""Turn a loaded recipe into the task graph, scene by scene (reusing a watch session's unchanged scenes), then the
exports."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..contracts import Task, exporters_serving, parse_size
from ..contracts.upscaling import generation_size
from ..dsl import Character, Scene
from . import kinds
from .adapters import adapter_params, recipe_loras, trained_inputs
from .composition import control_map, layouts
from .exports import add_exports
from .model import Graph, GraphOptions, SceneBuild, SceneNodes, fail
from .order import scene_order, scene_source
from .prompts import Prompts
from .render import bounded, scene_prompt, scene_style
from .reuse import Reuse
from .training import train
from .unused import check_unused
from .values import Probe


def build_graph(recipe: Any, options: GraphOptions, previous: Graph | None = None) -> Graph:
    """All tasks of a recipe; raises RecipeError naming the declaration at fault. Scenes whose declaration and
    inputs equal those of the ``previous`` graph's (a watch session's last load) reuse its tasks."""
    return Builder(recipe, options, previous).build()


class Builder:
    """One build of a graph: the recipe, the options, the graph so far and what the task makers share."""

    def __init__(self, recipe: Any, options: GraphOptions, previous: Graph | None = None):
        self.recipe = recipe
        self.opt = options
        shared = replace(options, picks={})
        self.graph = Graph(options=shared, declared=(recipe.series, recipe.characters, recipe.styles))
        if previous is None or previous.options != shared:
            previous = Graph()
        self.reuse = Reuse(recipe, previous, self.graph, options.picks)
        self.probe = Probe(options.root, options.image_size)
        self.sheets: dict[str, Task] = {}
        self.trained: dict[str, Task] = {}  # character name -> its train task
        self.contact_sheets = bool(exporters_serving(options.exporters, "contact"))  # made with every scene's drafts
        self._prompts: Prompts | None = None
        self._scene_uid: str | None = None  # the scene whose tasks are being made
        self._scene_tasks: list[Task] = []

    @property
    def prompts(self) -> Prompts:
        """The prompt renderer, made on first use (a load whose scenes are all reused renders nothing)."""
        if self._prompts is None:
            self._prompts = Prompts(self.opt.filters, self.opt.prompt_chars)
        return self._prompts

    def build(self) -> Graph:
        for character in self.recipe.characters.values():
            if character.reference is not None:
                self.probe.image(character.reference, f"reference image of {character.name!r}")
        graph, characters = self.graph, self.recipe.characters
        for scene in scene_order(self.recipe.scenes):
            old = self.reuse.reusable(scene, self.probe.signature)
            if old is None:
                self._scene(scene)
                continue
            for name in scene.cast:  # what a reused scene needs besides its own tasks
                kinds.sheet(self, characters[name])
                train(self, characters[name])
            for file in scene.references:
                kinds.reference(self, file)
            for edit in scene.edits:
                kinds.edit_references(self, scene.uid, edit.args.get("references", ()), edit.where)
            # No clash to check: a scene's task ids are its unique uid plus a name without "/", and exports (which
            # could clash) are added after every scene.
            graph.tasks.update(old.tasks)
            graph.sizes.update(old.sizes)
            graph.scenes[scene.uid] = old.nodes
            graph.builds[scene.uid] = old
            graph.units.append(old)
        add_exports(self, self.recipe.exports)
        check_unused(self.recipe, self.graph.builds, self.opt.exporters)
        return self.graph

    def add(self, task: Task, size: tuple[int, int] | None = None) -> Task:
        """Add a task (and its image size); the same task twice is added once, another with its id is an error. The
        train tasks of the trained LoRAs it applies become its inputs."""
        trained = [i for i in trained_inputs(task.params) if i not in task.inputs]
        if trained:
            task = replace(task, inputs=(*task.inputs, *trained))
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

    def _scene(self, scene: Scene) -> None:
        """Add a scene's new tasks (and remember how they were made, for the next build of the graph to reuse)."""
        series = self.recipe.series.get(scene.series)
        if series is None:
            raise fail(scene.where, f"unknown series {scene.series!r}")
        uid = scene.uid
        self.probe.reads, self._scene_uid, self._scene_tasks = [], uid, []
        info, names = self._new_scene(scene, series)
        self._scene_uid = None
        tasks = {t.id: t for t in self._scene_tasks}
        sizes = {i: self.graph.sizes[i] for i in tasks if i in self.graph.sizes}
        reads = tuple((p, self.probe.signature(p)) for p in dict.fromkeys(self.probe.reads))
        build = SceneBuild(self.reuse.basis(scene), reads, tasks, sizes, self.graph.scenes[uid], info, names)
        self.graph.builds[uid] = build
        self.graph.units.append(build)

    def _new_scene(self, scene: Scene, series: Any) -> tuple[dict[str, Any], frozenset[str]]:
        """Make a scene's tasks; returns what exports say of it, and the variables its prompt template reads."""
        uid = scene.uid
        nodes = SceneNodes(uid)
        self.graph.scenes[uid] = nodes
        try:
            size = parse_size(scene.size, self.opt.base_pixels)
        except ValueError as exc:
            raise fail(scene.where, f"scene {uid}: {exc}") from None
        source = scene_source(scene)
        final_size = None  # a size beyond the model's comfortable range is generated smaller, then upscaled to
        if source is None and scene.photo is None and generation_size(size, self.opt.direct_max_side):
            final_size, size = size, generation_size(size, self.opt.direct_max_side)
        cast = self._cast(scene)
        for character in cast:
            train(self, character)  # before the tasks that apply its LoRA
        variables = dict(scene.vars)
        style = scene_style(self.recipe.styles, variables.pop("__style__", series.style), scene.where, uid)
        files: list[str] = []
        variables = {k: self.probe.plain(v, []) for k, v in variables.items()}  # as data: for the prompt and the page
        prompt, names = scene_prompt(self.prompts, self.probe, scene, series, cast, style, variables, files,
                                     self.opt.run)
        negative = bounded(", ".join(t for t in (style.negative if style else "", scene.negative) if t),  # style,
                           self.opt.prompt_chars, f"scene {uid}: the negative prompt", scene.where)  # then scene
        # Character sheets, then the scene's extra reference images: inputs of every draft, refine and edit, so a
        # backend that takes reference images gets them (params "references" names the extra ones), and a change
        # rebuilds.
        references = [kinds.reference(self, f) for f in scene.references]
        sheets = [kinds.sheet(self, c).id for c in cast] + [task.id for task in references]
        guides = {"references": [task.params["file"] for task in references]} if references else {}
        cast_params = [{"name": c.name, "looks": c.looks} for c in cast]
        common = {"prompt": prompt, "negative": negative}
        loras = recipe_loras(series, style, cast, scene)
        draft_adapters, draft_files = adapter_params(self, "draft", loras)

        drafted = source is None and scene.photo is None
        if source is not None:
            current = self.graph.scenes[source].base
            size = self.graph.sizes[current]
        elif scene.photo is not None:
            current, size = kinds.photo(self, scene)
        look = {"prompt": prompt, "style": style.text if style else "", "title": scene.title, "cast": cast_params}
        layout = layouts(self, scene, nodes, size, look, series.seed) if drafted else None
        control = control_map(self, scene, nodes, size, layout)
        if drafted:
            composition = [t for t in (layout, control[0] if control else None) if t]
            current = kinds.drafts(self, scene, nodes, size, common | guides | draft_adapters |
                                   (control[1] if control else {}), cast_params, sheets + composition, style,
                                   series.seed, files + draft_files)
            if scene.refine is not None:
                adapters, adapter_files = adapter_params(self, "refine", loras)
                current = nodes.refine = kinds.refine(self, scene, current, size, common | adapters,
                                                      files + adapter_files, sheets, control)
        for index, edit in enumerate(scene.edits, start=1):
            current, size = kinds.edit(self, uid, f"edit-{index}-{edit.op}", edit.op, edit.args, edit.where,
                                       current, size, common | guides, sheets, series.seed, loras, control)
            nodes.edits.append(current)
        nodes.final = nodes.base = current
        if scene.upscale is not None or final_size:
            adapters, adapter_files = adapter_params(self, "upscale", loras)
            nodes.final = nodes.upscale = kinds.upscale(self, scene, current, size, common | adapters, series.seed,
                                                        adapter_files, final_size)
        return {
            "id": scene.id, "series": series.name, "title": scene.title,
            "alt": scene.alt or scene.title or prompt, "prompt": prompt,
            "seed": self.graph.tasks[current].params.get("seed"),
            "cast": [c.name for c in cast],
            "balloons": [{"kind": b.kind, "text": b.text, "who": b.who} for b in scene.balloons],
            "vars": variables,
        }, names

    def _cast(self, scene: Scene) -> list[Character]:
        cast = []
        for name in scene.cast:
            if name not in self.recipe.characters:
                known = ", ".join(sorted(self.recipe.characters)) or "none declared"
                raise fail(scene.where, f"scene {scene.uid}: unknown character {name!r} (known: {known})")
            cast.append(self.recipe.characters[name])
        return cast
