"""One interface to reasoning (OWL 2 RL) and validation (SHACL), whichever engine runs them.

    semantics = engines.semantics("compiled", base)        # or "reference": owlrl + pySHACL, the oracle
    reasoning = semantics.reason(store, FULL)              # the inferred graph of every asserted graph
    report = semantics.validate(store, reasoning)          # with and without the inferences, as the build

The data is a pyoxigraph store: asserted graphs, the inferred graph, the working graphs of core.iris. Modes:

    FULL          every asserted graph; the store's inferred graph is replaced
    Incremental   triples added to a reasoned store: the triples and their inferences are staged in working
                  graphs (rules.ADDED and the round graphs) until commit() or discard(); only additions
    Region        a delta (removals and additions) checked against the store around it; the store is only
                  read, the inferred graph's change is returned
    Applied       a delta (removals and additions) already applied to the asserted graphs of a writable,
                  throwaway store (a checkpoint of the served one): the inferred graph is brought up to date
                  in place (the compiled engine by delete and rederive) and its change returned; graphs
                  reasoning does not cover (the writes' provenance) may be dropped from that store

Both engines answer every mode. The compiled engine looks only at what a change can reach (the affected
focus nodes, the region around a write); the reference computes everything and is the definition of a
correct answer, which the equality tests hold the compiled modes to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Node

from treatykg.core.errors import ReasoningInconsistency, ValidationFailed
from treatykg.graph.semantics.rules import commit_delta, discard_delta
from treatykg.graph.semantics.shapes import Report

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, URIRef | None]  # an rdflib quad; None is the default graph


@dataclass(frozen=True)
class Full:
    """Every asserted graph of the store; the inferred graph is recomputed in the store."""


FULL = Full()


@dataclass(frozen=True)
class Incremental:
    """`triples` added to `graph` of a reasoned store, staged with their inferences until committed."""

    triples: tuple[ox.Triple, ...]
    graph: ox.NamedNode | ox.DefaultGraph


@dataclass(frozen=True)
class Region:
    """A delta of rdflib quads checked against the store around it (read only); `limit` bounds the region
    in asserted triples, past which the compiled engine takes the whole store."""

    removed: frozenset[Quad]
    added: frozenset[Quad]
    limit: int = 50_000


@dataclass(frozen=True)
class Applied:
    """A delta of pyoxigraph quads already applied to a writable store whose inferred graph is still the one
    before it; the delta must leave the schema alone (a schema change is reasoned in full)."""

    removed: frozenset[ox.Quad]
    added: frozenset[ox.Quad]


Mode = Full | Incremental | Region | Applied


@dataclass(frozen=True)
class Inconsistency:
    """One OWL 2 RL inconsistency: the reasoner's message, and the line a build prints for it."""

    message: str
    detail: str


@dataclass
class Reasoning:
    """What reason() found, and what validate() needs from it.

    FULL and Incremental write or stage the inferences in the store (`inferred` counts them); Region and
    Applied return the inferred graph's change (`inferred_removed`, `inferred_added`). `path` says how a
    Region or an Applied delta was reasoned ("region (k=…)", "full", "none"); `focus` is set by
    validate(): the number of focus nodes it looked at, -1 for every node. `state` is the engine's own,
    between its reason and its validate.
    """

    mode: Mode
    inconsistencies: tuple[Inconsistency, ...] = ()
    inferred: int = 0
    inferred_removed: set[Triple] = field(default_factory=set)
    inferred_added: set[Triple] = field(default_factory=set)
    path: str = ""
    focus: int = 0
    state: object = None

    @property
    def consistent(self) -> bool:
        """No inconsistency."""
        return not self.inconsistencies

    def describe(self) -> str:
        """The build's message for an inconsistent store."""
        return "inconsistent under OWL 2 RL:\n" + "\n".join(f"  {i.detail}" for i in self.inconsistencies)


class Semantics(Protocol):
    """Reasoning and validation over a store's graphs, in the modes above; the IRI base is the engine's."""

    name: str
    base: str

    def reason(self, store: ox.Store, mode: Mode) -> Reasoning:
        """Reason in `mode`: FULL replaces the inferred graph, Incremental stages, Region only reads."""
        ...

    def validate(self, store: ox.Store, reasoning: Reasoning | None) -> Report:
        """SHACL after `reasoning` (None: the asserted graphs alone, an unreasoned build)."""
        ...


def commit(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> None:
    """Commit an Incremental reasoning's staged triples to `graph`, their inferences to the inferred graph."""
    commit_delta(store, graph)


def discard(store: ox.Store) -> None:
    """Drop an Incremental reasoning's staged triples and inferences."""
    discard_delta(store)


def add(
    semantics: Semantics, store: ox.Store, triples: list[ox.Triple], graph: ox.NamedNode | ox.DefaultGraph
) -> Report:
    """Add `triples` to `graph` with their consequences if the result is consistent and conforms, in one
    transaction; else ReasoningInconsistency or ValidationFailed, and the store as it was."""
    reasoning = semantics.reason(store, Incremental(tuple(triples), graph))
    try:
        if not reasoning.consistent:
            raise ReasoningInconsistency(reasoning.describe())
        report = semantics.validate(store, reasoning)
        raise_unless_conforms(report)
    except BaseException:
        discard(store)
        raise
    commit(store, graph)
    return report


def raise_unless_conforms(report: Report) -> None:
    """ValidationFailed listing the violations, unless the report conforms."""
    if not report.conforms:
        lines = [f"  {line}" for line in report.describe().splitlines() if line.startswith("Violation")]
        raise ValidationFailed(
            f"does not conform: {len(report.violations)} SHACL violation(s)\n" + "\n".join(lines)
        )
