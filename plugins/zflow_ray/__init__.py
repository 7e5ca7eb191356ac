"""zflow's Ray executor (``zflow[ray]``): spreads a build's model work over one long-lived worker per GPU.

``zflow build --executor ray`` (or ``executor = "ray"`` in zflow.toml) joins the cluster named by ``[executors.ray]``
``address`` (``"local"``, the default, starts one in the build's process; ``"auto"``, ``host:port`` or
``ray://host:port`` join one) and starts ``actors`` workers (default: one per GPU of the cluster; asking for more is
an error before any work starts). Each worker rebuilds the driver's plugin set (the project's plugins/ folder is
shipped to it) and keeps its models loaded for the whole build; a batch goes to a worker holding its model, else to
the least loaded one. Imports, pixel edits and exports run in the driver, which also stores every result and runs the
lifecycle hooks. A worker that dies costs its batch a retry elsewhere (``retries``); when no worker is left the build
stops with those tasks failed and the next build resumes from the store. Timeouts: ``start_timeout`` (joining,
starting a worker, fetching a result) and ``task_timeout`` (one batch). For tests on CPU-only machines a local
instance can declare ``fake_gpus``; it binds ``node_ip`` (127.0.0.1). See ``options.RayOptions`` for every setting.
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
    resolved = parse_options(options, runtime.config.source)
    if importlib.util.find_spec("ray") is None:
        raise PluginError("the ray executor needs Ray, which is not installed: pip install 'zflow[ray]'")
    from .executor import RayExecutor

    return RayExecutor(runtime, resolved)


@hookimpl
def register_executors(register: Callable[[str, Callable[..., Any]], None]) -> None:
    """Register the ``ray`` executor."""
    register("ray", make_executor)
