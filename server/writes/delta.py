"""A write request as a concrete delta: the quads it removes and adds, computed before anything commits.

A SPARQL Update is parsed by rdflib and each operation is carried out here, in lexical order, on an Overlay
of the store (SPARQL 1.1 Update §3): WHERE clauses are evaluated by rdflib's query engine over the overlay,
so each operation sees the ones before it. The templates, DATA blocks and graph management (CLEAR, DROP,
CREATE, ADD, MOVE, COPY; WITH, USING, USING NAMED; SILENT) follow the spec and Oxigraph's reading of it
(missing graphs: an error unless SILENT; USING names graphs of the store only, never fetched).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.evaluate import evalPart
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import QueryContext
from rdflib.term import Node

from treatykg.server.writes.overlay import DEFAULT, Overlay, Quad, canonical, rdflib_quad

USING_VIEW = URIRef("urn:x-treatykg:using-default")


class UpdateFailed(ValueError):
    """The update is well-formed but fails (e.g. CREATE of an existing graph without SILENT).

    Nothing changes.
    """


class UpdateSyntax(ValueError):
    """The update does not parse."""


@dataclass
class Delta:
    """What a write changes: quads removed and added, named graphs created (empty) and dropped."""

    removed: set[Quad] = field(default_factory=set)
    added: set[Quad] = field(default_factory=set)
    created: set[URIRef] = field(default_factory=set)
    dropped: set[URIRef] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.removed or self.added or self.created or self.dropped)


def result(overlay: Overlay) -> Delta:
    """The net change an overlay recorded."""
    added = {(*triple, g) for g, triples in overlay.added.items() for triple in triples}
    return Delta(set(overlay.removed), added, set(overlay.created), set(overlay.dropped))


def _fresh() -> BNode:
    """A new blank node, unlike any in the store (its label becomes the store's id)."""
    return BNode("w" + uuid.uuid4().hex)


def _term(value, solution, bnodes: dict) -> Node | None:
    """A template term instantiated by a solution: None if a variable is unbound."""
    if isinstance(value, Variable):
        return solution.get(value)
    if isinstance(value, BNode):
        return bnodes.setdefault(value, _fresh())
    return canonical(value) if isinstance(value, Literal) else value


def _instantiate(triples, graph, solution, bnodes: dict) -> list[Quad]:
    """The quads a template yields for one solution; those with an unbound or misplaced term are skipped."""
    quads: list[Quad] = []
    g: URIRef | None = DEFAULT
    if graph is not DEFAULT:
        named = _term(graph, solution, bnodes)
        if not isinstance(named, URIRef):
            return quads
        g = named
    for s, p, o in triples:
        s, p, o = (_term(t, solution, bnodes) for t in (s, p, o))
        if s is None or p is None or o is None or isinstance(s, Literal) or not isinstance(p, URIRef):
            continue
        quads.append((s, p, o, g))
    return quads


def _template(clause, default_graph, solution, bnodes: dict) -> list[Quad]:
    """Every quad of a DELETE or INSERT clause (default-graph triples go to `default_graph`)."""
    quads = _instantiate(clause.triples or [], default_graph, solution, bnodes)
    for graph, triples in (clause.quads or {}).items():
        quads += _instantiate(triples, graph, solution, bnodes)
    return quads


class _Evaluator:
    """Carries out one update request on an overlay."""

    def __init__(self, overlay: Overlay) -> None:
        self.overlay = overlay
        self.dataset = Dataset(store=overlay, default_union=False)

    def graph(self, key: URIRef | None) -> Graph:
        """The rdflib graph object for a graph key."""
        return Graph(store=self.overlay, identifier=DATASET_DEFAULT_GRAPH_ID if key is None else key)

    def solutions(self, op: CompValue, pattern, default_key, using=None) -> list:
        """The solutions of a WHERE pattern over the operation's dataset."""
        overlay = self.overlay
        overlay.views.clear()
        overlay.visible = None
        default = self.graph(default_key)
        if using:
            # SPARQL 1.1 Update §3.1.3.2: USING replaces the dataset; its graphs come from the store only.
            overlay.views[USING_VIEW] = [d.default for d in using if d.default]
            overlay.visible = {d.named for d in using if d.named}
            default = Graph(store=overlay, identifier=USING_VIEW)
        context = QueryContext(self.dataset, initBindings={})
        context.prologue = op.prologue
        context = context.pushGraph(default)
        try:
            return list(evalPart(context, pattern))
        finally:
            overlay.views.clear()
            overlay.visible = None

    def run(self, op: CompValue) -> None:
        """Carry out one operation."""
        handler = getattr(self, "op_" + op.name, None)
        if handler is None:
            raise UpdateFailed(f"{op.name} is not supported by this endpoint")
        try:
            handler(op)
        except UpdateFailed:
            if not op.silent:
                raise

    def op_InsertData(self, op) -> None:
        bnodes: dict = {}
        for quad in _template(op, DEFAULT, {}, bnodes):
            self.overlay.insert(quad)

    def op_DeleteData(self, op) -> None:
        for quad in _template(op, DEFAULT, {}, {}):
            self.overlay.delete(quad)

    def op_DeleteWhere(self, op) -> None:
        pattern = CompValue("BGP", triples=list(op.triples or []))
        for graph, triples in (op.quads or {}).items():
            part = CompValue("Graph", term=graph, p=CompValue("BGP", triples=list(triples)))
            pattern = CompValue("Join", p1=pattern, p2=part)
        quads = {q for s in self.solutions(op, pattern, DEFAULT) for q in _template(op, DEFAULT, s, {})}
        for quad in quads:
            self.overlay.delete(quad)

    def op_Modify(self, op) -> None:
        target = op.withClause if op.withClause is not None else DEFAULT
        solutions = self.solutions(op, op.where, target, op.using)
        # §3.1.3: every deletion of every solution, then every insertion; blank nodes fresh per solution.
        removed = {q for s in solutions for q in _template(op.delete, target, s, {})} if op.delete else set()
        added = [q for s in solutions for q in _template(op.insert, target, s, {})] if op.insert else []
        for quad in removed:
            self.overlay.delete(quad)
        for quad in added:
            self.overlay.insert(quad)

    def _graphs(self, which) -> list[URIRef | None]:
        """The graphs a CLEAR or DROP names; UpdateFailed for a named graph that does not exist."""
        if which == "DEFAULT":
            return [DEFAULT]
        if which == "NAMED":
            return [*self.overlay.named_graphs()]
        if which == "ALL":
            return [DEFAULT, *self.overlay.named_graphs()]
        if not self.overlay.graph_exists(which):
            raise UpdateFailed(f"the graph <{which}> does not exist")
        return [which]

    def clear(self, key: URIRef | None) -> None:
        for quad in list(self.overlay.quads(g=key)):
            self.overlay.delete(quad)

    def op_Clear(self, op) -> None:
        for key in self._graphs(op.graphiri):
            self.clear(key)

    def op_Drop(self, op) -> None:
        for key in self._graphs(op.graphiri):
            if key is DEFAULT:
                self.clear(key)
            else:
                self.overlay.drop_graph(key)

    def op_Create(self, op) -> None:
        if self.overlay.graph_exists(op.graphiri):
            raise UpdateFailed(f"the graph <{op.graphiri}> already exists")
        self.overlay.create_graph(op.graphiri)

    def _add(self, source, destination) -> None:
        """Oxigraph's ADD: the source's quads into the destination (a missing source is empty)."""
        for s, p, o, _ in list(self.overlay.quads(g=source)):
            self.overlay.insert((s, p, o, destination))

    def _drop_silent(self, key) -> None:
        if key is DEFAULT:
            self.clear(key)
        elif self.overlay.graph_exists(key):
            self.overlay.drop_graph(key)

    def op_Add(self, op) -> None:
        source, destination = (DEFAULT if g == "DEFAULT" else g for g in op.graph)
        if source != destination:
            self._add(source, destination)

    def op_Copy(self, op) -> None:
        # Oxigraph's reading of §3.2.3: DROP SILENT the destination, then ADD.
        source, destination = (DEFAULT if g == "DEFAULT" else g for g in op.graph)
        if source != destination:
            self._drop_silent(destination)
            self._add(source, destination)

    def op_Move(self, op) -> None:
        # §3.2.4 as Oxigraph reads it: DROP SILENT the destination, ADD, then DROP the source.
        source, destination = (DEFAULT if g == "DEFAULT" else g for g in op.graph)
        if source != destination:
            self._drop_silent(destination)
            self._add(source, destination)
            self._drop_silent(source)


def _refuse_remote(node) -> None:
    """Refuse SERVICE and LOAD anywhere in the algebra (the lexical guard's second line)."""
    if isinstance(node, CompValue):
        if node.name in ("ServiceGraphPattern", "Load"):
            raise UpdateFailed("SERVICE and LOAD are not allowed: this endpoint never fetches anything")
        for value in node.values():
            _refuse_remote(value)
    elif isinstance(node, list | tuple):
        for value in node:
            _refuse_remote(value)


def parse_update(text: str, base_iri: str | None = None):
    """rdflib's algebra of an update request; UpdateSyntax if it does not parse."""
    try:
        return translateUpdate(parseUpdate(text), base=base_iri)
    except Exception as error:  # rdflib raises pyparsing and plain Exceptions for bad input
        raise UpdateSyntax(str(error).splitlines()[0] if str(error) else type(error).__name__) from None


def update_delta(store: ox.Store, text: str, base_iri: str | None = None) -> Delta:
    """The delta a SPARQL Update request makes to `store` (which is only read)."""
    update = parse_update(text, base_iri)
    for op in update.algebra:
        _refuse_remote(op)
    overlay = Overlay(store)
    evaluator = _Evaluator(overlay)
    for op in update.algebra:
        evaluator.run(op)
    return result(overlay)


def graph_store_delta(
    store: ox.Store, method: str, target: str | None, quads: list[ox.Quad]
) -> tuple[Delta, bool]:
    """The delta of a Graph Store Protocol PUT, POST or DELETE, and whether the target graph existed."""
    overlay = Overlay(store)
    key = None if target in (None, "default") else URIRef(target)
    existed = key is None or overlay.graph_exists(key)
    if method in ("PUT", "DELETE") and target is not None:
        if key is None:
            for old in list(overlay.quads(g=None)):
                overlay.delete(old)
        elif existed:
            overlay.drop_graph(key)
    bnodes: dict = {}
    for quad in quads:
        s, p, o, g = rdflib_quad(quad)
        s, o = (bnodes.setdefault(t, _fresh()) if isinstance(t, BNode) else t for t in (s, o))
        overlay.insert((s, p, o, g if target is None else key))
    if method != "DELETE" and key is not None:
        overlay.create_graph(key) if not overlay.graph_exists(key) else None
    return result(overlay), existed
