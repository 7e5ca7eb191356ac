"""The graph's data: what building it needs, its tasks and sizes, each scene's nodes and how each scene was built."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from ..contracts import Location, Task, shown_path
from ..contracts.upscaling import COMFORTABLE_SIDE
from ..dsl.limits import PROMPT_CHARS
from ..errors import RecipeError


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
    direct_max_side: int = COMFORTABLE_SIDE  # the longest side generated in one pass (larger: then upscaled)
    run: Mapping[str, Any] = field(default_factory=dict)
    prompt_chars: int = PROMPT_CHARS  # the longest prompt, as written and as rendered ([limits] in zflow.toml)
    stage_loras: Mapping[str, tuple] = field(default_factory=dict)  # stage -> its Lora adapters (zflow.toml)
    stage_models: Mapping[str, str] = field(default_factory=dict)  # stage -> its model (a trained LoRA fits its own)


@dataclass(slots=True)
class SceneNodes:
    """The task ids one scene produced, for galleries and exports."""

    uid: str
    layouts: list[str] = field(default_factory=list)
    layout_pick: int | None = None
    control: str | None = None  # the control map's task
    drafts: list[str] = field(default_factory=list)
    contact: str | None = None
    pick: int | None = None
    refine: str | None = None
    edits: list[str] = field(default_factory=list)
    upscale: str | None = None
    final: str = ""  # the largest image: what exports take
    base: str = ""  # the image before the upscale: what a scene starting from this one starts from


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
    names: frozenset[str] = frozenset()  # the variables its prompt template reads


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
    """A recipe error at a declaration's file:line."""
    if where is None:
        return RecipeError(message)
    return RecipeError(message, shown_path(where.file), where.line)
