"""Commit a checked write: asserted and inferred changes and the write's provenance in ONE store transaction.

The transaction is one SPARQL Update call (pyoxigraph: all of it or nothing). Ground quads go in DELETE DATA /
INSERT DATA; quads with blank nodes go in one DELETE/INSERT whose WHERE binds each blank node to the store's
own node through a custom function (INSERT DATA would mint new ones). The commit record (the next version
and its quads per graph, counted from the delta) is written to version.pending.json first and promoted to
version.json after; the provenance activity inside the transaction tells a restart which way it went.
"""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox

from treatykg.core.iris import ID, INFERRED_GRAPH, WRITES_GRAPH
from treatykg.graph.store.embedded import (
    OpenStore,
    StoreVersion,
    finish_pending,
    read_pending,
    require_current,
    write_pending,
)
from treatykg.server.query.messages import WriteAccount

BNODE_FUNCTION = ox.NamedNode("urn:x-treatykg:blank-node")
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
DCTERMS_IDENTIFIER = ox.NamedNode("http://purl.org/dc/terms/identifier")
XSD_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
WRITES = ox.NamedNode(WRITES_GRAPH)


@dataclass
class Change:
    """Concrete quads to remove and add (pyoxigraph terms), and named graphs to drop and to create."""

    removed: list[ox.Quad]
    added: list[ox.Quad]
    dropped: list[str]
    created: list[str]


def change_of(account: WriteAccount) -> Change:
    """A worker's account of a write as the quads and graphs to commit."""

    def quads(nquads: str) -> list[ox.Quad]:
        return list(ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS)) if nquads else []

    return Change(
        removed=quads(account.removed) + quads(account.inferred_removed),
        added=quads(account.added) + quads(account.inferred_added),
        dropped=list(account.dropped),
        created=list(account.created),
    )


def summary(account: WriteAccount) -> str:
    """The commit's one-line description in its provenance record."""
    removed, added, inferred_removed, inferred_added = account.counts
    return (
        f"{added} quads added, {removed} removed; inferred {inferred_added} added, "
        f"{inferred_removed} retracted; checked on the {account.path} path"
    )


def generated(account: WriteAccount) -> list[str]:
    """The graphs the write's provenance activity generated (the default graph by a name of its own)."""
    return list(account.graphs) + (["urn:x-treatykg:default-graph"] if account.default_changed else [])


def activity_iri(version: StoreVersion) -> ox.NamedNode:
    """The provenance activity of the write that makes `version` (its IRI names the store and version)."""
    return ox.NamedNode(f"{ID}write/{version.store_id}-{version.version}")


def provenance(
    version: StoreVersion, agent: str, label: str, summary: str, graphs: list[str]
) -> list[ox.Quad]:
    """PROV-O for one write: an activity, who did it (the token's name) and when, in the writes graph."""
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    activity = activity_iri(version)
    who = ox.NamedNode(f"{ID}agent/token-{quote(agent, safe='')}")
    triples: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (activity, RDF_TYPE, ox.NamedNode(PROV + "Activity")),
        (activity, RDFS_LABEL, ox.Literal(label)),
        (activity, RDFS_COMMENT, ox.Literal(summary)),
        (activity, DCTERMS_IDENTIFIER, ox.Literal(f"{version.store_id}-{version.version}")),
        (activity, ox.NamedNode(PROV + "endedAtTime"), ox.Literal(now, datatype=XSD_DATETIME)),
        (activity, ox.NamedNode(PROV + "wasAssociatedWith"), who),
        (who, RDF_TYPE, ox.NamedNode(PROV + "Agent")),
        (who, RDFS_LABEL, ox.Literal(agent)),
    ]
    triples += [(activity, ox.NamedNode(PROV + "generated"), ox.NamedNode(g)) for g in graphs]
    return [ox.Quad(s, p, o, WRITES) for s, p, o in triples]


