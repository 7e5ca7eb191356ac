"""The build graph: tasks with stable ids and content keys, made from a loaded recipe."""
from ..contracts import STAGE_OF_KIND, Task, canonical
from .build import build_graph
from .keys import changes, derived_seed, key_of, key_parts
from .model import Graph, GraphOptions, SceneBuild, SceneNodes

__all__ = ["Graph", "GraphOptions", "STAGE_OF_KIND", "SceneBuild", "SceneNodes", "Task", "build_graph", "canonical",
           "changes", "derived_seed", "key_of", "key_parts"]
