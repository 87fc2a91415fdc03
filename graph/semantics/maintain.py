"""The inferred graph kept exact under a write, by delete and rederive (DRed) with the compiled rules.

The write is already applied to the asserted graphs of a writable store (a throwaway checkpoint of the served
one, so nothing here is visible to readers); the inferred graph is still the closure of the store before it.

1. Over-delete: the rules run semi-naively from the triples no longer asserted anywhere, over the store with
   those triples still visible (in a working graph), and keep only conclusions the inferred graph holds: every
   inference that rested on a removed triple, directly or through other inferences.
2. The over-deleted inferences leave the inferred graph.
3. Rederive and add: the rules run semi-naively, to a fixpoint, from the triples new to the asserted graphs
   and from the support of the over-deleted ones (and of the removed triples, which may still be entailed):
   what still holds comes back, with what the additions entail.

The support of an inference is the store's triples around the node the rules derive it through. Every rule
of graph/semantics/rules has, for each of its conclusions, one variant whose delta premise names the
conclusion's subject (prp-dom, prp-rng, cax-sco for a type; every rule but prp-fp and prp-ifp also one that
names its object), so the triples around the conclusion's subject are enough, and for a conclusion whose
predicate is not rdf:type or owl:sameAs, the triples around whichever of its subject and object has fewer.
Rederivation takes two passes: the first reads only a hub's own outgoing triples (a state's inferred types
come back from the types it states), the second reads everything around the nodes of what the first did
not bring back; so the thousands of triples pointing at a hub (a state every event names) are read only when
an inference about the hub itself went for good. The equality tests (tests/test_semantics_interface.py)
hold the result to owlrl's closure.

At the end the inferred graph is the closure of the asserted graphs after the write, with no triple that is
asserted; the working graphs are dropped. A write that changes the schema can't be maintained this way
(every inference may change): `changes_schema` says so, and the caller reasons it in full.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

from treatykg.core.iris import ONTOLOGY_GRAPH, WORK_PREFIX, asserted_graph
from treatykg.core.terms import to_rdflib
from treatykg.graph.semantics.region import is_schema
from treatykg.graph.semantics.rules import (
    ADDED,
    DEFAULT_COPY,
    INFERRED,
    Rule,
    drop_work,
    fixpoint,
    schema_closure,
    work_graphs,
)

GONE = ox.NamedNode(WORK_PREFIX + "gone-0")  # the removed triples, the over-deletion's first premises
SUPPORT = ox.NamedNode(WORK_PREFIX + "support")  # triples around what was over-deleted
AGAIN = ox.NamedNode(WORK_PREFIX + "support-again")  # ... around what the first pass did not bring back
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
DEGREE_CAP = 256  # past this many triples a node counts as a hub when picking the side of a conclusion
# Every instance rule ends with this filter (skip what some graph holds); over-deletion turns it round.
_NOT_HELD = re.compile(r"FILTER NOT EXISTS \{ GRAPH \?any \{ ([^{}]*) \} \}")


class UnmaintainableRule(Exception):
    """A rule lacks the filter the over-deletion rewrites: deletions can't be maintained (refuse, never
    leave an unsupported inference)."""


@dataclass(frozen=True)
class Maintained:
    """The inferred graph's change: triples that went, triples that came, and the rounds run; `stated`: the
    triples the union of the asserted graphs lost or gained (a triple another graph holds changes neither)."""

    removed: frozenset[ox.Triple]
    added: frozenset[ox.Triple]
    rounds: int
    stated: frozenset[ox.Triple] = frozenset()


def graph_key(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str | None:
    """A graph name as core.iris keys it (None for the default graph)."""
    return None if isinstance(graph, ox.DefaultGraph) else graph.value


def reasoned(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> bool:
    """Whether reasoning covers the graph (asserted data, not the inferred, provenance or working graphs)."""
    return asserted_graph(graph_key(graph))


def changes_schema(quads: Iterable[ox.Quad]) -> bool:
    """Whether a delta touches the ontology graph or states an RDFS/OWL axiom anywhere."""
    return any(
        graph_key(q.graph_name) == ONTOLOGY_GRAPH
        or is_schema((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        for q in quads
        if reasoned(q.graph_name)
    )


def overdeletion(rule: Rule) -> str:
    """A rule's update for over-deletion: conclusions the inferred graph holds that no earlier round took."""
    if not _NOT_HELD.search(rule.text):
        raise UnmaintainableRule(f"the rule {rule.name} lacks the filter over-deletion rewrites")
    gone = WORK_PREFIX + "gone-"
    return _NOT_HELD.sub(
        lambda match: (
            f"FILTER EXISTS {{ GRAPH {INFERRED} {{ {match[1]} }} }} "
            f'FILTER NOT EXISTS {{ GRAPH ?gone {{ {match[1]} }} FILTER(STRSTARTS(STR(?gone), "{gone}")) }}'
        ),
        rule.text,
    )


def _asserted(store: ox.Store, triple: ox.Triple) -> set:
    """The reasoned graphs that assert `triple`."""
    quads = store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)
    return {q.graph_name for q in quads if reasoned(q.graph_name)}


def _degree(store: ox.Store, node: ox.NamedNode | ox.BlankNode | ox.Triple) -> int:
    """How many triples name `node`, counted up to DEGREE_CAP each way."""
    out = islice(store.quads_for_pattern(node, None, None, None), DEGREE_CAP)
    into = islice(store.quads_for_pattern(None, None, node, None), DEGREE_CAP)
    return sum(1 for _ in out) + sum(1 for _ in into)


