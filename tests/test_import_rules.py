"""Who may import whom (docs/architecture.md), read from the source with ast: plugins see only the plugin API,
the contract is a leaf, the core never loads torch or diffusers, and the plugin host loads no engine."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: What code in plugins/ may import of zflow: the contract, the hooks, the errors, the events and the names recipes
#: import from ``zflow`` itself.
PLUGIN_API = ("zflow.contracts", "zflow.hookspecs", "zflow.errors", "zflow.events")
HEAVY = ("torch", "diffusers")


def imports(path: Path, package: str) -> list[tuple[int, str]]:
    """Every module a file imports (at any depth, lazy imports too) as (line, absolute name); ``from X import y``
    also counts as importing ``X.y``, which is the module when y is one."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = parts[: len(parts) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names if base != "zflow"]
    return found


def package_of(path: Path) -> str:
    """The dotted package a file's relative imports start from."""
    rel = path.relative_to(REPO / "plugins" if path.is_relative_to(REPO / "plugins") else REPO).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] != "__init__" else parts[:-1])


def sources(folder: str) -> list[Path]:
    return sorted((REPO / folder).rglob("*.py"))


def is_under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def broken(folder: str, rule) -> list[str]:
    out = []
    for path in sources(folder):
        for line, name in imports(path, package_of(path)):
            why = rule(path, name)
            if why:
                out.append(f"{path.relative_to(REPO)}:{line}: imports {name} ({why})")
    return out


def test_the_rules_see_imports_at_any_depth_and_relative_ones(tmp_path):
    sample = REPO / "zflow/engine/runtime.py"
    names = {name for _, name in imports(sample, package_of(sample))}
    assert {"zflow.engine.core_plugin", "zflow.contracts", "zflow.plugins"} <= names
    lazy = REPO / "plugins/zflow_ray/__init__.py"
    assert "zflow_ray.executor" in {name for _, name in imports(lazy, package_of(lazy))}


def plugin_rule(path: Path, name: str) -> str:
    """Why a plugin may not import ``name`` ("" when it may)."""
    if name == "zflow" or is_under(name, PLUGIN_API) or not is_under(name, ("zflow",)):
        return ""
    return "plugins may import zflow.contracts, zflow.hookspecs, zflow.errors, zflow.events and `zflow`"


def test_plugins_import_only_the_plugin_api():
    assert sources("plugins") and broken("plugins", plugin_rule) == []


def test_plugins_use_only_public_names_of_zflow():
    import zflow

    wrong = []
    for path in sources("plugins"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "zflow" and not node.level:
                wrong += [f"{path.relative_to(REPO)}:{node.lineno}: {a.name}" for a in node.names
                          if a.name not in zflow.__all__]
    assert wrong == []


def test_the_contract_is_a_leaf():
    """The contract imports nothing else of zflow but the errors (so a SettingError is a UsageError), which import
    nothing of zflow at all."""
    def rule(path: Path, name: str) -> str:
        if is_under(name, ("zflow",)) and not is_under(name, ("zflow.contracts", "zflow.errors")):
            return "zflow.contracts imports nothing else of zflow but zflow.errors"
        return ""

    assert broken("zflow/contracts", rule) == []
    assert [name for _, name in imports(REPO / "zflow/errors.py", "zflow") if is_under(name, ("zflow",))] == []


def test_the_core_never_imports_torch_or_diffusers():
    assert broken("zflow", lambda path, name: "heavy" if is_under(name, HEAVY) else "") == []


def test_the_plugin_host_imports_no_engine():
    host = REPO / "zflow/plugins.py"
    wrong = [name for _, name in imports(host, "zflow") if is_under(name, ("zflow.engine",))]
    assert wrong == []


@pytest.mark.parametrize("code, allowed", [
    ("from zflow.engine.runtime import Runtime\n", False),
    ("def f():\n    from zflow.graph import task\n", False),
    ("import zflow.dsl.sizes\n", False),
    ("from zflow.contracts.text import wrap\nfrom zflow import hookimpl\nimport zflow_other.x\n", True),
])
def test_the_plugin_rule_catches_imports_of_the_core(tmp_path, code, allowed):
    plugin = tmp_path / "mod.py"
    plugin.write_text(code)
    reasons = [plugin_rule(plugin, name) for _, name in imports(plugin, "zflow_x")]
    assert (not any(reasons)) == allowed, reasons
