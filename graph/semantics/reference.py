"""The reference engine: owlrl (reason.py) and pySHACL (shapes.py), the definition of a correct result.

Every mode computes everything: the OWL 2 RL closure of all asserted triples (before and after a change)
and SHACL over the whole data, with and without the inferences. It reads the store into rdflib graphs and
writes its inferences back in the store's own terms, so its answers compare with the compiled engine's
term for term; it is meant for small stores (the article, tests, `treatykg check --engine reference`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from treatykg.core.iris import BASE, ONTOLOGY_GRAPH, WORK_PREFIX, asserted_graph
from treatykg.core.terms import BlankNodeMap, ox_term, to_rdflib
from treatykg.graph.semantics.interface import (
    FULL,
    Applied,
    Full,
    Inconsistency,
    Incremental,
    Mode,
    Reasoning,
)
from treatykg.graph.semantics.maintain import reasoned
from treatykg.graph.semantics.reason import closure, error_messages, filter_inferred, inconsistencies
from treatykg.graph.semantics.rules import ADDED, INFERRED, drop_work
from treatykg.graph.semantics.shapes import Report, ValidationResult, validate

Triple = tuple[Node, Node, Node]
STAGED = ox.NamedNode(WORK_PREFIX + "round-1")  # where an Incremental reasoning stages its inferences
ERRORS = "http://www.daml.org/2002/03/agents/"  # owlrl's error-message nodes: no inference


def union(graphs: Iterable[Graph]) -> Graph:
    """One graph holding every triple of `graphs`."""
    merged = Graph()
    for graph in graphs:
        for triple in graph:
            merged.add(triple)
    return merged


def validate_graphs(ontology: Graph, asserted: Graph, inferred: Graph, base: str = BASE) -> Report:
    """SHACL over ontology + asserted + inferred, and over ontology + asserted alone; the union of results."""
    # With the inferred graph, nodes typed only by inference (a domain, a subclass) become shape targets.
    # Without it, sh:class must find the type the data states: inferred rdfs:range types would satisfy
    # every sh:class check on their own (the shapes file's reading). Each catches what the other can't.
    entailed = validate(union((asserted, inferred)), base, ontology=ontology)
    stated = validate(asserted, base, ontology=ontology)
    results = tuple(sorted(set(entailed.results) | set(stated.results), key=ValidationResult.key))
    return Report(conforms=entailed.conforms and stated.conforms, results=results)


@dataclass(frozen=True)
class _Closed:
    """A Region reasoning's data after the delta, for its validation."""

    ontology: Graph
    asserted: Graph
    inferred: Graph


