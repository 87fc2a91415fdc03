"""Reason and validate a write's delta through the semantics interface, on a checkpoint or the snapshot.

On a checkpoint (a writable copy of the store made for the write alone): the delta is applied there, the
derived graphs' change is computed there and applied too (graph/derive/refresh.py), and the compiled engine's
Applied mode keeps the inferred graph exact by delete and rederive and validates the focus nodes the change
can affect, with and without the inferences, as the build does. A delta that touches the schema, or an
ontology with axioms the compiled rules lack, goes to the region mode instead (graph/semantics/region.py),
which reasons over the whole store or with owlrl; so does a write with no checkpoint (a remote store's).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from treatykg.core.iris import BASE, INFERRED_GRAPH
from treatykg.graph.derive.refresh import derived_change
from treatykg.graph.semantics import region, rules
from treatykg.graph.semantics.compiled import CompiledSemantics
from treatykg.graph.semantics.fastshapes import shape_plan
from treatykg.graph.semantics.interface import Applied, Quad, Region, Triple
from treatykg.graph.semantics.maintain import changes_schema
from treatykg.graph.semantics.region import TooLarge
from treatykg.graph.semantics.shapes import Report
from treatykg.server.writes.delta import Delta
from treatykg.server.writes.overlay import ox_graph, ox_term, rdflib_quad

__all__ = ["INFERRED_GRAPH", "Checked", "TooLarge", "check", "check_checkpoint", "check_write", "prepare"]

# The closures the region mode takes: the compiled rules', and owlrl's beyond them.
_closure = region.closure
_owlrl_closure = region.owlrl_closure


@dataclass
class Checked:
    """What reasoning and validation of a delta found."""

    inferred_removed: set[Triple] = field(default_factory=set)
    inferred_added: set[Triple] = field(default_factory=set)
    report: Report | None = None
    inconsistencies: list[str] = field(default_factory=list)
    path: str = "region"
    focus: int = 0
    derived_removed: set[Quad] = field(default_factory=set)
    derived_added: set[Quad] = field(default_factory=set)

    @property
    def accepted(self) -> bool:
        """No Violation and no inconsistency: the write may commit."""
        return not self.inconsistencies and (self.report is None or self.report.conforms)


def prepare(base: str = BASE) -> None:
    """Compile what every check needs (the shapes plan, the rule files) once, before workers are forked."""
    shape_plan(base)
    rules.rules()


def check(store: ox.Store, delta: Delta, base: str, region_limit: int = 50_000) -> Checked:
    """Reason and validate `delta` against `store` (read only)."""
    semantics = CompiledSemantics(base)
    reasoning = semantics.reason(
        store, Region(frozenset(delta.removed), frozenset(delta.added), region_limit)
    )
    checked = Checked(
        reasoning.inferred_removed,
        reasoning.inferred_added,
        inconsistencies=[inconsistency.message for inconsistency in reasoning.inconsistencies],
        path=reasoning.path,
    )
    if reasoning.consistent and reasoning.path != "none":
        checked.report = semantics.validate(store, reasoning)
        checked.focus = reasoning.focus
    return checked


def _ox(quad: Quad) -> ox.Quad:
    """An rdflib quad of a delta as the store's."""
    s, p, o, g = quad
    return ox.Quad(ox_term(s), ox_term(p), ox_term(o), ox_graph(g))  # type: ignore[arg-type]  # a quad of the store: its terms are of the right kinds


def check_checkpoint(
    snapshot: ox.Store, checkpoint: ox.Store, delta: Delta, base: str, region_limit: int
) -> Checked:
    """check_write() of a delta of rdflib quads; the derived graphs' change as rdflib quads too."""
    removed, added = {_ox(q) for q in delta.removed}, {_ox(q) for q in delta.added}
    checked, derived_removed, derived_added = check_write(
        snapshot, checkpoint, removed, added, base, region_limit
    )
    checked.derived_removed = {rdflib_quad(q) for q in derived_removed}
    checked.derived_added = {rdflib_quad(q) for q in derived_added}
    return checked


def check_write(
    snapshot: ox.Store,
    checkpoint: ox.Store,
    removed: set[ox.Quad],
    added: set[ox.Quad],
    base: str,
    region_limit: int = 50_000,
) -> tuple[Checked, set[ox.Quad], set[ox.Quad]]:
    """Apply a write (`removed`, `added`) and the derived graphs' change to `checkpoint`, then reason and
    validate there (the region mode on `snapshot`, read only, for a schema change or axioms beyond the
    compiled rules); the check and the derived graphs' quads removed and added."""
    for quad in removed:
        checkpoint.remove(quad)
    checkpoint.extend(added)
    derived_removed, derived_added = derived_change(checkpoint, removed, added)
    for quad in derived_removed:
        checkpoint.remove(quad)
    checkpoint.extend(derived_added)
    removed, added = removed | derived_removed, added | derived_added
    if changes_schema(removed | added) or rules.unsupported_axioms(checkpoint):
        whole = Delta(removed={rdflib_quad(q) for q in removed}, added={rdflib_quad(q) for q in added})
        return check(snapshot, whole, base, region_limit), derived_removed, derived_added
    semantics = CompiledSemantics(base)
    reasoning = semantics.reason(checkpoint, Applied(frozenset(removed), frozenset(added)))
    checked = Checked(
        reasoning.inferred_removed,
        reasoning.inferred_added,
        inconsistencies=[inconsistency.message for inconsistency in reasoning.inconsistencies],
        path=reasoning.path,
    )
    if reasoning.consistent:
        checked.report = semantics.validate(checkpoint, reasoning)
        checked.focus = reasoning.focus
    return checked, derived_removed, derived_added
