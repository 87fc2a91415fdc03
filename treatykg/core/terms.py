"""Convert RDF terms between rdflib (parsing, reasoning, validation) and pyoxigraph (store, export)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import cast

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# A query's answer: solutions, a boolean, or triples (a remote store's CONSTRUCT reads into a list).
QueryResults = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple]
# A prepared query's parameters, bound to their values.
Substitutions = dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]


class BlankNodeMap:
    """Maps rdflib blank nodes to pyoxigraph ones, one consistent mapping per batch of graphs."""

    def __init__(self) -> None:
        self._nodes: dict[BNode, ox.BlankNode] = {}
        self._originals: dict[str, BNode] = {}

    def __call__(self, node: BNode) -> ox.BlankNode:
        """The pyoxigraph blank node for `node`, the same one every time it is asked for."""
        # Fresh labels, not rdflib's: rdflib keeps whatever label a parser met, and not every label
        # is valid N-Triples (JSON-LD's can hold any character).
        if node not in self._nodes:
            self._nodes[node] = ox.BlankNode(f"b{len(self._nodes)}")
            self._originals[self._nodes[node].value] = node
        return self._nodes[node]

    def get(self, node: BNode) -> ox.BlankNode | None:
        """The pyoxigraph blank node mapped to `node`, or None if the map has not seen it."""
        return self._nodes.get(node)

    def original(self, node: ox.BlankNode) -> BNode | None:
        """The rdflib blank node mapped to `node`, or None if the map never gave it out."""
        return self._originals.get(node.value)


def to_ox(term: Node, blank_nodes: BlankNodeMap) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib term, blank nodes through `blank_nodes`."""
    return blank_nodes(term) if isinstance(term, BNode) else ox_term(term)


def ox_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib term, blank nodes keeping their labels (for terms read from a
    store, whose labels are its own ids; parsed ones go through to_ox and a BlankNodeMap)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is None:
            return ox.Literal(str(term))
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    """The rdflib term for a pyoxigraph term; TypeError for an RDF-star triple, which rdflib lacks."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:
            return Literal(term.value)
        # normalize=False keeps the store's lexical form, so a round trip is exact.
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise TypeError(f"not an RDF 1.1 term: {term!r}")


def triples_to_ox(graph: Iterable[tuple[Node, Node, Node]], blank_nodes: BlankNodeMap) -> Iterator[ox.Triple]:
    """The triples of an rdflib graph as pyoxigraph triples."""
    for s, p, o in graph:
        subject, predicate, object_ = to_ox(s, blank_nodes), to_ox(p, blank_nodes), to_ox(o, blank_nodes)
        yield ox.Triple(subject, predicate, object_)  # type: ignore[arg-type]  # rdflib: no literal subject


def graph_from_quads(quads: Iterable[ox.Quad], graph: Graph | None = None) -> Graph:
    """An rdflib graph holding the triples of `quads` (their graph names dropped)."""
    graph = Graph() if graph is None else graph
    for quad in quads:
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


def solutions(results: QueryResults) -> ox.QuerySolutions:
    """A SELECT query's answer as its solutions (pyoxigraph types every answer as any of the kinds)."""
    return cast(ox.QuerySolutions, results)


def serialized(data: bytes | None) -> bytes:
    """The bytes a pyoxigraph serialize() returns when given no output (its signature says bytes | None)."""
    return cast(bytes, data)