class ReferenceSemantics:
    """owlrl and pySHACL over a store's graphs.

    `origin` names the file that asserts a triple, for inconsistency messages; `blank_nodes` is the map
    the store's blank nodes were made with from parsed rdflib graphs, so results name the parsed nodes.
    """

    name = "reference"

    def __init__(
        self,
        base: str = BASE,
        origin: Callable[[Triple], str | None] | None = None,
        blank_nodes: BlankNodeMap | None = None,
    ) -> None:
        self.base = base
        self.origin = origin or (lambda _triple: None)
        self.blank_nodes = blank_nodes or BlankNodeMap()

    def reason(self, store: ox.Store, mode: Mode = FULL) -> Reasoning:
        """Reason in `mode` (see treatykg.graph.semantics.interface)."""
        if isinstance(mode, Full):
            asserted = self._graph(store, asserted_graph)
            expanded = closure(asserted)
            store.update(f"DROP SILENT GRAPH {INFERRED}")
            inferred = self._inferred(expanded, asserted)
            self._write(store, inferred, INFERRED)
            return Reasoning(mode, self._problems(expanded, asserted), inferred=len(inferred))
        if isinstance(mode, Incremental):
            drop_work(store)
            before = self._graph(store, asserted_graph)
            store.extend(ox.Quad(t.subject, t.predicate, t.object, ADDED) for t in mode.triples)
            after = self._graph(store, lambda key: asserted_graph(key) or str(key) == ADDED.value)
            expanded = closure(after)
            current = self._graph(store, lambda key: str(key) == INFERRED.value)
            staged = self._inferred(expanded, after) - set(current)
            self._write(store, staged, STAGED)
            problems = self._problems(expanded, after, before)
            return Reasoning(mode, problems, inferred=len(staged))
        if isinstance(mode, Applied):
            return self._reason_applied(store, mode)
        removed = {q for q in mode.removed if asserted_graph(q[3])}
        added = {q for q in mode.added if asserted_graph(q[3])}
        if not removed | added:
            return Reasoning(mode, path="none")
        before, after, ontology = Graph(), Graph(), Graph()
        for quad in store:
            key = None if isinstance(quad.graph_name, ox.DefaultGraph) else URIRef(quad.graph_name.value)
            if asserted_graph(key):
                triple = self._triple(quad)
                before.add(triple)
                if (*triple, key) not in removed:
                    after.add(triple)
                    if key is not None and str(key) == ONTOLOGY_GRAPH:
                        ontology.add(triple)
        for s, p, o, key in added:
            after.add((s, p, o))
            if key is not None and str(key) == ONTOLOGY_GRAPH:
                ontology.add((s, p, o))
        expanded = closure(after)
        inferred = self._inferred(expanded, after)
        stored = set(self._graph(store, lambda key: str(key) == INFERRED.value))
        closed = Graph()
        for triple in inferred:
            closed.add(triple)
        return Reasoning(
            mode,
            self._problems(expanded, after, before),
            inferred_removed=stored - inferred,
            inferred_added=inferred - stored,
            path="full",
            state=_Closed(ontology, after, closed),
        )

    def _reason_applied(self, store: ox.Store, mode: Applied) -> Reasoning:
        """The closure of the asserted graphs after the delta replaces the inferred graph; its change."""
        after = self._graph(store, asserted_graph)
        before = Graph()
        for triple in after:
            before.add(triple)
        for quads, change in ((mode.added, before.remove), (mode.removed, before.add)):
            for quad in quads:
                if reasoned(quad.graph_name):
                    change(self._triple(quad))
        expanded = closure(after)
        inferred = self._inferred(expanded, after)
        stored = set(self.graph(store, INFERRED.value))
        store.update(f"DROP SILENT GRAPH {INFERRED}")
        self._write(store, inferred, INFERRED)
        return Reasoning(
            mode,
            self._problems(expanded, after, before),
            inferred=len(inferred),
            inferred_removed=stored - inferred,
            inferred_added=inferred - stored,
            path="full",
        )

    def validate(self, store: ox.Store, reasoning: Reasoning | None) -> Report:
        """SHACL over all the data, with and without the inferences."""
        if reasoning is not None:
            reasoning.focus = -1
        if reasoning is not None and isinstance(reasoning.state, _Closed):
            closed = reasoning.state
            return validate_graphs(closed.ontology, closed.asserted, closed.inferred, self.base)
        if reasoning is not None and reasoning.path == "none":
            return Report(True, ())
        staged = reasoning is not None and isinstance(reasoning.mode, Incremental)
        asserted = self._graph(store, lambda key: asserted_graph(key) or (staged and str(key) == ADDED.value))
        inferred = (
            Graph()
            if reasoning is None
            else self._graph(store, lambda key: str(key) in (INFERRED.value, STAGED.value))
        )
        ontology = self._graph(store, lambda key: str(key) == ONTOLOGY_GRAPH)
        return validate_graphs(ontology, asserted, inferred, self.base)

    def graph(self, store: ox.Store, name: str) -> Graph:
        """One named graph of the store in rdflib terms, blank nodes as the parsed graphs named them."""
        return self._graph(store, lambda key: str(key) == name)

    def _graph(self, store: ox.Store, wanted: Callable[[URIRef | None], bool]) -> Graph:
        """The triples of the store's graphs that `wanted` picks (by name; None is the default graph)."""
        graph = Graph()
        names: list = [name for name in store.named_graphs() if wanted(URIRef(str(name.value)))]
        if wanted(None):
            names.append(ox.DefaultGraph())
        for name in names:
            for quad in store.quads_for_pattern(None, None, None, name):
                graph.add(self._triple(quad))
        return graph

    def _triple(self, quad: ox.Quad) -> Triple:
        """A quad's triple in rdflib terms, blank nodes as the parsed graphs named them."""
        return self._term(quad.subject), self._term(quad.predicate), self._term(quad.object)

    def _term(self, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
        if isinstance(term, ox.BlankNode):
            return self.blank_nodes.original(term) or to_rdflib(term)
        return to_rdflib(term)

    def _write(self, store: ox.Store, triples: Iterable[Triple], graph: ox.NamedNode) -> None:
        """Write rdflib triples into `graph`, blank nodes back to the store's own."""
        convert = self._ox
        store.extend(ox.Quad(convert(s), convert(p), convert(o), graph) for s, p, o in triples)  # type: ignore[arg-type]  # inferences have no literal subject

    def _ox(self, term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        """The store's term for an rdflib term: a parsed blank node through the map, else its own label."""
        if isinstance(term, BNode):
            return self.blank_nodes.get(term) or ox.BlankNode(str(term))
        return ox_term(term)

    def _inferred(self, expanded: Graph, asserted: Graph) -> set[Triple]:
        """The closure's informative inferences, owlrl's error-message nodes left out."""
        errors = {s for s, p, _ in expanded if str(p).startswith(ERRORS)}
        return {t for t in filter_inferred(expanded, asserted) if t[0] not in errors}

    def _problems(
        self, expanded: Graph, asserted: Graph, before: Graph | None = None
    ) -> tuple[Inconsistency, ...]:
        """The closure's inconsistencies (those `before` lacks, if given), each with the triples behind it."""
        messages = error_messages(expanded)
        if not messages:
            return ()
        details = inconsistencies(expanded, asserted, self.origin)
        known = set(error_messages(closure(before))) if before is not None else set()
        return tuple(
            Inconsistency(message, detail)
            for message, detail in zip(messages, details, strict=True)
            if message not in known
        )
