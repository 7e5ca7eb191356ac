"""Data tables (CSV, YAML, JSON) read into rows that remember their file and line."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any, Iterator

from .registry import DeclarationError, current
from .schedule import due_rows
from .source import Location, caller_location, shown_path
from .words import did_you_mean
from .yaml_tables import load_yaml_table

#: The largest data table read unless zflow.toml's ``[limits] table_bytes`` says otherwise.
TABLE_BYTES = 16 * 1024 * 1024

_INT = re.compile(r"^-?\d+$")
_FLOAT = re.compile(r"^-?\d+\.\d*$")


class Row:
    """One row of a data table; values by attribute (``ep.n``) or key (``ep["n"]``). The values are the row's own
    attributes, read at the speed of any attribute (a column named like a method, say ``get``, reads as
    ``ep["get"]``)."""

    __slots__ = ("__dict__", "where")

    def __init__(self, values: dict[str, Any], where: Location):
        object.__setattr__(self, "__dict__", values)
        object.__setattr__(self, "where", where)

    def __getattr__(self, name: str) -> Any:
        """Only called for a name that is no column."""
        if name.startswith("__"):
            raise AttributeError(name)
        raise _no_column(self, name)

    def __getitem__(self, name: str) -> Any:
        try:
            return self.__dict__[name]
        except KeyError:
            raise _no_column(self, name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("rows are read-only")

    def get(self, name: str, default: Any = None) -> Any:
        return self.__dict__.get(name, default)

    def asdict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dict__)

    def __eq__(self, other: object) -> bool:
        """Rows with the same values are equal wherever they stand in their table (a scene declared from a row
        moved down the table is the same scene)."""
        return isinstance(other, Row) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(tuple(self.__dict__))

    def __repr__(self) -> str:
        return f"Row({self.__dict__!r} at {self.where})"


def _no_column(row: Row, name: str) -> DeclarationError:
    """At the row's line of its table; names the recipe line that asked, and the column meant."""
    asked = caller_location()
    hint = did_you_mean(name, row.__dict__)
    return DeclarationError(f"row has no column {name!r}{'; ' + hint if hint else ''} (columns: "
                            f"{', '.join(row.__dict__)}; read at {shown_path(asked.file)}:{asked.line})", row.where)


def rows(path: str | Path, due: str | None = None, within: int = 7) -> list[Row]:
    """Read a CSV, YAML or JSON table (a list of mappings) next to the calling recipe file. With ``due`` (a date
    column), a run with a date keeps only the rows due within ``within`` days of it (see zflow.dsl.schedule)."""
    where = caller_location()
    table = _read_table(path, where)
    return table if due is None else due_rows(table, due, within, current().run, where)


def _read_table(path: str | Path, where: Location) -> list[Row]:
    file = resolve(path, where)
    if not file.is_file():
        raise DeclarationError(f"data table {str(path)!r} not found (looked for {file})", where)
    current().files_read.add(file)
    suffix = file.suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml", ".json"):
        raise DeclarationError(f"data table {str(path)!r}: use .csv, .yaml, .yml or .json", where)
    data = _read_checked(file)
    try:
        text = data.decode("utf-8-sig")
        table = list(_csv_rows(file, text)) if suffix == ".csv" else list(_structured_rows(file, suffix, text))
    except UnicodeDecodeError as exc:
        raise DeclarationError(f"cannot read data table {file.name}: not UTF-8 text ({exc.reason} at byte "
                               f"{exc.object[exc.start]:#04x}); save it as UTF-8",
                               Location(str(file), bad_byte_line(data))) from None
    except (ValueError, csv.Error, RecursionError) as exc:
        raise DeclarationError(f"cannot read data table {file.name}: {exc}", Location(str(file), 1)) from exc
    if not table:
        current().notes.append((f"data table {file.name} has no rows: nothing is declared from it", where))
    return table


def _read_checked(file: Path) -> bytes:
    """The table's bytes, read once. A table over the size limit is refused before it is read. An empty table file
    (0 bytes, or only blanks) is a truncated file far more often than a wish to build nothing: refuse it, so that a
    build does not remove everything declared from it. A header alone (or ``[]``) says "no rows" on purpose."""
    size = file.stat().st_size
    limit = current().limits.get("table_bytes", TABLE_BYTES)
    if size > limit:
        raise DeclarationError(f"data table {file.name} is {size:,} bytes, over the limit of {limit:,} "
                               "(raise [limits] table_bytes in zflow.toml if it is meant to be this big)",
                               Location(str(file), 1))
    data = file.read_bytes()
    if len(data) <= 64 * 1024 and not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise DeclarationError(f"data table {file.name} is empty; a table needs at least its header row (CSV) or a "
                               "list (YAML, JSON), so nothing was built or removed", Location(str(file), 1))
    return data


def bad_byte_line(data: bytes) -> int:
    """The line of the first byte of ``data`` that is not UTF-8 (1 when all are)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data.count(b"\n", 0, exc.start) + 1
    return 1


def resolve(path: str | Path, where: Location) -> Path:
    """A path written in a recipe, relative to the file that wrote it."""
    p = Path(path)
    if not p.is_absolute() and not where.file.startswith("<"):
        p = Path(where.file).parent / p
    return p.resolve()


def _convert(text: str) -> Any:
    text = text.strip()
    if not text or not (text[0].isdigit() or text[0] == "-"):  # most cells are words: no pattern to try
        return text
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


def _csv_rows(file: Path, text: str) -> Iterator[Row]:
    """The rows of a CSV file's ``text``. Rows are immutable, so a row whose line and cells are unchanged since the
    last read of the file is the very same Row (a watch session reloading a 2,000-row calendar after one edit)."""
    name = str(file)
    with io.StringIO(text, newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if not header:
            return
        columns = [column.strip() for column in header]
        blank = [""] * len(columns)
        last_header, known = _LAST_READ.get(name, (None, {}))
        if last_header != header:
            known = {}
        seen: dict[tuple[int, tuple[str, ...]], Row] = {}
        for cells in _cells(reader, file):
            line = reader.line_num
            if len(cells) > len(columns):
                raise DeclarationError("row has more cells than the header", Location(name, line))
            if not "".join(cells).strip():  # a blank line, or only empty cells
                continue
            key = (line, tuple(cells))
            row = known.get(key)
            if row is None:
                if len(cells) < len(columns):
                    cells += blank[len(cells):]
                row = Row(dict(zip(columns, map(_convert, cells))), Location(name, line))
            seen[key] = row
            yield row
    _LAST_READ[name] = (header, seen)


def _cells(reader: Any, file: Path) -> Iterator[list[str]]:
    """A CSV reader's rows; a row it cannot parse (a cell over the csv module's size limit) is an error at its line."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DeclarationError(f"cannot read data table {file.name}: {exc}", Location(str(file), reader.line_num)
                                   ) from None
        yield cells


#: Each CSV file's header and rows as last read (by line and cells), for ``_csv_rows`` to reuse.
_LAST_READ: dict[str, tuple[list[str], dict[tuple[int, tuple[str, ...]], Row]]] = {}


def _structured_rows(file: Path, suffix: str, text: str) -> Iterator[Row]:
    if suffix == ".json":
        data, lines = json.loads(text), None
    else:
        data, lines = load_yaml_table(text, str(file))
    if isinstance(data, dict) and len(data) == 1 and isinstance(next(iter(data.values())), list):
        data = next(iter(data.values()))
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ValueError("expected a list of mappings (one per row)")
    for index, record in enumerate(data):
        line = lines[index] if lines and index < len(lines) else index + 1
        yield Row({str(k): v for k, v in record.items()}, Location(str(file), line))
