"""Reason and validate a write's delta through the semantics interface: the compiled engine's region mode.

The region mode (graph/semantics/region.py) reasons the delta over the nodes around it, or over the whole
store when the delta touches the schema or its region grows too large, and validates the focus nodes the
change can affect, with and without the inferences, as the build does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from treatykg.core.iris import BASE, INFERRED_GRAPH
from treatykg.graph.semantics import region, rules
from treatykg.graph.semantics.compiled import CompiledSemantics
from treatykg.graph.semantics.fastshapes import shape_plan
from treatykg.graph.semantics.interface import Region, Triple
from treatykg.graph.semantics.region import TooLarge
from treatykg.graph.semantics.shapes import Report
from treatykg.server.writes.delta import Delta

__all__ = ["INFERRED_GRAPH", "Checked", "TooLarge", "check", "prepare"]

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
