"""The compiled engine's full and incremental modes on one pyoxigraph store (graph/semantics/interface.py).

    store = pyoxigraph.Store()
    load_ontology(store); load_ntriples(store, path, graph)
    result = build_fast(store)                       # reason + consistency + validate; raises like the build
    report = add_triples(store, triples, graph)      # one article: reason the delta, validate, commit or not

Both raise the build's errors: ReasoningInconsistency, ValidationFailed (nothing committed by add_triples).
Removing triples is not incremental: inferences may rest on what was removed, so rebuild with build_fast.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import pyoxigraph as ox

from treatykg.core import resources
from treatykg.core.errors import ReasoningInconsistency
from treatykg.core.iris import BASE, ONTOLOGY_GRAPH
from treatykg.graph.semantics.compiled import CompiledSemantics, affected_nodes, asserted_graphs
from treatykg.graph.semantics.interface import FULL, add, raise_unless_conforms
from treatykg.graph.semantics.rules import Reasoning
from treatykg.graph.semantics.shapes import Report

__all__ = ["FastBuild", "add_triples", "affected_nodes", "asserted_graphs", "build_fast", "load_ntriples"]


@dataclass(frozen=True)
class FastBuild:
    """What build_fast did: the reasoning run and the validation report."""

    reasoning: Reasoning
    report: Report


def load_ontology(store: ox.Store) -> None:
    """Load the packaged ontology into its named graph."""
    store.load(
        path=str(resources.ontology_file()), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_GRAPH)
    )


def load_ntriples(store: ox.Store, path: str | os.PathLike[str], graph: ox.NamedNode) -> None:
    """Bulk-load an N-Triples file into `graph` (Oxigraph parses it; nothing passes through Python)."""
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)


def build_fast(store: ox.Store, base: str = BASE) -> FastBuild:
    """Reason over every asserted graph, check consistency, validate as the build does; raise on failure."""
    semantics = CompiledSemantics(base)
    reasoning = semantics.reason(store, FULL)
    if not reasoning.consistent:
        raise ReasoningInconsistency(reasoning.describe())
    report = semantics.validate(store, reasoning)
    raise_unless_conforms(report)
    return FastBuild(cast(Reasoning, reasoning.state), report)  # the rules' run


def add_triples(
    store: ox.Store, triples: Iterable[ox.Triple], graph: ox.NamedNode | ox.DefaultGraph, base: str = BASE
) -> Report:
    """Add `triples` to `graph` with their OWL 2 RL consequences, if the result is consistent and conforms.

    The delta is reasoned and staged in working graphs, the affected focus nodes are checked and validated
    (asserted + inferred, and asserted alone, as the build does), then everything is committed in one
    transaction, or dropped and the error raised.
    """
    return add(CompiledSemantics(base), store, list(triples), graph)
