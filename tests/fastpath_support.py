"""What the fast-path tests share: generated data, stores built from it, the owlrl and pySHACL reference."""

from __future__ import annotations

from functools import cache

import packaged
import pyoxigraph as ox
from rdflib import Graph

from treatykg.core.iris import (
    BASE,
    ENTITIES_GRAPH,
    ONTOLOGY_GRAPH,
    RECONCILED_GRAPH,
    SYNTHETIC_BASE,
    source_graph,
)
from treatykg.core.terms import graph_from_quads, to_rdflib
from treatykg.graph.derive.reconcile import reconcile_into
from treatykg.graph.semantics.fastpath import load_ontology
from treatykg.graph.semantics.reason import closure, filter_inferred, is_informative
from treatykg.graph.semantics.rules import INFERRED, reason
from treatykg.graph.synthetic.generate import generate_lines

ONTOLOGY = ox.NamedNode(ONTOLOGY_GRAPH)
SYNTHETIC = ox.NamedNode(SYNTHETIC_BASE + "graph/synthetic")
ARTICLE = ox.NamedNode(source_graph("cfe-withdrawal-article"))
RECONCILED = ox.NamedNode(RECONCILED_GRAPH)
ENTITIES = ox.NamedNode(ENTITIES_GRAPH)
SEED = 1


@cache
def lines(triples: int, seed: int = SEED) -> tuple[str, ...]:
    """Generated N-Triples lines (cached: several modules use the 10k set)."""
    return tuple(generate_lines(triples, seed))


def store_with(
    data: str | bytes, graph: ox.NamedNode, fmt: ox.RdfFormat = ox.RdfFormat.N_TRIPLES
) -> ox.Store:
    """A fresh in-memory store holding the ontology and `data` in `graph`."""
    store = ox.Store()
    load_ontology(store)
    store.load(input=data, format=fmt, to_graph=graph, base_iri=BASE)
    return store


def synthetic_with(data: str) -> ox.Store:
    """A store with generated data (N-Triples) and the reconciled view of its accounts, as a build has it."""
    store = store_with(data, SYNTHETIC)
    reconcile_into(store)
    return store


def synthetic_store(triples: int = 10_000) -> ox.Store:
    """A store with the generated data and its reconciled view."""
    return synthetic_with("".join(lines(triples)))


def article_store() -> ox.Store:
    """A store with the seed article's compiled graph, the entity sheet's and the reconciled view of its
    accounts."""
    store = store_with(packaged.source(packaged.ARTICLE).serialize(format="nt"), ARTICLE)
    store.load(
        input=packaged.compiled()[ENTITIES_GRAPH].serialize(format="nt"),
        format=ox.RdfFormat.N_TRIPLES,
        to_graph=ENTITIES,
    )
    reconcile_into(store)
    return store


def asserted(store: ox.Store) -> Graph:
    """The store's asserted triples (every graph but the inferred one) as rdflib, bnode labels kept."""
    return graph_from_quads(quad for quad in store if quad.graph_name != INFERRED)


def graph_of(store: ox.Store, *graphs: ox.NamedNode) -> Graph:
    """The union of some graphs of the store as rdflib."""
    return graph_from_quads(quad for quad in store if quad.graph_name in graphs)


def fast_inferred(store: ox.Store) -> set:
    """Reason with the fast path; its inferred triples (as rdflib terms) after the project's filter."""
    reason(store)
    triples = {
        tuple(to_rdflib(t) for t in (q.subject, q.predicate, q.object))
        for q in store.quads_for_pattern(None, None, None, INFERRED)
    }
    return {triple for triple in triples if is_informative(triple)}


def owlrl_inferred(graph: Graph) -> set:
    """owlrl's inferred triples for `graph` after the project's filter (the reference)."""
    return set(filter_inferred(closure(graph), graph))
