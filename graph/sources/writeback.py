"""Minted IRIs written back into the sheet as `iri:` keys, the rest of the file (comments, layout) kept
byte for byte, so a later label edit never changes an IRI."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml

from treatykg.core.errors import InputError
from treatykg.graph.sources.yamlsafe import Mapping


def write_back(path: Path, minted: list[tuple[Mapping, str]], compiled_text: str) -> int:
    """Insert `iri: IRI` into each minted statement's mapping of the sheet at `path`; atomic; the count."""
    if not minted:
        return 0
    text = path.read_text(encoding="utf-8")
    if text != compiled_text:
        raise InputError("the sheet changed while it was compiled; compile it again", path)
    # Character offsets of insertions, applied from the end so earlier offsets stay valid.
    insertions: list[tuple[int, str]] = []
    line_starts = [0]
    for line in text.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    for mapping, iri in minted:
        insertions.append(_insertion(mapping.node, iri, text, line_starts))
    for offset, snippet in sorted(insertions, reverse=True):
        text = text[:offset] + snippet + text[offset:]
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(minted)


def _insertion(node: yaml.MappingNode, iri: str, text: str, line_starts: list[int]) -> tuple[int, str]:
    """Where and what to insert: after the mapping's `key:` entry (block style) or after its `{` (flow)."""
    if node.flow_style:
        return node.start_mark.index + 1, f"iri: {iri}, "
    key_node, value_node = next((k, v) for k, v in node.value if k.value == "key")
    end = value_node.end_mark
    # The entry ends on its value's last line; a block scalar ends at column 0 of the next line.
    next_line = end.line if end.column == 0 else end.line + 1
    newline = "\r\n" if "\r\n" in text else "\n"
    offset = line_starts[min(next_line, len(line_starts) - 1)]
    prefix = ""
    if offset == len(text) and text and not text.endswith("\n"):
        prefix = newline
    return offset, f"{prefix}{' ' * key_node.start_mark.column}iri: {iri}{newline}"
