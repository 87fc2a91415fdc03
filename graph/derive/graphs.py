"""What every derived graph does the same way: replace it in a store, or derive it from rdflib graphs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import pyoxigraph as ox
from rdflib import Graph

from treatykg.core.terms import BlankNodeMap, graph_from_quads, triples_to_ox

GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
Derive = Callable[[ox.Store, Sequence[GraphName]], list[ox.Triple]]


def replace_graph(store: ox.Store, name: ox.NamedNode, triples: list[ox.Triple]) -> int:
    """Replace the graph `name` of `store` with `triples`; its size."""
    if name in set(store.named_graphs()):
        store.remove_graph(name)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
    return len(set(triples))


def derive_from_graphs(graphs: Iterable[Graph], derive: Derive, name: ox.NamedNode, work: str) -> Graph:
    """The graph `name` that `derive` gives over rdflib `graphs` (the reference build's inputs), each loaded
    as a working graph `<work>N` of a scratch store."""
    store = ox.Store()
    blank_nodes = BlankNodeMap()
    for number, graph in enumerate(graphs):
        graph_name = ox.NamedNode(f"{work}{number}")
        store.extend(
            ox.Quad(t.subject, t.predicate, t.object, graph_name) for t in triples_to_ox(graph, blank_nodes)
        )
    triples = derive(store, list(store.named_graphs()))
    return graph_from_quads(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
