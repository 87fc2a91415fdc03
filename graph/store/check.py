"""`treatykg check`: the store opens, every quad reads back, counts match the last commit, data validates."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Graph, URIRef

from treatykg.core.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, asserted_graph
from treatykg.core.terms import to_rdflib
from treatykg.graph.store.embedded import OpenStore

MAX_SHOWN = 20


@dataclass
class CheckReport:
    """What a check found: problems (each a line) and what it looked at."""

    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict:
        return {"ok": self.ok, "problems": self.problems, "facts": self.facts}


def check_store(handle: OpenStore, validate: bool = True) -> CheckReport:
    """Check a store this process holds (the server's own, or one a command opened)."""
    report = CheckReport()
    version = handle.version()
    counts: Counter = Counter()
    default = 0
    asserted, inferred, ontology = Graph(), Graph(), Graph()
    for quad in handle.store.quads_for_pattern(None, None, None, None):  # every quad read back and decoded
        triple = (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
        if isinstance(quad.graph_name, ox.DefaultGraph):
            default += 1
            key = None
        else:
            counts[quad.graph_name.value] += 1
            key = URIRef(quad.graph_name.value)  # compared as text, as a blank node name would be
        if key is not None and str(key) == INFERRED_GRAPH:
            inferred.add(triple)
        elif asserted_graph(key):
            asserted.add(triple)
            if key is not None and str(key) == ONTOLOGY_GRAPH:
                ontology.add(triple)
    report.facts.append(f"store version {version.version}: {sum(counts.values()) + default} quads read back")
    recorded = dict(version.graph_quads)
    if version.version and (dict(counts) != recorded or default != version.default_graph_quads):
        differing = sorted(
            f"{g}: {counts.get(g, 0)} in the store, {recorded.get(g, 0)} recorded"
            for g in set(counts) | set(recorded)
            if counts.get(g, 0) != recorded.get(g, 0)
        )
        if default != version.default_graph_quads:
            differing.append(f"default graph: {default} in the store, {version.default_graph_quads} recorded")
        report.problems.append(
            "quad counts differ from the last commit's record: " + "; ".join(differing[:MAX_SHOWN])
        )
    if validate and len(asserted):
        _check_data(report, ontology, asserted, inferred, version.build.get("reasoning") != "none")
    return report


def _check_data(
    report: CheckReport, ontology: Graph, asserted: Graph, inferred: Graph, reasoned: bool
) -> None:
    """The inferred graph is the OWL 2 RL closure of the asserted data, and the data conforms."""
    from treatykg.graph.build.reference import validate_graphs
    from treatykg.graph.semantics.reason import closure, error_messages, filter_inferred

    if reasoned:
        expanded = closure(asserted)
        errors = error_messages(expanded)
        if errors:
            report.problems.append("inconsistent under OWL 2 RL: " + "; ".join(errors[:MAX_SHOWN]))
        expected = set(filter_inferred(expanded, asserted)) - {t for t in expanded if _is_error(t)}
        stored = set(inferred)
        if expected != stored:
            report.problems.append(
                f"the inferred graph is not the closure of the asserted data: {len(expected - stored)} "
                f"inferences missing, {len(stored - expected)} unsupported"
            )
        report.facts.append(
            f"inferred graph: {len(stored)} triples, the OWL 2 RL closure has {len(expected)}"
        )
    result = validate_graphs(ontology, asserted, inferred)
    if not result.conforms:
        report.problems.append(f"does not conform: {len(result.violations)} SHACL violation(s)")
    report.facts.append(f"SHACL: {len(result.violations)} violations, {len(result.warnings)} warnings")


def _is_error(triple) -> bool:
    """owlrl's error-message nodes (agents namespace), which are no inference."""
    return str(triple[1]).startswith("http://www.daml.org/2002/03/agents/")
