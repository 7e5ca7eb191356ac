"""Watch-mode reuse: which scenes of the previous graph may keep their tasks because nothing they came from changed."""
from __future__ import annotations

from typing import Any, Callable, Mapping

from ..dsl import Scene
from ..signature import Signature
from .composition import LAYOUT_PICK
from .model import Graph, SceneBuild
from .order import scene_source


class Reuse:
    """Compares a recipe's declarations with those the ``previous`` graph was built with (once, not per scene)."""

    def __init__(self, recipe: Any, previous: Graph, graph: Graph, picks: Mapping[str, int]):
        self.recipe = recipe
        self.builds = previous.builds
        self.graph = graph
        self.picks = picks
        old_series, old_characters, old_styles = previous.declared
        self.same_series = {n for n, s in recipe.series.items() if old_series.get(n) == s}
        self.same_characters = {n for n, c in recipe.characters.items() if old_characters.get(n) == c}
        self.changed_styles = {n for n in recipe.styles.keys() | old_styles.keys()
                               if recipe.styles.get(n) != old_styles.get(n)}

    def basis(self, scene: Scene) -> tuple:
        """What a scene's tasks are made from, besides its series, cast, named styles and files: the declaration
        (with where it and its edits stand: named tuples compare their places too), the picks (draft and layout),
        the image it starts from and the image its control map is made from."""
        control = scene.control.scene if scene.control is not None else None
        return (scene, self.picks.get(scene.uid), self.picks.get(scene.uid + LAYOUT_PICK),
                None if scene.photo is None else self.upstream(scene), control and self.final(control))

    def final(self, uid: str) -> tuple[str, tuple[int, int] | None] | None:
        """The final task (and size) of scene ``uid`` in the graph being built."""
        nodes = self.graph.scenes.get(uid)
        return (nodes.final, self.graph.sizes.get(nodes.final)) if nodes is not None else None

    def upstream(self, scene: Scene) -> tuple[str, tuple[int, int] | None] | None:
        """The task (and size) of the image a scene starts from, when it starts from another scene."""
        nodes = self.graph.scenes.get(scene_source(scene) or "")
        return (nodes.base, self.graph.sizes.get(nodes.base)) if nodes is not None else None

    def reusable(self, scene: Scene, signature: Callable[[Any], Signature | None]) -> SceneBuild | None:
        """The previous build of a scene when it may reuse its tasks: nothing they came from has changed."""
        old = self.builds.get(scene.uid)
        if old is None:
            return None
        series = self.recipe.series.get(scene.series)
        if (old.basis == self.basis(scene) and series is not None and series.name in self.same_series
                and self.same_characters.issuperset(scene.cast)
                and (not self.changed_styles or self.changed_styles.isdisjoint(style_names(scene, series)))
                and (not old.reads or all(signature(p) == st for p, st in old.reads))):
            return old
        return None


def style_names(scene: Scene, series: Any) -> set[str]:
    """The styles a scene names (rather than holds): looked up in the recipe's styles when it is built."""
    styles = [series.style] + [v for k, v in scene.vars if k == "__style__"]
    return {s for s in styles if isinstance(s, str)}
