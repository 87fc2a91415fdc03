"""SPARQL Update text for a remote store, written to its dialect's limits.

Quads become INSERT DATA / DELETE DATA operations of at most `max_operation_statements` triples and
`max_update_bytes` bytes. A blank node label names one node only within one operation (SPARQL 1.1 Update
§19.6), so quads linked by blank nodes stay in one operation; where the store names its blank nodes by IRIs
(Virtuoso, whose INSERT DATA refuses blank nodes), each blank node is written as a fresh one of those IRIs
instead and may span operations. Operations are then packed into as few requests as the byte limit allows,
in order.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from treatykg.graph.store.remote_dialects import Dialect

SEPARATOR = " ;\n"
OPERATION_OVERHEAD = 64  # bytes around the statements of one operation
# Virtuoso numbers its own blank nodes upwards from 10,000 and reads numbers below 2^62: a push's numbers
# are a run from a random start in [2^40, 2^60), so two pushes' runs overlap with odds of about 10^-12.
BLANK_NUMBERS = (2**40, 2**60)


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


def blank_nodes_as_iris(quads: Sequence[ox.Quad], prefix: str) -> list[ox.Quad]:
    """The quads with every blank node written as a fresh numbered IRI under `prefix`."""
    start = BLANK_NUMBERS[0] + secrets.randbelow(BLANK_NUMBERS[1] - BLANK_NUMBERS[0])
    numbers: dict[str, ox.NamedNode] = {}

    def named(term):
        if isinstance(term, ox.BlankNode):
            if term.value not in numbers:
                numbers[term.value] = ox.NamedNode(f"{prefix}{start + len(numbers)}")
            return numbers[term.value]
        return term

    return [ox.Quad(named(q.subject), q.predicate, named(q.object), q.graph_name) for q in quads]


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
    if dialect.blank_node_prefix:
        groups = [[quad] for quad in blank_nodes_as_iris(quads, dialect.blank_node_prefix)]
    else:
        groups = linked_groups(quads)
    return [f"{keyword} DATA {{\n{block(chunk, dialect)}\n}}" for chunk in _chunks(groups, dialect)]


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
