"""A read-through, write-recording rdflib store over a pyoxigraph store: updates run on it become a delta.

Reads see the base store with the recorded changes applied; writes only change the record. The base is
never written, so whatever the evaluation does, nothing commits until the caller applies the delta.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.store import Store
from rdflib.term import Node

from treatykg.core.terms import ox_term, to_rdflib

DEFAULT = None  # the graph key of the store's real default graph
Quad = tuple[Node, Node, Node, URIRef | None]


def ox_graph(key: URIRef | None) -> ox.NamedNode | ox.DefaultGraph:
    """The pyoxigraph graph name of a graph key."""
    return ox.DefaultGraph() if key is None else ox.NamedNode(str(key))


_SCRATCH = ox.Store()  # an in-memory store in which a literal takes the form Oxigraph keeps it in
_PROBE = ox.NamedNode("urn:x-treatykg:canonical")
_SCRATCH_LOCK = threading.Lock()


def canonical(term: Node) -> Node:
    """The term as the store keeps it: a literal in Oxigraph's canonical form, datatype included
    ("04"^^xsd:positiveInteger is kept as "4"^^xsd:integer), so a delta names the quads the store holds."""
    if not isinstance(term, Literal):
        return term
    with _SCRATCH_LOCK:
        _SCRATCH.add(ox.Quad(_PROBE, _PROBE, ox_term(term)))
        kept = next(iter(_SCRATCH)).object
        _SCRATCH.clear()
    return to_rdflib(kept)


def rdflib_quad(quad: ox.Quad) -> Quad:
    """A pyoxigraph quad as an rdflib quad with a graph key."""
    graph = None if isinstance(quad.graph_name, ox.DefaultGraph) else URIRef(quad.graph_name.value)
    return to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object), graph


class Overlay(Store):
    """An rdflib Store reading `base` through the changes recorded so far; `views` are read-only unions."""

    context_aware = True
    graph_aware = True
    formula_aware = False
    transaction_aware = False

    def __init__(self, base: ox.Store) -> None:
        super().__init__()
        self.base = base
        self.added: dict[URIRef | None, set[tuple]] = {}
        self.removed: set[Quad] = set()
        self.created: set[URIRef] = set()  # named graphs made to exist (CREATE, or a first quad)
        self.dropped: set[URIRef] = set()  # named graphs of the base that no longer exist
        self.views: dict[URIRef, list[URIRef | None]] = {}  # USING merges: a name -> the graphs merged
        self.visible: set[URIRef] | None = None  # USING NAMED: the named graphs GRAPH ?g may range over
        self.__namespaces: dict[str, URIRef] = {}

    # -- the record ------------------------------------------------------------------------------------

    def in_base(self, quad: Quad) -> bool:
        """Whether the base store holds the quad."""
        s, p, o, g = quad
        try:
            return ox.Quad(ox_term(s), ox_term(p), ox_term(o), ox_graph(g)) in self.base  # type: ignore[arg-type]  # a wrong kind raises TypeError: not in base
        except (TypeError, ValueError):
            return False

    def has(self, quad: Quad) -> bool:
        """Whether the quad is in the store as changed so far."""
        s, p, o, g = quad
        if (s, p, o) in self.added.get(g, ()):
            return True
        return quad not in self.removed and self.in_base(quad)

    def insert(self, quad: Quad) -> None:
        """Record one quad as added (its graph then exists), its literal as the store would keep it."""
        s, p, o, g = quad
        o = canonical(o)
        quad = (s, p, o, g)
        if g is not None and not self.graph_exists(g):
            self.created.add(g)
            self.dropped.discard(g)
        if quad in self.removed:
            self.removed.discard(quad)
        elif not self.in_base(quad):
            self.added.setdefault(g, set()).add((s, p, o))

    def delete(self, quad: Quad) -> None:
        """Record one quad as removed (its literal as the store keeps it)."""
        s, p, o, g = quad
        o = canonical(o)
        quad = (s, p, o, g)
        if (s, p, o) in self.added.get(g, ()):
            self.added[g].discard((s, p, o))
        elif self.in_base(quad):
            self.removed.add(quad)

    def quads(self, s=None, p=None, o=None, g: URIRef | None = DEFAULT) -> Iterator[Quad]:
        """The quads of one graph matching a pattern, as changed so far."""
        if g is not None and g in self.dropped:
            return
        pattern = [None if term is None else ox_term(term) for term in (s, p, o)]
        for quad in self.base.quads_for_pattern(*pattern, ox_graph(g)):  # type: ignore[arg-type, call-arg]  # three terms of a pattern, then the graph
            found = rdflib_quad(quad)
            if found not in self.removed:
                yield found
        for triple in list(self.added.get(g, ())):
            if all(want is None or want == have for want, have in zip((s, p, o), triple, strict=True)):
                yield (*triple, g)

    def graph_exists(self, g: URIRef) -> bool:
        """Whether a named graph exists (Oxigraph records empty named graphs too)."""
        if g in self.created:
            return True
        return g not in self.dropped and self.base.contains_named_graph(ox.NamedNode(str(g)))

    def named_graphs(self) -> list[URIRef]:
        """Every named graph that exists now."""
        names = {URIRef(n.value) for n in self.base.named_graphs() if isinstance(n, ox.NamedNode)}
        return sorted((names - self.dropped) | self.created)

    def drop_graph(self, g: URIRef) -> None:
        """Remove a named graph and its quads."""
        for quad in list(self.quads(g=g)):
            self.delete(quad)
        self.created.discard(g)
        if self.base.contains_named_graph(ox.NamedNode(str(g))):
            self.dropped.add(g)

    def create_graph(self, g: URIRef) -> None:
        """Make an empty named graph exist."""
        self.dropped.discard(g)
        if not self.base.contains_named_graph(ox.NamedNode(str(g))):
            self.created.add(g)

    # -- rdflib Store API (what the SPARQL engine reads through) ----------------------------------------

    def _keys(self, context: Graph | None) -> list[URIRef | None]:
        """The graph keys an rdflib context stands for."""
        if context is None:
            return [DEFAULT, *self.named_graphs()]
        identifier = context.identifier
        if identifier == DATASET_DEFAULT_GRAPH_ID:
            return [DEFAULT]
        if isinstance(identifier, URIRef) and identifier in self.views:
            return self.views[identifier]
        return [identifier] if isinstance(identifier, URIRef) else []

    def triples(self, triple_pattern, context=None) -> Iterator:
        """Matching triples of the context (a union view yields each triple once)."""
        s, p, o = triple_pattern
        keys, seen = self._keys(context), set()
        for key in keys:
            for qs, qp, qo, _ in self.quads(s, p, o, key):
                if len(keys) > 1:
                    if (qs, qp, qo) in seen:
                        continue
                    seen.add((qs, qp, qo))
                yield (qs, qp, qo), iter([context])

    def __len__(self, context=None) -> int:
        return sum(1 for _ in self.triples((None, None, None), context))

    def contexts(self, triple=None) -> Generator[Graph, None, None]:
        """The named graphs GRAPH ?g ranges over (only USING NAMED ones when those are given)."""
        for name in self.named_graphs():
            if self.visible is None or name in self.visible:
                yield Graph(store=self, identifier=name)

    def add(self, triple, context, quoted=False) -> None:
        raise TypeError("the overlay is written through its delta methods only")

    def remove(self, triple, context=None) -> None:
        raise TypeError("the overlay is written through its delta methods only")

    def add_graph(self, graph) -> None:
        """Nothing: rdflib announces graphs it merely looks at; CREATE goes through create_graph."""

    def remove_graph(self, graph) -> None:
        raise TypeError("the overlay is written through its delta methods only")

    def bind(self, prefix, namespace, override=True) -> None:
        self.__namespaces[prefix] = namespace

    def namespace(self, prefix):
        return self.__namespaces.get(prefix)

    def prefix(self, namespace):
        return next((p for p, n in self.__namespaces.items() if n == namespace), None)

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        return iter(self.__namespaces.items())
