"""The compiled engine's region mode: a write's delta reasoned and validated against the store around it.

The closures are the compiled rules' (rules.py: OWL 2 RL as SPARQL; fastshapes.py: SHACL compiled to
SPARQL; both proven equal to owlrl with the is_informative filter and to pySHACL), run in a small in-memory
store, so the result is what a rebuild would give:

- region: when the delta leaves the schema alone. The region is every node within k hops of the delta's
  nodes (over asserted and inferred edges, rdf:type objects excluded). The OWL 2 RL closure of schema + the
  region's asserted triples is taken before and after the delta; the difference is the inferred-graph change
  (so deletions retract exactly the inferences that lose their support in the region). If a changed
  inference reaches the region's outer ring, k grows, since the change may propagate further.
- full: when the delta touches the schema (the ontology graph, or RDFS/OWL axioms anywhere), or the region
  grows past its limit in triples: the closure of all asserted data, as the build computes it.

Validation: the focus nodes are the nodes of the asserted and inferred changes and their in-neighbours; the
shapes are checked on them over their triples, their values' triples along the predicates the shapes read
past a focus node, and the types one step further, with and without the inferences (as the build does).
The writes' provenance graph and the reasoner's working graphs are neither reasoned nor validated.

An ontology that uses an OWL construct the rules lack (rules.UnsupportedAxioms) is reasoned by owlrl, the
reference, instead: the compiled rules refuse rather than under-infer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import owlrl
import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, BNode, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from treatykg.core.iris import GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, asserted_graph
from treatykg.core.terms import ox_term, to_rdflib
from treatykg.graph.semantics import rules
from treatykg.graph.semantics.fastshapes import shape_plan, validate_build, validate_focus
from treatykg.graph.semantics.reason import error_messages, is_informative
from treatykg.graph.semantics.shapes import Report, ValidationResult

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, URIRef | None]  # an rdflib quad; None is the default graph

_SCHEMA_NAMESPACES = (str(RDFS), str(OWL))
_INSTANCE_PREDICATES = frozenset({OWL.sameAs, OWL.differentFrom})
_LIST_PREDICATES = frozenset({RDF.first, RDF.rest})
# The RDFS and OWL terms (with the list predicates), looked up in the store's indexes to find schema triples:
# a scan of every asserted triple would cost a minute per write at a million triples. A made-up term in those
# namespaces (owl:foo) is no axiom any reasoner reads, so leaving it out changes no inference.
_VOCABULARY = [
    URIRef(str(namespace) + name) for namespace in (RDFS, OWL) for name in namespace.__annotations__
]
_SCHEMA_PATTERNS = [
    *((None, term, None) for term in _VOCABULARY if term not in _INSTANCE_PREDICATES and term != RDFS.label),
    *((None, predicate, None) for predicate in _LIST_PREDICATES),
    *((None, RDF.type, term) for term in _VOCABULARY if term != OWL.NamedIndividual),
]


class TooLarge(Exception):
    """The delta's consequences can't be checked within the configured bounds."""


@dataclass
class Checked:
    """What reasoning a delta found, and what its validation reads (the view, the schema, the delta)."""

    inferred_removed: set[Triple] = field(default_factory=set)
    inferred_added: set[Triple] = field(default_factory=set)
    inconsistencies: list[str] = field(default_factory=list)
    path: str = "region"
    view: _View | None = None
    tbox: Graph = field(default_factory=Graph)
    delta_triples: set[Triple] = field(default_factory=set)


def rdflib_quad(quad: ox.Quad) -> Quad:
    """A pyoxigraph quad as an rdflib quad with a graph key."""
    graph = None if isinstance(quad.graph_name, ox.DefaultGraph) else URIRef(quad.graph_name.value)
    return to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object), graph


def is_schema(triple: Triple) -> bool:
    """Whether a triple is (part of) an RDFS/OWL axiom rather than a statement about individuals."""
    _, p, o = triple
    if p in _LIST_PREDICATES:
        return True
    if p == RDF.type:
        return isinstance(o, URIRef) and str(o).startswith(_SCHEMA_NAMESPACES) and o != OWL.NamedIndividual
    return str(p).startswith(_SCHEMA_NAMESPACES) and p not in _INSTANCE_PREDICATES and p != RDFS.label


class _View:
    """The store's asserted triples before and after the delta, and its inferred graph before."""

    def __init__(self, store: ox.Store, removed: Iterable[Quad], added: Iterable[Quad]) -> None:
        self.store = store
        self.removed = {q for q in removed if asserted_graph(q[3])}
        self.added = {q for q in added if asserted_graph(q[3])}
        self.added_by_subject: dict[Node, set] = {}
        self.added_by_object: dict[Node, set] = {}
        for s, p, o, g in self.added:
            self.added_by_subject.setdefault(s, set()).add((s, p, o, g))
            self.added_by_object.setdefault(o, set()).add((s, p, o, g))

    def _quads(self, s=None, p=None, o=None) -> Iterator:
        pattern = [None if t is None else ox_term(t) for t in (s, p, o)]
        for quad in self.store.quads_for_pattern(*pattern, None):  # type: ignore[arg-type, call-arg]  # three terms of a pattern, then the graph
            yield rdflib_quad(quad)

    def around(self, node: Node, after: bool) -> tuple[set[Triple], set[Triple], set[Triple]]:
        """Asserted triples with `node` as subject, as object, and inferred triples touching it."""
        before, now = self.around_both(node)
        return now if after else before

    def around_both(self, node: Node) -> tuple[tuple, tuple]:
        """around() before and after the delta, from one lookup."""
        before: tuple[set[Triple], set[Triple]] = (set(), set())
        after: tuple[set[Triple], set[Triple]] = (set(), set())
        inferred: set[Triple] = set()
        for s, p, o, g in [*self._quads(s=node), *self._quads(o=node)]:
            if g is not None and str(g) == INFERRED_GRAPH:
                inferred.add((s, p, o))
            elif asserted_graph(g):
                side = 0 if s == node else 1
                before[side].add((s, p, o))
                if (s, p, o, g) not in self.removed:
                    after[side].add((s, p, o))
        after[0].update(q[:3] for q in self.added_by_subject.get(node, ()))
        after[1].update(q[:3] for q in self.added_by_object.get(node, ()))
        return (*before, inferred), (*after, inferred)

    def outgoing(self, node: Node, predicates: frozenset | None = None) -> tuple[set[Triple], set[Triple]]:
        """The asserted triples about `node` after the delta and the inferred ones as stored (only those of
        `predicates`, if given): validation reads a node's values, never who points at a hub."""
        asserted, inferred = set(), set()
        quads = (
            self._quads(s=node)
            if predicates is None
            else (quad for predicate in predicates for quad in self._quads(s=node, p=predicate))
        )
        for s, p, o, g in quads:
            if g is not None and str(g) == INFERRED_GRAPH:
                inferred.add((s, p, o))
            elif asserted_graph(g) and (s, p, o, g) not in self.removed:
                asserted.add((s, p, o))
        added = self.added_by_subject.get(node, ())
        asserted.update(q[:3] for q in added if predicates is None or q[1] in predicates)
        return asserted, inferred

    def incoming(self, node: Node, predicates: frozenset) -> tuple[set[Triple], set[Triple]]:
        """The asserted triples of `predicates` pointing at `node` after the delta, and the inferred ones as
        stored: what an inverse path reads (index lookups, so a hub's other in-edges stay unread)."""
        asserted, inferred = set(), set()
        for predicate in predicates:
            for s, p, o, g in self._quads(p=predicate, o=node):
                if g is not None and str(g) == INFERRED_GRAPH:
                    inferred.add((s, p, o))
                elif asserted_graph(g) and (s, p, o, g) not in self.removed:
                    asserted.add((s, p, o))
        added = self.added_by_object.get(node, ())
        asserted.update(q[:3] for q in added if q[1] in predicates)
        return asserted, inferred

    def asserted(self, after: bool) -> Iterator[Triple]:
        """Every asserted triple (each once), before or after the delta."""
        seen = set()
        for quad in self.store.quads_for_pattern(None, None, None, None):
            s, p, o, g = rdflib_quad(quad)
            if asserted_graph(g) and not (after and (s, p, o, g) in self.removed) and (s, p, o) not in seen:
                seen.add((s, p, o))
                yield s, p, o
        if after:
            for s, p, o, _ in self.added:
                if (s, p, o) not in seen:
                    seen.add((s, p, o))
                    yield s, p, o

    def inferred(self) -> set[Triple]:
        """The inferred graph as it is."""
        graph = ox.NamedNode(INFERRED_GRAPH)
        return {rdflib_quad(q)[:3] for q in self.store.quads_for_pattern(None, None, None, graph)}

    def schema(self, after: bool) -> Graph:
        """The TBox: the ontology graph and every schema triple elsewhere (found through the indexes)."""
        tbox = Graph()
        ontology = ox.NamedNode(ONTOLOGY_GRAPH)
        for quad in self.store.quads_for_pattern(None, None, None, ontology):
            tbox.add(rdflib_quad(quad)[:3])
        for pattern in _SCHEMA_PATTERNS:
            terms = [None if t is None else ox_term(t) for t in pattern]
            for quad in self.store.quads_for_pattern(*terms, None):  # type: ignore[arg-type, call-arg]  # three terms of a pattern, then the graph
                s, p, o, g = rdflib_quad(quad)
                if (
                    asserted_graph(g)
                    and not (after and (s, p, o, g) in self.removed)
                    and is_schema((s, p, o))
                ):
                    tbox.add((s, p, o))
        if after:
            for s, p, o, _ in self.added:
                if is_schema((s, p, o)):
                    tbox.add((s, p, o))
        return tbox


