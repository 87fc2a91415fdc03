"""Adding a file's triples that carry accounts: the file, the reconciled view's and the status graph's change,
reasoned and validated together, then written in one go (or nothing written).

A change that only adds is reasoned incrementally in the store itself (staged, then dropped on failure). One
that also removes derived quads (a status interval the file's acts end, say) is tried on a writable copy of
the store as the server's writes are: applied there, the inferred graph maintained by delete and rederive,
the affected nodes validated; the store then takes exactly that change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager

import pyoxigraph as ox
from rdflib.term import Node

from treatykg.core.errors import ReasoningInconsistency
from treatykg.core.iris import INFERRED_GRAPH
from treatykg.core.terms import ox_term
from treatykg.graph.derive.reconcile import reconciled_change
from treatykg.graph.derive.refresh import affected_pairs, touched_acts
from treatykg.graph.derive.status import status_change
from treatykg.graph.semantics.compiled import CompiledSemantics
from treatykg.graph.semantics.interface import Applied, Incremental, discard, raise_unless_conforms
from treatykg.graph.semantics.maintain import changes_schema
from treatykg.graph.semantics.rules import staged_inferences
from treatykg.graph.semantics.shapes import Report

INFERRED = ox.NamedNode(INFERRED_GRAPH)


Trial = Callable[[], AbstractContextManager[ox.Store]]  # a writable copy of the store, gone on leaving


def add_with_derived(
    store: ox.Store, triples: list[ox.Triple], graph: ox.NamedNode, base: str, trial: Trial
) -> Report:
    """Add `triples` to `graph` with the derived graphs' change and the inferences of both, if the result is
    consistent and conforms; else ReasoningInconsistency or ValidationFailed, and the store as it was. A
    change that removes quads is tried on `trial()` first (graph/store/checkpoint.py for an on-disk store)."""
    removed, added = reconciled_change(store, extra=triples, acts=touched_acts(store, triples))
    joining = {ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples}
    # Only the (state, treaty) pairs the file's acts and the reconciled view's change touch are derived again.
    pairs = affected_pairs(store, [], joining, removed | added)
    status_removed, status_added = status_change(store, extra=triples, reconciled=(removed, added), pairs=pairs)
    removed, added = removed | status_removed, added | status_added | joining
    removed, added = removed - added, added - removed
    semantics = CompiledSemantics(base)
    if removed:
        if changes_schema(removed | added):
            raise ValueError("the added triples change the schema; rebuild instead of reasoning the delta")
        with trial() as copy:
            report, inferred_removed, inferred_added = _applied(semantics, copy, removed, added)
        inferred_removed = [quad for quad in inferred_removed if quad in store]
        inferred_added = [quad for quad in inferred_added if quad not in store]
    else:
        report, inferred_removed, inferred_added = _additions(semantics, store, added)
    for quad in [*removed, *inferred_removed]:
        store.remove(quad)
    store.extend([*added, *inferred_added])
    return report


def _additions(
    semantics: CompiledSemantics, store: ox.Store, added: set[ox.Quad]
) -> tuple[Report, list[ox.Quad], list[ox.Quad]]:
    """Reason additions alone semi-naively from the store's inferred graph (staged, then dropped) and
    validate the nodes they reach."""
    reasoning = semantics.reason(
        store, Incremental(tuple({quad.triple for quad in added}), ox.DefaultGraph())
    )
    try:
        if not reasoning.consistent:
            raise ReasoningInconsistency(reasoning.describe())
        report = semantics.validate(store, reasoning)
        raise_unless_conforms(report)
        inferred = {ox.Quad(q.subject, q.predicate, q.object, INFERRED) for q in staged_inferences(store)}
    finally:
        discard(store)
    return report, [], sorted((quad for quad in inferred if quad not in store), key=str)


def _applied(
    semantics: CompiledSemantics, copy: ox.Store, removed: set[ox.Quad], added: set[ox.Quad]
) -> tuple[Report, list[ox.Quad], list[ox.Quad]]:
    """Apply the delta to a writable copy of the store, maintain its inferred graph (delete and rederive) and
    validate the nodes the change reaches; the inferred graph's change."""
    for quad in removed:
        copy.remove(quad)
    copy.extend(added)
    reasoning = semantics.reason(copy, Applied(frozenset(removed), frozenset(added)))
    if not reasoning.consistent:
        raise ReasoningInconsistency(reasoning.describe())
    report = semantics.validate(copy, reasoning)
    raise_unless_conforms(report)
    return report, _inferred(reasoning.inferred_removed), _inferred(reasoning.inferred_added)


def _inferred(triples: Iterable[tuple[Node, Node, Node]]) -> list[ox.Quad]:
    """Inferred rdflib triples as quads of the inferred graph."""
    return [ox.Quad(ox_term(s), ox_term(p), ox_term(o), INFERRED) for s, p, o in triples]  # type: ignore[arg-type]  # a subject is never a literal, a predicate always an IRI
