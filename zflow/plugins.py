"""The plugin manager factory and the registries of what plugins provide (backends, exporters, ops, executors)."""
from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, entry_points, version
from pathlib import Path
from typing import Any, Callable, Mapping

import pluggy

from . import hookspecs
from .contracts import exporters_serving
from .errors import PluginError

ENTRY_POINT_GROUP = "zflow"
CORE_PLUGIN = "zflow.core"


def plugin_filter(env: Mapping[str, str]) -> Callable[[str], bool]:
    """``ZFLOW_PLUGINS_BLOCK=a,b`` refuses plugins by name; ``ZFLOW_PLUGINS_ONLY=a,b`` allows only those."""
    block = {n.strip() for n in env.get("ZFLOW_PLUGINS_BLOCK", "").split(",") if n.strip()}
    only = {n.strip() for n in env.get("ZFLOW_PLUGINS_ONLY", "").split(",") if n.strip()}
    return lambda name: name not in block and (not only or name in only)


def make_plugin_manager(root: Path | None = None, env: Mapping[str, str] | None = None,
                        core: Any = None) -> pluggy.PluginManager:
    """A new manager with the ``core`` plugin (the engine's own, e.g. its local executor; given by the engine so
    that this module imports none of it), the ``zflow`` entry points and the project's local plugins/ files."""
    allowed = plugin_filter(os.environ if env is None else env)
    pm = pluggy.PluginManager("zflow")
    pm.add_hookspecs(hookspecs)
    if core is not None:
        pm.register(core, name=CORE_PLUGIN)
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if not allowed(ep.name) or pm.get_plugin(ep.name) is not None:
            continue
        try:
            module = ep.load()
        except Exception as exc:
            raise PluginError(f"plugin {ep.name!r} ({ep.value}) failed to load: {type(exc).__name__}: {exc}; "
                              f"block it with ZFLOW_PLUGINS_BLOCK={ep.name}") from None
        if not pm.is_registered(module):
            pm.register(module, name=ep.name)
    if root is not None:
        for path in sorted((root / "plugins").glob("*.py")):
            name = path.stem
            if not allowed(name):
                continue
            installed = pm.get_plugin(name)
            if installed is not None:
                dist, version = distribution_of(name)
                raise PluginError(f"{path}: the project plugin {name!r} has the name of the installed plugin "
                                  f"{name!r} ({getattr(installed, '__name__', installed)} from {dist} {version}); "
                                  f"rename {path.name}, or block the installed one with ZFLOW_PLUGINS_BLOCK={name}")
            pm.register(_load_local(path), name=name)
    pm.check_pending()
    return pm


def distribution_of(name: str) -> tuple[str, str]:
    """The distribution and version a plugin comes from: its entry point's, zflow's for the core plugin, and
    ("project", "") for a project's local plugin."""
    if name == CORE_PLUGIN:
        return "zflow", _version("zflow")
    for ep in entry_points(group=ENTRY_POINT_GROUP, name=name):
        if ep.dist is not None:
            return ep.dist.name, ep.dist.version
    return "project", ""


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return ""


def _load_local(path: Path) -> Any:
    module_name = f"zflow_local_plugins.{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise PluginError(f"{path}: local plugin failed to load: {type(exc).__name__}: {exc}") from None
    sys.modules[module_name] = module
    return module


@dataclass(slots=True)
class Plugins:
    """What the registered plugins provide, collected once through the ``register_*`` hooks."""

    pm: pluggy.PluginManager
    backends: dict[str, Any] = field(default_factory=dict)
    exporters: dict[str, Any] = field(default_factory=dict)
    edit_ops: dict[str, Any] = field(default_factory=dict)
    executors: dict[str, Callable[..., Any]] = field(default_factory=dict)
    filters: dict[str, Callable[..., Any]] = field(default_factory=dict)

    @classmethod
    def collect(cls, pm: pluggy.PluginManager) -> "Plugins":
        plugins = cls(pm)
        hook = pm.hook
        hook.register_backends(register=_registrar(plugins.backends, "backend"))
        hook.register_exporters(register=_registrar(plugins.exporters, "exporter"))
        hook.register_edit_ops(register=_registrar(plugins.edit_ops, "edit operation"))

        def add_executor(name: str, factory: Callable[..., Any]) -> None:
            if name in plugins.executors:
                raise PluginError(f"two plugins register an executor named {name!r}")
            plugins.executors[name] = factory

        hook.register_executors(register=add_executor)
        contact = exporters_serving(plugins.exporters, "contact")
        if len(contact) > 1:
            raise PluginError(f"two exporters make contact sheets: {contact[0]!r} and {contact[1]!r}")
        owners: dict[str, str] = {}
        for impl in hook.template_filters.get_hookimpls():  # in registration order
            for name, function in (impl.function() or {}).items():
                if name in owners:
                    raise PluginError(f"two plugins provide a template filter named {name!r}: {owners[name]!r} "
                                      f"and {impl.plugin_name!r}")
                owners[name] = impl.plugin_name
                plugins.filters[name] = function
        return plugins

    def describe(self) -> list[dict[str, Any]]:
        """Each plugin with its distribution, version and the hooks it implements (for ``zflow plugins``)."""
        rows = []
        for name, module in sorted(self.pm.list_name_plugin(), key=lambda p: p[0]):
            dist, version = distribution_of(name)
            rows.append({"name": name, "distribution": dist, "version": version,
                         "module": getattr(module, "__name__", repr(module)),
                         "file": getattr(module, "__file__", None),
                         "hooks": sorted(h.name for h in self.pm.get_hookcallers(module) or [])})
        return rows


def _registrar(table: dict[str, Any], kind: str) -> Callable[[Any], None]:
    def register(item: Any) -> None:
        name = getattr(item, "name", None)
        if not name:
            raise PluginError(f"a plugin registered a {kind} without a name: {item!r}")
        if name in table:
            raise PluginError(f"two plugins register a {kind} named {name!r}")
        table[name] = item
    return register
