"""Run recipe files in fresh modules and collect what they declare into one validated Recipe."""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import traceback
import types
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

from ..dsl import DeclarationError, Registry, collecting
from ..dsl.source import shown_path
from ..errors import RecipeError
from .interrupts import interrupts_from_the_user
from .threads import noting_threads

_ZFLOW_DIRS = tuple(str(Path(m.__file__).resolve().parent) for m in (sys.modules["zflow"],))


@dataclass(slots=True)
class Recipe:
    """The declarations of one or more recipe files, merged, and every file their loading read."""

    files: list[Path] = field(default_factory=list)
    characters: dict = field(default_factory=dict)
    styles: dict = field(default_factory=dict)
    series: dict = field(default_factory=dict)
    scenes: list = field(default_factory=list)
    exports: list = field(default_factory=list)
    files_read: set[Path] = field(default_factory=set)
    #: What the user should hear that is no error, as {"message", "file", "line"} (a data table with no rows).
    notes: list[dict] = field(default_factory=list)


def load_recipes(paths: list[Path], root: Path, run: dict | None = None, limits: dict | None = None) -> Recipe:
    """Load each recipe file in a fresh module and merge their declarations (same names must agree)."""
    recipe = Recipe()
    for path in paths:
        registry = load_file(path, root, run, limits)
        recipe.files.append(path.resolve())
        recipe.files_read |= registry.files_read
        for table, kind in (("characters", "character"), ("styles", "style"), ("series", "series")):
            merged = getattr(recipe, table)
            for name, item in getattr(registry, table).items():
                old = merged.get(name)
                if old is not None and (old != item or old.where != item.where):
                    raise RecipeError(f"duplicate {kind} {name!r} (first declared at {old.where})",
                                      shown_path(item.where.file), item.where.line)
                merged[name] = item
        recipe.scenes += registry.scenes
        recipe.notes += [{"message": message, "file": shown_path(where.file), "line": where.line}
                         for message, where in registry.notes]
        recipe.exports += registry.exports
    return recipe


def load_file(path: Path, root: Path, run: dict | None = None, limits: dict | None = None) -> Registry:
    """Execute one recipe file in a fresh module; raise RecipeError(file, line) for anything wrong in it (any
    exception leaving it, SystemExit and KeyboardInterrupt included, unless the user pressed Ctrl-C). What the
    recipe prints goes to stderr: stdout carries zflow's own output (JSON lines with --json)."""
    path = path.resolve()
    shown = shown_path(str(path))
    try:
        source = path.read_bytes()
    except OSError as exc:
        raise RecipeError(f"cannot read recipe: {exc.strerror}", shown, 0) from None
    try:
        code = compile(source, str(path), "exec")
    except SyntaxError as exc:
        raise RecipeError(f"syntax error: {exc.msg}", shown, exc.lineno or 0) from None
    registry = Registry(run=dict(run or {}), limits=dict(limits or {}))
    registry.files_read.add(path)
    module = types.ModuleType("__zflow_recipe__")
    module.__file__ = str(path)
    before = set(sys.modules)
    search = [str(path.parent), str(root.resolve())]
    sys.path[:0] = search
    finder = _FreshProjectModules(root)
    sys.meta_path.insert(0, finder)
    try:
        with collecting(registry), interrupts_from_the_user() as interrupted, redirect_stdout(sys.stderr), \
                noting_threads():
            exec(code, module.__dict__)
    except DeclarationError as exc:
        raise RecipeError(exc.message, shown_path(exc.where.file), exc.where.line) from None
    except RecipeError:
        raise
    except BaseException as exc:  # SystemExit, KeyboardInterrupt ... leaving a recipe are its errors too
        if isinstance(exc, KeyboardInterrupt) and interrupted():  # a Ctrl-C: the user's, not the recipe's
            raise
        raise RecipeError(_escaped(exc), *_user_frame(exc, root, path)) from None
    finally:
        sys.meta_path.remove(finder)
        for entry in search:
            sys.path.remove(entry)
        registry.files_read |= _forget_project_modules(before, root)
    return registry


def _escaped(exc: BaseException) -> str:
    """What to say about an exception that left the recipe."""
    if isinstance(exc, SystemExit):
        return (f"the recipe called sys.exit({exc.code!r}); a recipe declares what to build and must not exit "
                "(nothing was built)")
    if isinstance(exc, KeyboardInterrupt):
        return "the recipe raised KeyboardInterrupt (not a Ctrl-C); nothing was built"
    return f"{type(exc).__name__}: {exc}"


class _FromSource(importlib.machinery.SourceFileLoader):
    """Compiles a module from its source every time: a cached .pyc written in the same second as an edit of the
    same size would otherwise pass for current."""

    def get_code(self, fullname: str) -> types.CodeType:
        return compile(self.get_data(self.path), self.path, "exec", dont_inherit=True)


class _FreshProjectModules(importlib.abc.MetaPathFinder):
    """Imports the project's own helper modules from source, never from the bytecode cache."""

    def __init__(self, root: Path):
        self.root = root

    def find_spec(self, name: str, path: object = None, target: object = None) -> importlib.machinery.ModuleSpec | None:
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        loader = getattr(spec, "loader", None)
        if spec is None or not isinstance(loader, importlib.machinery.SourceFileLoader):
            return None
        if not _is_project_file(spec.origin or "", self.root):
            return None
        spec.loader = _FromSource(loader.name, loader.path)
        return spec


def _user_frame(exc: BaseException, root: Path, path: Path) -> tuple[str, int]:
    """The innermost traceback frame in the user's project (the recipe or a helper module)."""
    found = (shown_path(str(path)), 0)
    for frame in traceback.extract_tb(exc.__traceback__):
        if _is_project_file(frame.filename, root):
            found = (shown_path(frame.filename), frame.lineno or 0)
    return found


def _is_project_file(filename: str, root: Path) -> bool:
    if not filename or filename.startswith("<"):
        return False
    resolved = str(Path(filename).resolve())
    if resolved.startswith(_ZFLOW_DIRS) or resolved.startswith((sys.prefix, sys.base_prefix)):
        return False
    return resolved.startswith(str(root.resolve()))


def _forget_project_modules(before: set[str], root: Path) -> set[Path]:
    """Drop the project's helper modules imported by this load, so the next load reads them afresh."""
    read = set()
    for name in set(sys.modules) - before:
        file = getattr(sys.modules[name], "__file__", None)
        if file and _is_project_file(file, root):
            read.add(Path(file).resolve())
            del sys.modules[name]
    return read
