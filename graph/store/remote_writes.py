"""SPARQL Update text for a remote store, written to its dialect's limits.

Quads become INSERT DATA / DELETE DATA operations of at most `max_operation_statements` triples and
`max_update_bytes` bytes; where INSERT DATA may not hold blank nodes (Virtuoso), quads with blank nodes go in
`INSERT { … } WHERE {}` templates instead. A blank node's quads always stay in one operation (SPARQL 1.1
Update §19.6: a label names the same node only within one operation), so quads linked by blank nodes are
kept together. Operations are then packed into as few requests as the byte limit allows, in order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from treatykg.graph.store.remote_dialects import Dialect

SEPARATOR = " ;\n"
OPERATION_OVERHEAD = 64  # bytes around the statements of one operation


def statement(quad: ox.Quad, dialect: Dialect) -> tuple[str | None, str]:
    """The quad's graph name as the store knows it (None: the real default graph) and its triple's text."""
    text = f"{quad.subject} {quad.predicate} {quad.object} ."
    if isinstance(quad.graph_name, ox.DefaultGraph):
        return dialect.default_graph, text
    return quad.graph_name.value, text


def block(quads: Iterable[ox.Quad], dialect: Dialect) -> str:
    """The body of a DATA block or template: triples grouped by graph."""
    by_graph: dict[str | None, list[str]] = defaultdict(list)
    for quad in quads:
        graph, text = statement(quad, dialect)
        by_graph[graph].append(text)
    parts = []
    for graph in sorted(by_graph, key=lambda name: name or ""):
        body = "\n".join(by_graph[graph])
        parts.append(body if graph is None else f"GRAPH <{graph}> {{\n{body}\n}}")
    return "\n".join(parts)


def has_blank(quad: ox.Quad) -> bool:
    """Whether the quad names a blank node."""
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def linked_groups(quads: Sequence[ox.Quad]) -> list[list[ox.Quad]]:
    """Quads grouped so that quads sharing a blank node are in one group (each other quad alone)."""
    parent: dict[str, str] = {}

    def root(label: str) -> str:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    for quad in quads:
        labels = [term.value for term in (quad.subject, quad.object) if isinstance(term, ox.BlankNode)]
        for label in labels[1:]:
            parent[root(label)] = root(labels[0])
    groups: dict[str, list[ox.Quad]] = defaultdict(list)
    alone: list[list[ox.Quad]] = []
    for quad in quads:
        labels = [term.value for term in (quad.subject, quad.object) if isinstance(term, ox.BlankNode)]
        if labels:
            groups[root(labels[0])].append(quad)
        else:
            alone.append([quad])
    return [*groups.values(), *alone]


def _chunks(groups: Iterable[list[ox.Quad]], dialect: Dialect) -> Iterable[list[ox.Quad]]:
    """Groups packed into chunks within the statement and byte limits (a group is never split)."""
    limit = dialect.max_operation_statements
    budget = dialect.max_update_bytes - OPERATION_OVERHEAD
    chunk: list[ox.Quad] = []
    size = 0
    for group in groups:
        group_size = sum(len(str(quad)) + 16 for quad in group)
        if chunk and ((limit and len(chunk) + len(group) > limit) or size + group_size > budget):
            yield chunk
            chunk, size = [], 0
        chunk += group
        size += group_size
    if chunk:
        yield chunk


def data_operations(keyword: str, quads: Sequence[ox.Quad], dialect: Dialect) -> list[str]:
    """`INSERT` or `DELETE` of `quads` as operations within the dialect's limits."""
    if not quads:
        return []
    templated = keyword == "INSERT" and not dialect.blank_nodes_in_data
    operations = []
    for chunk in _chunks(linked_groups(quads), dialect):
        plain = [quad for quad in chunk if not (templated and has_blank(quad))]
        blank = [quad for quad in chunk if templated and has_blank(quad)]
        if plain:
            operations.append(f"{keyword} DATA {{\n{block(plain, dialect)}\n}}")
        if blank:
            operations.append(f"INSERT {{\n{block(blank, dialect)}\n}} WHERE {{}}")
    return operations


def requests(operations: Sequence[str], dialect: Dialect) -> list[str]:
    """Operations packed in order into requests of at most `max_update_bytes` (one if they fit)."""
    packed: list[str] = []
    current: list[str] = []
    size = 0
    for operation in operations:
        length = len(operation.encode("utf-8")) + len(SEPARATOR)
        if current and size + length > dialect.max_update_bytes:
            packed.append(SEPARATOR.join(current))
            current, size = [], 0
        current.append(operation)
        size += length
    if current:
        packed.append(SEPARATOR.join(current))
    return packed
