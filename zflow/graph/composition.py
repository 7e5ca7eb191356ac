"""The composition a scene's draft follows: its layout variants (one picked, like a draft) and its control map."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..contracts import Task
from ..dsl import Control, Scene
from .keys import derived_seed
from .kinds import pick_of
from .model import SceneNodes, fail

if TYPE_CHECKING:
    from .build import Builder

#: The picks file's key of a scene's layout pick (``"series/scene#layout": 2``); '#' is in no scene id.
LAYOUT_PICK = "#layout"


def layouts(b: Builder, scene: Scene, nodes: SceneNodes, size: tuple[int, int], scene_params: dict[str, Any],
            series_seed: int | None) -> str | None:
    """A scene's layout variants (cheap compositions with their control maps); returns the picked one's task id,
    or None for a scene without a layout stage (``layouts=0``)."""
    uid = scene.uid
    for i in range(1, scene.layouts + 1):
        task_id = f"{uid}/layout-{i}"
        params = {**scene_params, "size": list(size), "seed": derived_seed(task_id, series_seed), "index": i}
        task = Task(id=task_id, kind="layout", params=params, where=scene.where, series=scene.series, scene=uid)
        nodes.layouts.append(b.add(task, size).id)
    if not nodes.layouts:
        return None
    pick = nodes.layout_pick = pick_of(b, scene, uid + LAYOUT_PICK, scene.layout, scene.layouts, "layout", "layouts")
    return nodes.layouts[pick - 1]


def control_map(b: Builder, scene: Scene, nodes: SceneNodes, size: tuple[int, int], layout: str | None
                ) -> tuple[str, dict[str, Any]] | None:
    """The task making a scene's control map at ``size`` (from its picked layout, another scene's final image or
    a file), and the parameters a task it conditions gets; None for a scene without control."""
    control: Control | None = scene.control
    if control is None:
        return None
    params: dict[str, Any] = {"type": control.type, "size": list(size)}
    inputs: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    if control.from_layout:
        if layout is None:
            raise fail(control.where, f"scene {scene.uid}: control from its layout, but it starts from a photo "
                                      f"and has no layout; give image= a file or a scene")
        inputs, source_size, params["from"] = (layout,), size, "layout"
    elif control.scene is not None:
        source = b.graph.scenes.get(control.scene)
        if source is None:
            raise fail(control.where, f"scene {scene.uid}: control from unknown scene {control.scene!r}")
        inputs, source_size, params["from"] = (source.final,), b.graph.sizes[source.final], "@" + control.scene
    else:
        b.probe.reads.append(control.image.path)
        rel, source_size = b.probe.image(control.image, "control image")
        files, params["from"], params["file"] = (rel,), "file", rel
    if tuple(source_size) != tuple(size):
        params["resized_from"] = list(source_size)
    task = Task(id=f"{scene.uid}/control-{control.type}", kind="control", params=params, inputs=inputs, files=files,
                where=control.where, series=scene.series, scene=scene.uid)
    nodes.control = b.add(task, size).id
    return nodes.control, {"control": {"type": control.type, "scale": control.scale}}