def _has_blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _ground(quads: list[ox.Quad]) -> str:
    """Quads as the body of a DATA block."""
    lines = []
    for quad in quads:
        triple = f"{quad.subject} {quad.predicate} {quad.object} ."
        lines.append(
            triple
            if isinstance(quad.graph_name, ox.DefaultGraph)
            else f"GRAPH {quad.graph_name} {{ {triple} }}"
        )
    return "\n".join(lines)


def request(change: Change) -> str:
    """The one SPARQL Update request that makes the change."""
    operations = []
    ground_removed = [q for q in change.removed if not _has_blank(q)]
    ground_added = [q for q in change.added if not _has_blank(q)]
    if ground_removed:
        operations.append(f"DELETE DATA {{\n{_ground(ground_removed)}\n}}")
    if ground_added:
        operations.append(f"INSERT DATA {{\n{_ground(ground_added)}\n}}")
    blank_removed = [q for q in change.removed if _has_blank(q)]
    blank_added = [q for q in change.added if _has_blank(q)]
    if blank_removed or blank_added:
        variables: dict[str, str] = {}

        def term(t) -> str:
            if isinstance(t, ox.BlankNode):
                return variables.setdefault(t.value, f"?b{len(variables)}")
            return str(t)

        def block(quads: list[ox.Quad]) -> str:
            lines = []
            for q in quads:
                triple = f"{term(q.subject)} {q.predicate} {term(q.object)} ."
                graph = q.graph_name
                lines.append(
                    triple if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph} {{ {triple} }}"
                )
            return "\n".join(lines)

        delete, insert = block(blank_removed), block(blank_added)
        binds = " ".join(
            f'BIND(<{BNODE_FUNCTION.value}>("{label}") AS {var})' for label, var in variables.items()
        )
        operations.append(f"DELETE {{\n{delete}\n}} INSERT {{\n{insert}\n}} WHERE {{ {binds} }}")
    operations += [f"DROP SILENT GRAPH <{g}>" for g in change.dropped]
    operations += [f"CREATE SILENT GRAPH <{g}>" for g in change.created]
    return " ;\n".join(operations)


def next_version(previous: StoreVersion, change: Change) -> StoreVersion:
    """The commit record after `change`: the quads per graph counted from the delta, not from the store."""
    counts = Counter(previous.graph_quads)
    default = previous.default_graph_quads
    for quads, sign in ((change.removed, -1), (change.added, 1)):
        for quad in quads:
            if isinstance(quad.graph_name, ox.DefaultGraph):
                default += sign
            else:
                counts[quad.graph_name.value] += sign
    return StoreVersion(
        version=previous.version + 1,
        store_id=previous.store_id or uuid.uuid4().hex[:12],
        graph_quads={g: n for g, n in counts.items() if n > 0},
        default_graph_quads=default,
        build_graphs=previous.build_graphs,
        build=previous.build,
    )


def apply(handle: OpenStore, change: Change, version: StoreVersion) -> StoreVersion:
    """Record the pending commit, commit the change in one transaction, then promote the record."""
    require_current(handle.version(), handle.path)
    write_pending(handle, version)
    try:
        handle.store.update(
            request(change), custom_functions={BNODE_FUNCTION: lambda label: ox.BlankNode(label.value)}
        )
    except BaseException:
        finish_pending(handle, landed=False)
        raise
    return finish_pending(handle, landed=True)


def recover(handle: OpenStore) -> str | None:
    """Settle a commit a killed server left pending: promote its record if it landed, else drop it."""
    pending = read_pending(handle.path)
    if pending is None:
        return None
    landed = (
        next(iter(handle.store.quads_for_pattern(activity_iri(pending), None, None, WRITES)), None)
        is not None
    )
    finish_pending(handle, landed=landed)
    return f"version {pending.version} {'had committed' if landed else 'had not committed'}"


def inferred(quads) -> list[ox.Quad]:
    """Triples as quads of the inferred graph."""
    return [ox.Quad(s, p, o, ox.NamedNode(INFERRED_GRAPH)) for s, p, o in quads]
