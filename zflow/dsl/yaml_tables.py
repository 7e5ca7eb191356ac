"""YAML data tables read safely: plain data only (no Python tags), and anchors and aliases bounded in how much they
may expand, so that a "billion laughs" table is an error at its line instead of gigabytes."""
from __future__ import annotations

from typing import Any

from .registry import DeclarationError
from .source import Location

#: Values aliases may add to a table, on top of ten times the values it spells out.
ALIAS_ALLOWANCE = 100_000


def load_yaml_table(text: str, file: str) -> tuple[Any, list[int]]:
    """The YAML data and the line each row (each item of the top-level list) starts on."""
    import yaml

    loader = _make_loader(yaml)(text)
    try:
        node = loader.get_single_node()
        _check_aliases(node, loader.alias_uses, file)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DeclarationError(f"invalid YAML: {exc}", Location(file, mark.line + 1 if mark else 1)) from None
    except RecursionError:
        raise DeclarationError("invalid YAML: nested too deeply", Location(file, 1)) from None
    finally:
        loader.dispose()
    if isinstance(node, yaml.MappingNode) and len(node.value) == 1:
        node = node.value[0][1]
    items = node.value if isinstance(node, yaml.SequenceNode) else []
    return data, [item.start_mark.line + 1 for item in items]


def _make_loader(yaml: Any) -> type:
    class TableLoader(yaml.SafeLoader):
        """A safe loader that notes each alias it resolves: (its mark, its anchor, the node it stands for)."""

        def __init__(self, stream: str):
            super().__init__(stream)
            self.alias_uses: list[tuple[Any, str, Any]] = []

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                node = super().compose_node(parent, index)
                self.alias_uses.append((event.start_mark, event.anchor, node))
                return node
            return super().compose_node(parent, index)

    return TableLoader


def _check_aliases(root: Any, uses: list[tuple[Any, str, Any]], file: str) -> None:
    """Refuse an alias inside its own anchor, and aliases that together expand the table past the allowance."""
    if not uses:
        return
    for mark, anchor, node in uses:
        if node.start_mark.index <= mark.index < node.end_mark.index:
            raise DeclarationError(f"YAML alias *{anchor} refers to itself (it stands inside its own &{anchor})",
                                   Location(file, mark.line + 1))
    sizes: dict[int, int] = {}
    total = _size(root, sizes)
    budget = 10 * len(sizes) + ALIAS_ALLOWANCE
    if total <= budget:
        return
    added = len(sizes)
    for mark, anchor, node in uses:
        added += sizes[id(node)]
        if added > budget:
            raise DeclarationError(
                f"YAML aliases expand this table past {budget:,} values (an alias bomb?); the alias *{anchor} here "
                "is where it goes over. Write the values out, or repeat fewer anchors", Location(file, mark.line + 1))


def _size(node: Any, sizes: dict[int, int]) -> int:
    """How many values ``node`` stands for once every alias in it is expanded (memoised by node)."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    total = 1
    if isinstance(node.value, list):
        for item in node.value:
            if isinstance(item, tuple):
                total += _size(item[0], sizes) + _size(item[1], sizes)
            else:
                total += _size(item, sizes)
    sizes[id(node)] = total
    return total
