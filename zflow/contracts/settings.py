"""Reading a table of zflow.toml, one way for the core and every plugin: each setting declared with its type,
default and bounds; an unknown or wrong one is a SettingError that names the file, the line, the table and the key:

    zflow.toml:7: [stages.draft.options] steps: must be an integer, got "x"

tomllib reports no positions, so a setting's line is found by scanning the file's text for its table and key."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ..errors import UsageError

#: What each type is called in errors.
KIND_NAMES = {str: "text", int: "an integer", float: "a number", bool: "true or false", list: "a list",
              dict: "a table"}


class SettingError(UsageError):
    """A setting in zflow.toml with an unknown name or a wrong value (exit status 2)."""

    def __init__(self, problem: str, table: str, key: str | None = None, source: str | None = None,
                 line: int | None = None):
        self.problem, self.table, self.key, self.source, self.line = problem, table, key, source, line
        where = f"{source}:{line}: " if source and line else f"{source}: " if source else ""
        super().__init__(f"{where}{f'[{table}] ' if table else ''}{key + ': ' if key else ''}{problem}")


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting a table may hold: its type, its default, and the values it accepts. ``check`` returns what is
    wrong with a value of the right type (or None)."""

    kind: type | tuple[type, ...]
    default: Any = None
    low: float | None = None
    high: float | None = None
    above: float | None = None
    choices: tuple[Any, ...] = ()
    check: Callable[[Any], str | None] | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """A table of zflow.toml: its values, its dotted path, and the file it was read from (with the file's text,
    to find lines). Without a file (a plugin handed a plain dict), errors name the table and key only."""

    values: Mapping[str, Any]
    path: str
    source: str | None = None
    text: str | None = field(default=None, repr=False)
    prefix: tuple[str, ...] = ()  # where zflow's tables live in the file: ("tool", "zflow") in pyproject.toml

    def line(self, key: str | None = None) -> int | None:
        keys = (*self.prefix, *split_keys(self.path), *([key] if key else []))
        return line_of(self.text, keys) if self.text else None

    def error(self, key: str | None, problem: str) -> SettingError:
        return SettingError(problem, self.path, key, self.source, self.line(key))

    def sub(self, key: str) -> "Table":
        """The table under ``key`` (empty when it is absent); an error when ``key`` holds something else."""
        value = self.values.get(key, {})
        if not isinstance(value, Mapping):
            raise self.error(key, f"must be a table, got {shown(value)}")
        return Table(value, f"{self.path}.{key}" if self.path else key, self.source, self.text, self.prefix)

    def read(self, settings: Mapping[str, Setting]) -> dict[str, Any]:
        """Every setting's value (its default when absent), after checking each key is known and each value fits."""
        for key in self.values:
            if key not in settings:
                raise self.error(key, f"unknown setting (known: {', '.join(sorted(settings))})")
        return {key: self.value(key, setting) for key, setting in settings.items()}

    def value(self, key: str, setting: Setting) -> Any:
        value = self.values.get(key)
        if value is None:
            return setting.default
        problem = _problem(value, setting)
        if problem:
            raise self.error(key, problem)
        return float(value) if setting.kind is float else value


def nonempty(value: str) -> str | None:
    """A ``check`` refusing empty text."""
    return None if value.strip() else "must be non-empty text"


def located(options: Mapping[str, Any], path: str) -> Table:
    """The table of ``options`` a plugin was handed: where the core read it, when it said so (see ``Located``)."""
    if isinstance(options, Located):
        return Table(options, options.path, options.source, options.text, options.prefix)
    return Table(options, path)


class Located(dict):
    """A table's values that remember where in zflow.toml they were written (a backend's ``options``), so plugins
    reading them with ``located`` report the line. Compares, hashes into keys and serialises as a plain dict."""

    def __init__(self, values: Mapping[str, Any], path: str, source: str | None, text: str | None,
                 prefix: tuple[str, ...] = ()):
        super().__init__(values)
        self.path, self.source, self.text, self.prefix = path, source, text, prefix


def _problem(value: Any, setting: Setting) -> str | None:
    kinds = setting.kind if isinstance(setting.kind, tuple) else (setting.kind,)
    numeric = float in kinds and isinstance(value, int)
    if isinstance(value, bool) and bool not in kinds or not (isinstance(value, kinds) or numeric):
        return f"must be {' or '.join(KIND_NAMES.get(k, k.__name__) for k in kinds)}, got {shown(value)}"
    if setting.choices and value not in setting.choices:
        return f"must be one of {', '.join(shown(c) for c in setting.choices)}, got {shown(value)}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if setting.above is not None and not value > setting.above:
            return f"must be above {setting.above:g}, got {shown(value)}"
        if setting.low is not None and value < setting.low or setting.high is not None and value > setting.high:
            bounds = (f"at least {setting.low:g}" if setting.high is None else
                      f"at most {setting.high:g}" if setting.low is None else
                      f"from {setting.low:g} to {setting.high:g}")
            return f"must be {bounds}, got {shown(value)}"
    return setting.check(value) if setting.check else None


def shown(value: Any) -> str:
    """A value as it is written in TOML: "x", 3, true."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


_HEADER = re.compile(r"^\s*\[\[?([^\[\]]+)\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*((?:[\w-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[\w-]+|"[^"]*"|'[^']*'))*)\s*=""")


def split_keys(dotted: str) -> tuple[str, ...]:
    """``stages."a.b".options`` -> ("stages", "a.b", "options")."""
    return tuple(part.strip().strip("\"'") for part in re.findall(r"""(?:"[^"]*"|'[^']*'|[^.])+""", dotted))


def line_of(text: str, keys: tuple[str, ...]) -> int | None:
    """The line (from 1) where ``keys`` is written in the TOML ``text``: its own ``key = ...`` line, a key inside
    an inline table on one line, or its table's header; else the nearest enclosing table's or key's line."""
    best, depth, table = None, 0, ()
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            table, found, rest = split_keys(header.group(1)), split_keys(header.group(1)), ""
        else:
            key = _KEY.match(line)
            if not key:
                continue
            found, rest = table + split_keys(key.group(1)), line[key.end():]
        if found != keys[:len(found)]:
            continue
        if len(found) == len(keys):
            return number
        inline = re.search(rf"""(?:^|[{{,\s])["']?{re.escape(keys[-1])}["']?\s*=""", rest)
        if rest and inline and all(k in rest for k in keys[len(found):]):
            return number
        if len(found) > depth:
            best, depth = number, len(found)
    return best
