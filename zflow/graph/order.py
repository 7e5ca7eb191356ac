"""The order scenes are built in: declaration order, except that a scene starting from another (or taking its
control map from another's image) comes after it."""
from __future__ import annotations

from typing import Iterable

from ..dsl import Scene
from .model import fail


def scene_order(scenes: Iterable[Scene]) -> list[Scene]:
    """Each scene once (the same declaration made twice counts once), a scene after the one it starts from;
    raises RecipeError for a duplicate id, an unknown source scene or a cycle."""
    by_uid: dict[str, Scene] = {}
    for scene in scenes:
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
        source = scene_source(scene)
        if source is not None:
            if source not in by_uid:
                raise fail(scene.where, f"scene {scene.uid!r} starts from unknown scene {source!r}")
            visit(by_uid[source], trail + [scene.uid])
        control = scene.control.scene if scene.control is not None else None
        if control is not None:
            if control == scene.uid:
                raise fail(scene.control.where, f"scene {scene.uid!r}: control from its own image; give it "
                                                f"control=None or another image")
            if control not in by_uid:
                raise fail(scene.control.where, f"scene {scene.uid!r}: control from unknown scene {control!r}")
            visit(by_uid[control], trail + [scene.uid])
        state[scene.uid] = 2
        order.append(scene)

    for uid, scene in by_uid.items():
        if scene.photo is None and (scene.control is None or scene.control.scene is None):  # most: nothing first
            state[uid] = 2
            order.append(scene)
        else:
            visit(scene, [])
    return order


def scene_source(scene: Scene) -> str | None:
    """The uid of the scene this one starts from (``photo=other_scene`` or ``photo="@series/id"``)."""
    if isinstance(scene.photo, Scene):
        return scene.photo.uid
    if isinstance(scene.photo, str) and scene.photo.startswith("@"):
        return scene.photo[1:]
    return None
