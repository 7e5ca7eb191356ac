"""zflow's Ray executor (``zflow[ray]``): spreads a build's model work over one long-lived worker per GPU.

Settings and behaviour are documented in docs/ray.md.
"""
from __future__ import annotations

import importlib.util
from typing import Any, Callable, Mapping

from zflow.errors import PluginError
from zflow.hookspecs import hookimpl

from .options import RayOptions, parse_options

__all__ = ["RayOptions", "make_executor", "register_executors"]


def make_executor(runtime: Any, options: Mapping[str, Any]) -> Any:
    """The executor factory: validates ``[executors.ray]``, then joins the cluster and starts the GPU workers."""
    resolved = parse_options(options)
    if importlib.util.find_spec("ray") is None:
        raise PluginError("the ray executor needs Ray, which is not installed: pip install 'zflow[ray]'")
    from .executor import RayExecutor

    return RayExecutor(runtime, resolved)


@hookimpl
def register_executors(register: Callable[[str, Callable[..., Any]], None]) -> None:
    """Register the ``ray`` executor."""
    register("ray", make_executor)