def _nodes(triples: Iterable[Triple], schema_terms: set) -> set[Node]:
    """The individuals a set of triples is about (no literals, no classes or properties)."""
    found: set[Node] = set()
    for s, p, o in triples:
        for term in (s,) if p == RDF.type else (s, o):
            if isinstance(term, URIRef | BNode) and term not in schema_terms:
                found.add(term)
    return found


ONTOLOGY, ASSERTED, ENTAILED = (
    ox.NamedNode(name) for name in (ONTOLOGY_GRAPH, GRAPH + "asserted", INFERRED_GRAPH)
)


def _scratch(tbox: Graph, asserted: Iterable[Triple], inferred: Iterable[Triple] = ()) -> ox.Store:
    """An in-memory store holding the schema, the asserted triples and inferred ones, in their graphs
    (blank nodes keep the store's labels, so results name the store's own nodes)."""
    store = ox.Store()
    for graph, triples in ((ONTOLOGY, tbox), (ASSERTED, asserted), (ENTAILED, inferred)):
        store.extend(ox.Quad(*(ox_term(term) for term in triple), graph) for triple in triples)  # type: ignore[arg-type, call-arg]  # a triple's terms are of the right kinds
    return store


def closure(tbox: Graph, triples: Iterable[Triple]) -> tuple[set[Triple], list[str]]:
    """The informative OWL 2 RL inferences of schema + triples, and the inconsistencies found."""
    triples = list(triples)
    store = _scratch(tbox, triples)
    try:
        rules.reason(store)
    except rules.UnsupportedAxioms:
        return owlrl_closure(tbox, triples)
    inferred: set[Triple] = {
        (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
        for quad in store.quads_for_pattern(None, None, None, ENTAILED)
    }
    return inferred, rules.inconsistencies(store)


def owlrl_closure(tbox: Graph, triples: Iterable[Triple]) -> tuple[set[Triple], list[str]]:
    """_closure by owlrl, the reference, for ontologies beyond the fast rules."""
    graph = Graph()
    for triple in tbox:
        graph.add(triple)
    for triple in triples:
        graph.add(triple)
    asserted = set(graph)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(
        graph
    )
    errors = error_messages(graph)
    inferred = {t for t in graph if t not in asserted and is_informative(t) and not _is_error(graph, t)}
    return inferred, errors


def _is_error(graph: Graph, triple: Triple) -> bool:
    """owlrl's own error-message nodes, which are no inference."""
    return isinstance(triple[0], BNode) and str(triple[1]).startswith("http://www.daml.org/2002/03/agents/")


class _Region:
    """Nodes within k hops of the delta, with their distances."""

    def __init__(self, view: _View, seeds: set[Node], schema_terms: set) -> None:
        self.view, self.schema_terms = view, schema_terms
        self.distance = dict.fromkeys(seeds, 0)
        self.ring, self.k = set(seeds), 0
        self.triples: dict[Node, tuple] = {}
        self.size = 0  # asserted triples loaded so far, against the limit

    def grow(self, k: int, limit: int) -> None:
        """Extend the region to k hops; TooLarge past `limit` asserted triples."""
        while self.k < k:
            self.k += 1
            following: set[Node] = set()
            for node in self.ring:
                for triple in self._load(node, limit):
                    s, p, o = triple
                    if p == RDF.type:
                        continue
                    for other in (s, o):
                        if (
                            isinstance(other, URIRef | BNode)
                            and other not in self.distance
                            and other not in self.schema_terms
                        ):
                            self.distance[other] = self.k
                            following.add(other)
            self.ring = following
        for node in self.ring:
            self._load(node, limit)

    def _load(self, node: Node, limit: int) -> set[Triple]:
        """The triples around a node, fetched once; every edge it has, for the breadth-first search."""
        if node not in self.triples:
            self.triples[node] = self.view.around_both(node)
            self.size += len(self.triples[node][0][0])
            if self.size > limit:
                raise TooLarge(f"the write's region grew past {limit} triples")
        (out, incoming, inferred), (out2, incoming2, _) = self.triples[node]
        return out | incoming | inferred | out2 | incoming2

    def asserted(self, after: bool) -> set[Triple]:
        """The asserted triples whose subject is in the region."""
        return {t for before, now in self.triples.values() for t in (now if after else before)[0]}


def _restricted(view: _View, delta_triples: set[Triple], tbox: Graph, limit: int) -> Checked:
    """The region path (see the module docstring)."""
    schema_terms = set(tbox.subjects()) | {o for o in tbox.objects() if isinstance(o, URIRef)}
    region = _Region(view, _nodes(delta_triples, schema_terms), schema_terms)
    k = 2
    while True:
        region.grow(k, limit)
        before, errors_before = closure(tbox, region.asserted(False))
        after, errors_after = closure(tbox, region.asserted(True))
        inside = {node for node, d in region.distance.items() if d <= k}
        removed = {t for t in before - after if t[0] in inside}
        added = {t for t in after - before if t[0] in inside}
        reach = max((region.distance.get(n, k + 1) for n in _nodes(removed | added, schema_terms)), default=0)
        if reach < k - 1:
            new_errors = sorted(set(errors_after) - set(errors_before))
            return Checked(removed, added, inconsistencies=new_errors, path=f"region (k={k})")
        k += 1


def _full(view: _View) -> Checked:
    """The full path: the closure of every asserted triple, compared with the inferred graph."""
    inferred, errors = closure(Graph(), view.asserted(True))
    current = view.inferred()
    return Checked(current - inferred, inferred - current, inconsistencies=errors, path="full")


def _focus(view: _View, triples: set[Triple], schema_terms: set) -> set[Node]:
    """The nodes to validate: those the changes are about, and the nodes pointing at them."""
    focus = _nodes(triples, schema_terms)
    for node in list(focus):
        _, incoming, inferred = view.around(node, True)
        focus |= {s for s, p, o in incoming | inferred if o == node and p != RDF.type}
    return {n for n in focus if n not in schema_terms}


def _validate(
    view: _View, checked: Checked, delta_triples: set[Triple], tbox: Graph, base: str
) -> tuple[Report, int]:
    """SHACL on the focus nodes over their neighbourhood, with and without the inferences (as the build)."""
    schema_terms = set(tbox.subjects())
    focus = _focus(view, delta_triples | checked.inferred_added | checked.inferred_removed, schema_terms)
    if not focus:
        return Report(True, ()), 0
    asserted, entailed = Graph(), Graph()
    frontier, seen = set(focus), set(focus)
    # The shapes read at most one step past a focus node, through the plan's value predicates (a value's
    # type, a sequence path's second step, a nested shape's path), then the type of what that reaches: so
    # the focus nodes' triples, their values' value-predicate triples, and the types one step further.
    # Anything more would load hubs: a state has an inferred triple for every event it takes part in.
    plan = shape_plan(base)
    value_predicates = frozenset(URIRef(iri.strip("<>")) for iri in plan.value_predicates)
    hops = (None, value_predicates, frozenset({RDF.type}))
    added_by_subject: dict[Node, set[Triple]] = {}
    for triple in checked.inferred_added:
        added_by_subject.setdefault(triple[0], set()).add(triple)
    for predicates in hops:
        following: set[Node] = set()
        for node in frontier:
            out, inferred = view.outgoing(node, predicates)
            inferred -= checked.inferred_removed
            inferred |= {
                t for t in added_by_subject.get(node, ()) if predicates is None or t[1] in predicates
            }
            for triple in out:
                asserted.add(triple)
                entailed.add(triple)
            for triple in inferred:
                entailed.add(triple)
            following |= {o for _, _, o in out | inferred if isinstance(o, URIRef | BNode)} - seen
        seen |= following
        frontier = following
    # An inverse path reads the triples pointing at a focus node along its predicates.
    inverse = frozenset(
        URIRef(iri) for check in plan.checks for iri in re.findall(r"\^<([^>\s]*)>", check.path or "")
    )
    for node in focus if inverse else ():
        into, inferred = view.incoming(node, inverse)
        inferred -= checked.inferred_removed
        inferred |= {t for t in checked.inferred_added if t[2] == node and t[1] in inverse}
        for triple in into:
            asserted.add(triple)
        for triple in into | inferred:
            entailed.add(triple)
    store = _scratch(tbox, asserted, set(entailed) - set(asserted))
    nodes = [ox_term(node) for node in sorted(focus, key=str)]
    stated = validate_focus(store, nodes, [ONTOLOGY, ASSERTED], plan)
    full = validate_focus(store, nodes, [ONTOLOGY, ASSERTED, ENTAILED], plan)
    results = tuple(
        sorted({r for r in (*stated.results, *full.results) if r.focus in focus}, key=ValidationResult.key)
    )
    return Report(conforms=all(r.severity != SH.Violation for r in results), results=results), len(focus)


def reason(store: ox.Store, removed: Iterable[Quad], added: Iterable[Quad], limit: int = 50_000) -> Checked:
    """Reason the delta against `store` (read only): the inferred graph's change and new inconsistencies."""
    view = _View(store, removed, added)
    delta_quads = view.removed | view.added
    delta_triples = {q[:3] for q in delta_quads}
    touches_schema = any(
        (g is not None and str(g) == ONTOLOGY_GRAPH) or is_schema((s, p, o)) for s, p, o, g in delta_quads
    )
    if not delta_quads:
        return Checked(path="none")
    tbox = view.schema(True)
    if touches_schema:
        checked = _full(view)
    else:
        try:
            checked = _restricted(view, delta_triples, tbox, limit)
        except TooLarge:
            checked = _full(view)
    checked.view, checked.tbox, checked.delta_triples = view, tbox, delta_triples
    return checked


def validate(store: ox.Store, checked: Checked, base: str) -> tuple[Report, int]:
    """SHACL after a reasoned delta: the report, and how many focus nodes it covers (-1: every node)."""
    view = checked.view
    if view is None:  # an empty delta
        return Report(True, ()), 0
    if checked.path == "full":
        inferred = (view.inferred() - checked.inferred_removed) | checked.inferred_added
        scratch = _scratch(Graph(), view.asserted(True), inferred)  # the asserted triples include the schema
        return validate_build(scratch, [ASSERTED], ENTAILED, shape_plan(base)), -1
    return _validate(view, checked, checked.delta_triples, checked.tbox, base)