def _support_nodes(store: ox.Store, triples: Iterable[ox.Triple], first: bool) -> dict:
    """The nodes whose triples can rederive `triples` (see the module docstring), each with whether its
    in-edges are needed too. The first pass reads a hub's outgoing triples only (a state's inferred types
    come back from the types it states); the second, for what the first did not bring back, everything."""
    nodes: dict = {}
    degrees: dict = {}  # a hub is named by many of the triples: its degree is counted once

    def degree(node: ox.NamedNode | ox.BlankNode | ox.Triple) -> int:
        if node not in degrees:
            degrees[node] = _degree(store, node)
        return degrees[node]

    for triple in triples:
        subject, obj = triple.subject, triple.object
        if triple.predicate == RDF_TYPE or not isinstance(obj, ox.NamedNode | ox.BlankNode):
            sides = [subject]
        elif triple.predicate == SAME_AS:
            sides = [subject, obj]
        elif isinstance(subject, ox.Triple) or degree(obj) < degree(subject):
            sides = [obj]
        else:
            sides = [subject]
        for node in sides:
            whole = not first or degree(node) < DEGREE_CAP
            nodes[node] = nodes.get(node, False) or whole
        if first:
            nodes.setdefault(subject, False)
    return nodes


def _support(store: ox.Store, triples: Iterable[ox.Triple], graph: ox.NamedNode, first: bool) -> int:
    """Copy the triples around the support nodes into `graph`; how many."""
    seen: set[ox.Triple] = set()
    for node, whole in _support_nodes(store, triples, first).items():
        patterns = (
            [(node, None, None, None), (None, None, node, None)] if whole else [(node, None, None, None)]
        )
        for pattern in patterns:
            for quad in store.quads_for_pattern(*pattern):
                name = graph_key(quad.graph_name)
                if name is None or not name.startswith(WORK_PREFIX):
                    seen.add(quad.triple)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in seen)
    return len(seen)


def _held(store: ox.Store, triple: ox.Triple) -> bool:
    """Whether any graph holds the triple (working graphs included)."""
    quads = store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)
    return next(iter(quads), None) is not None


def _graph_triples(store: ox.Store, prefix: str) -> set[ox.Triple]:
    """The triples of the working graphs whose names start with `prefix`."""
    return {
        quad.triple
        for graph in work_graphs(store)
        if graph.value.startswith(WORK_PREFIX + prefix)
        for quad in store.quads_for_pattern(None, None, None, graph)
    }


def maintain(store: ox.Store, removed: Iterable[ox.Quad], added: Iterable[ox.Quad]) -> Maintained:
    """Bring the inferred graph up to date with a delta already applied to `store` (see the module
    docstring); the delta must leave the schema alone."""
    drop_work(store)
    removed = [q for q in removed if reasoned(q.graph_name)]
    added = [q for q in added if reasoned(q.graph_name)]
    gone = {q.triple for q in removed if not _asserted(store, q.triple)}
    added_to: dict[ox.Triple, set] = {}
    for quad in added:
        added_to.setdefault(quad.triple, set()).add(quad.graph_name)
    new = {triple for triple, graphs in added_to.items() if _asserted(store, triple) <= graphs}
    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        store.update(f"ADD DEFAULT TO {DEFAULT_COPY}")  # the rules match GRAPH ?g: named graphs only
    schema = schema_closure(store)
    rounds = 0
    over: set[ox.Triple] = set()
    if gone:
        store.extend(ox.Quad(t.subject, t.predicate, t.object, GONE) for t in gone)
        first = ox.NamedNode(WORK_PREFIX + "gone-1")
        stats = fixpoint(store, [GONE], first, False, schema, text=overdeletion, rounds_named="gone-")
        rounds += stats.rounds
        over = _graph_triples(store, "gone-") - gone
        # The over-deleted inferences leave the inferred graph (a query binds blank nodes to the store's).
        operations = [
            f"DELETE {{ GRAPH {INFERRED} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
            for graph in stats.outputs
        ]
        operations += [f"DROP SILENT GRAPH {g}" for g in work_graphs(store) if "/gone-" in g.value]
        store.update(" ;\n".join(operations))
    premises = []
    if over or gone:
        _support(store, over | gone, SUPPORT, first=True)
        premises.append(SUPPORT)
    if new:
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ADDED) for t in new)
        premises.append(ADDED)
    if premises:
        first = ox.NamedNode(WORK_PREFIX + "round-1")
        rounds += fixpoint(store, premises, first, seed=bool(over or gone), schema=schema).rounds
    missing = {t for t in over | gone if not _held(store, t)}
    if missing:
        _support(store, missing, AGAIN, first=False)
        first = ox.NamedNode(WORK_PREFIX + "again-1")
        rounds += fixpoint(store, [AGAIN], first, seed=False, schema=schema, rounds_named="again-").rounds
    derived = _graph_triples(store, "round-") | _graph_triples(store, "again-")
    store.extend(ox.Quad(t.subject, t.predicate, t.object, INFERRED) for t in derived)
    # What the write asserts is no inference any more.
    moved = {t for t in new if ox.Quad(t.subject, t.predicate, t.object, INFERRED) in store}
    for triple in moved:
        store.remove(ox.Quad(triple.subject, triple.predicate, triple.object, INFERRED))
    drop_work(store)
    return Maintained(
        frozenset((over - derived) | moved), frozenset(derived - over), rounds, frozenset(gone | new)
    )
