"""YAML read as the curator wrote it: every scalar a string, each node with its line; no aliases, no
duplicate keys."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import yaml
from yaml.events import AliasEvent

from treatykg.graph.sources.errors import SheetInvalid, SheetProblem


class Mapping(dict):
    """A YAML mapping with the line of its start and of each key (1-based)."""

    line: int
    key_lines: dict[str, int]
    node: yaml.MappingNode


class Sequence(list):
    """A YAML sequence with the line of its start and of each item (1-based)."""

    line: int
    item_lines: list[int]


Value = Mapping | Sequence | str | None


class _Refused(Exception):
    """An alias or anchor met while composing, at a line (1-based)."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message = message
        self.line = line


class _NoAliasLoader(yaml.BaseLoader):
    """BaseLoader (no implicit types: `no`, `1990` and `2023-05` stay strings) that refuses aliases and
    anchors, so an alias bomb never expands."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        """Compose as PyYAML does, refusing an alias or an anchor where it is met."""
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, AliasEvent):
            raise _Refused("aliases (*name) are not allowed in a sheet", line)
        if getattr(event, "anchor", None) is not None:
            raise _Refused("anchors (&name) are not allowed in a sheet", line)
        return super().compose_node(parent, index)


def read_yaml(path: Path, text: str | None = None) -> Value:
    """The YAML document at `path` as Mapping/Sequence/str values; SheetInvalid naming file and line."""
    if text is None:
        text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=_NoAliasLoader)  # BaseLoader subclass: builds no objects
    except _Refused as error:
        raise SheetInvalid([SheetProblem(str(path), error.line, f"YAML: {error.message}")]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else 1
        raise SheetInvalid([SheetProblem(str(path), line, f"YAML: {error.problem}")]) from None
    except yaml.YAMLError as error:
        raise SheetInvalid([SheetProblem(str(path), 1, f"YAML: {error}")]) from None
    if node is None:
        return None
    problems: list[SheetProblem] = []
    value = _convert(node, str(path), problems)
    if problems:
        raise SheetInvalid(problems)
    return value


def _convert(node: yaml.Node, path: str, problems: list[SheetProblem]) -> Value:
    """Plain values from a composed node, keys checked for duplicates."""
    if isinstance(node, yaml.ScalarNode):
        # An empty plain scalar (`key:`) means no value; a quoted "" is the empty string.
        return None if node.value == "" and node.style is None else str(node.value)
    if isinstance(node, yaml.SequenceNode):
        items = Sequence(_convert(item, path, problems) for item in node.value)
        items.line = node.start_mark.line + 1
        items.item_lines = [item.start_mark.line + 1 for item in node.value]
        return items
    node = cast(yaml.MappingNode, node)
    mapping = Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    mapping.node = node
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(SheetProblem(path, line, "a mapping key must be a plain string"))
            continue
        key = str(key_node.value)
        if key in mapping.key_lines:
            problems.append(
                SheetProblem(path, line, f"duplicate key {key!r} (first on line {mapping.key_lines[key]})")
            )
            continue
        mapping.key_lines[key] = line
        mapping[key] = _convert(value_node, path, problems)
    return mapping


def line_of(value: Value, path: tuple[str | int, ...], default: int = 1) -> int:
    """The line of the node at `path` inside `value` (as far down as the path exists)."""
    line = getattr(value, "line", default)
    current: object = value
    for step in path:
        if isinstance(current, Mapping) and isinstance(step, str) and step in current:
            line = current.key_lines[step]
            current = current[step]
        elif isinstance(current, Sequence) and isinstance(step, int) and step < len(current):
            line = current.item_lines[step]
            current = current[step]
        else:
            break
    return line
