"""The compiled engine: OWL 2 RL rules (rules.py) and SHACL Core (fastshapes.py) as SPARQL inside Oxigraph.

FULL reasons every asserted graph to a fixpoint and validates every focus node; Incremental reasons the
added triples alone (semi-naive, from the store's inferred graph) and validates the focus nodes they can
affect; Region (region.py) reasons and validates the neighbourhood of a write; Applied maintains the
inferred graph of a writable checkpoint under a write by delete and rederive (maintain.py) and validates the
focus nodes the write and its inferences can affect. An ontology with an OWL
construct no rule implements: FULL and Incremental raise rules.UnsupportedAxioms (refuse, never
under-infer), Region reasons with owlrl instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import pyoxigraph as ox

from treatykg.core.iris import BASE
from treatykg.core.terms import to_rdflib
from treatykg.graph.semantics import region
from treatykg.graph.semantics.fastshapes import shape_plan, validate_build, validate_focus, validate_store
from treatykg.graph.semantics.interface import (
    FULL,
    Applied,
    Full,
    Inconsistency,
    Incremental,
    Mode,
    Reasoning,
    Triple,
)
from treatykg.graph.semantics.maintain import maintain, reasoned
from treatykg.graph.semantics.rules import (
    ADDED,
    INFERRED,
    WORK,
    drop_work,
    inconsistencies,
    reason,
    reason_delta,
    staged_inferences,
)
from treatykg.graph.semantics.shapes import Report, ValidationResult


def asserted_graphs(store: ox.Store) -> list:
    """Every graph but the inferred and working graphs (and the real default graph, if it holds data)."""
    graphs: list = [
        g
        for g in store.named_graphs()
        if g != INFERRED and not (isinstance(g, ox.NamedNode) and g.value.startswith(WORK))
    ]
    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        graphs.append(ox.DefaultGraph())
    return graphs


def affected_nodes(
    store: ox.Store,
    changed: Iterable[ox.Triple],
    value_predicates: frozenset[str],
    backwards: frozenset[str] = frozenset(),
) -> set:
    """The focus nodes whose validation results a change can alter: the subjects and objects of the changed
    triples, and the nodes pointing at the subject of a changed triple whose predicate some check reads one
    step past its focus node (`value_predicates`: a value's rdf:type, a sequence path's second step, a nested
    shape's path). A path may start backwards (`backwards`: the predicates under sh:inversePath, such as an
    act's accounts, ^tkg:accountOf): what those nodes reach forwards by such a predicate is affected too."""
    nodes: set[ox.NamedNode | ox.BlankNode | ox.Triple] = set()
    pointed_at: set[ox.NamedNode | ox.BlankNode | ox.Triple] = set()
    for triple in changed:
        nodes.update(term for term in (triple.subject, triple.object) if not isinstance(term, ox.Literal))
        if str(triple.predicate) in value_predicates:
            pointed_at.add(triple.subject)
    for subject in pointed_at:
        nodes.update(quad.subject for quad in store.quads_for_pattern(None, None, subject))
    for predicate in backwards:
        for node in list(nodes):
            nodes.update(
                quad.object
                for quad in store.quads_for_pattern(node, ox.NamedNode(predicate), None)
                if not isinstance(quad.object, ox.Literal)
            )
    return nodes


@dataclass(frozen=True)
class _Affected:
    """What an Incremental reasoning hands its validation: the focus nodes the delta can affect."""

    nodes: frozenset


class CompiledSemantics:
    """The compiled engine for one IRI base (the shapes' instance-IRI patterns)."""

    name = "compiled"

    def __init__(self, base: str = BASE) -> None:
        self.base = base

    def _backwards(self) -> frozenset[str]:
        """The predicates the shapes follow backwards, as IRI strings."""
        return frozenset(str(predicate) for predicate in region.inverse_predicates(self.base))

    def reason(self, store: ox.Store, mode: Mode = FULL) -> Reasoning:
        """Reason in `mode` (see the module docstring)."""
        if isinstance(mode, Full):
            stats = reason(store)
            return Reasoning(mode, _lines(inconsistencies(store)), inferred=stats.inferred, state=stats)
        if isinstance(mode, Incremental):
            return self._reason_incremental(store, mode)
        if isinstance(mode, Applied):
            return self._reason_applied(store, mode)
        checked = region.reason(store, mode.removed, mode.added, mode.limit)
        return Reasoning(
            mode,
            _lines(checked.inconsistencies),
            inferred_removed=checked.inferred_removed,
            inferred_added=checked.inferred_added,
            path=checked.path,
            state=checked,
        )

    def _reason_incremental(self, store: ox.Store, mode: Incremental) -> Reasoning:
        """Stage the added triples and their inferences; check consistency at the nodes they touch."""
        stats = reason_delta(store, mode.triples)  # ValueError, nothing staged, if the schema would change
        try:
            changed = [*mode.triples, *(quad.triple for quad in staged_inferences(store))]
            nodes = affected_nodes(store, changed, shape_plan(self.base).value_predicates, self._backwards())
            problems = inconsistencies(store, [node for node in nodes if isinstance(node, ox.NamedNode)])
        except BaseException:
            drop_work(store)
            raise
        return Reasoning(mode, _lines(problems), inferred=stats.inferred, state=_Affected(frozenset(nodes)))

    def _reason_applied(self, store: ox.Store, mode: Applied) -> Reasoning:
        """Maintain the inferred graph under the applied delta; check consistency at the nodes it touches."""
        if not mode.removed and not mode.added:
            return Reasoning(mode, path="none", state=_Affected(frozenset()))
        for graph in list(store.named_graphs()):
            if graph != INFERRED and not reasoned(graph) and not str(graph.value).startswith(WORK):
                store.remove_graph(graph)  # the writes' provenance: no premise of any rule
        maintained = maintain(store, mode.removed, mode.added)
        # A triple another asserted graph still holds, or held already (an entity's type and label written
        # again in the entities graph), changes no result: checking it would refocus every node that points
        # at a well-connected entity.
        changed = [*maintained.stated, *maintained.removed, *maintained.added]
        nodes = affected_nodes(store, changed, shape_plan(self.base).value_predicates, self._backwards())
        problems = inconsistencies(store, [node for node in nodes if isinstance(node, ox.NamedNode)])
        return Reasoning(
            mode,
            _lines(problems),
            inferred_removed=_rdflib(maintained.removed),
            inferred_added=_rdflib(maintained.added),
            path=f"incremental (DRed, {maintained.rounds} rounds)",
            state=_Affected(frozenset(nodes)),
        )

    def validate(self, store: ox.Store, reasoning: Reasoning | None) -> Report:
        """SHACL after `reasoning`, with and without the inferences, as the build validates."""
        plan = shape_plan(self.base)
        if reasoning is None:
            return validate_store(store, asserted_graphs(store), plan)
        if isinstance(reasoning.mode, Full):
            reasoning.focus = -1
            return validate_build(store, asserted_graphs(store), INFERRED, plan)
        if isinstance(reasoning.mode, Incremental | Applied):
            nodes = cast(_Affected, reasoning.state).nodes  # set by reason()
            reasoning.focus = len(nodes)
            if not nodes:
                return Report(True, ())
            stated = [g for g in asserted_graphs(store) if g != INFERRED]
            if isinstance(reasoning.mode, Incremental):
                stated.append(ADDED)
            entailed = validate_focus(store, nodes, None, plan)
            report = validate_focus(store, nodes, stated, plan)
            return Report(
                entailed.conforms and report.conforms,
                tuple(sorted(set(entailed.results) | set(report.results), key=ValidationResult.key)),
            )
        checked = cast(region.Checked, reasoning.state)  # set by reason()
        report, reasoning.focus = region.validate(store, checked, self.base)
        return report


def _rdflib(triples: Iterable[ox.Triple]) -> set[Triple]:
    """pyoxigraph triples as rdflib ones (the interface's inferred changes)."""
    return {(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in triples}


def _lines(problems: Iterable[str]) -> tuple[Inconsistency, ...]:
    """The rules' inconsistency lines, which name the rule and the nodes: message and detail alike."""
    return tuple(Inconsistency(line, line) for line in problems)
