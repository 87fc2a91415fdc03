"""The fast build path inside one pyoxigraph store, and the incremental path for a small write.

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

import pyoxigraph as ox

from treatykg.core import resources
from treatykg.core.errors import ReasoningInconsistency, ValidationFailed
from treatykg.core.iris import BASE, ONTOLOGY_GRAPH
from treatykg.graph.semantics.fastshapes import shape_plan, validate_build, validate_focus
from treatykg.graph.semantics.rules import (
    ADDED,
    INFERRED,
    WORK,
    Reasoning,
    commit_delta,
    discard_delta,
    inconsistencies,
    reason,
    reason_delta,
    staged_inferences,
)
from treatykg.graph.semantics.shapes import Report


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


def build_fast(store: ox.Store, base: str = BASE) -> FastBuild:
    """Reason over every asserted graph, check consistency, validate as the build does; raise on failure."""
    reasoning = reason(store)
    problems = inconsistencies(store)
    if problems:
        raise ReasoningInconsistency(
            "inconsistent under OWL 2 RL:\n" + "\n".join(f"  {line}" for line in problems)
        )
    report = validate_build(store, asserted_graphs(store), INFERRED, shape_plan(base))
    _raise_unless_conforms(report)
    return FastBuild(reasoning, report)


def affected_nodes(store: ox.Store, changed: Iterable[ox.Triple], value_predicates: frozenset[str]) -> set:
    """The focus nodes whose validation results a change can alter: the subjects and objects of the changed
    triples, and the nodes pointing at the subject of a changed triple whose predicate some check reads one
    step past its focus node (`value_predicates`: a value's rdf:type, a sequence path's second step, a nested
    shape's path). The project's shapes look at most one step past the focus node."""
    nodes: set[ox.NamedNode | ox.BlankNode | ox.Triple] = set()
    pointed_at: set[ox.NamedNode | ox.BlankNode | ox.Triple] = set()
    for triple in changed:
        nodes.update(term for term in (triple.subject, triple.object) if not isinstance(term, ox.Literal))
        if str(triple.predicate) in value_predicates:
            pointed_at.add(triple.subject)
    for subject in pointed_at:
        nodes.update(quad.subject for quad in store.quads_for_pattern(None, None, subject))
    return nodes


def add_triples(
    store: ox.Store, triples: Iterable[ox.Triple], graph: ox.NamedNode | ox.DefaultGraph, base: str = BASE
) -> Report:
    """Add `triples` to `graph` with their OWL 2 RL consequences, if the result is consistent and conforms.

    The delta is reasoned and staged in working graphs, the affected focus nodes are checked and validated
    (asserted + inferred, and asserted alone, as the build does), then everything is committed in one
    transaction, or dropped and the error raised.
    """
    added = list(triples)
    reason_delta(store, added)
    try:
        plan = shape_plan(base)
        changed = [*added, *(quad.triple for quad in staged_inferences(store))]
        nodes = affected_nodes(store, changed, plan.value_predicates)
        problems = inconsistencies(store, [node for node in nodes if isinstance(node, ox.NamedNode)])
        if problems:
            raise ReasoningInconsistency(
                "inconsistent under OWL 2 RL:\n" + "\n".join(f"  {p}" for p in problems)
            )
        stated = [g for g in asserted_graphs(store) if g != INFERRED] + [ADDED]
        entailed = validate_focus(store, nodes, None, plan)
        report = validate_focus(store, nodes, stated, plan)
        report = Report(
            entailed.conforms and report.conforms,
            tuple(sorted(set(entailed.results) | set(report.results), key=lambda r: r.key())),
        )
        _raise_unless_conforms(report)
    except BaseException:
        discard_delta(store)
        raise
    commit_delta(store, graph)
    return report


def _raise_unless_conforms(report: Report) -> None:
    if not report.conforms:
        lines = [f"  {line}" for line in report.describe().splitlines() if line.startswith("Violation")]
        raise ValidationFailed(
            f"does not conform: {len(report.violations)} SHACL violation(s)\n" + "\n".join(lines)
        )
