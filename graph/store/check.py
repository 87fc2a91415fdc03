"""`treatykg check`: the store opens, every quad reads back, counts match the last commit, data validates.

Reasoning and validation go through the semantics interface, on an in-memory copy of the asserted graphs:
the compiled engine by default (for scale), the reference engine (owlrl, pySHACL) on request.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import URIRef

from treatykg.core.iris import asserted_graph
from treatykg.core.terms import to_rdflib
from treatykg.graph.semantics.engines import semantics
from treatykg.graph.semantics.interface import FULL, Semantics
from treatykg.graph.semantics.reference import ReferenceSemantics
from treatykg.graph.semantics.rules import INFERRED, UnsupportedAxioms
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


def check_store(handle: OpenStore, validate: bool = True, engine: str = "compiled") -> CheckReport:
    """Check a store this process holds (the server's own, or one a command opened); `engine` names the
    semantics implementation that recomputes the closure and validates (compiled, or the reference)."""
    report = CheckReport()
    version = handle.version()
    counts: Counter = Counter()
    default = 0
    for quad in handle.store.quads_for_pattern(None, None, None, None):  # every quad read back and decoded
        to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)
        if isinstance(quad.graph_name, ox.DefaultGraph):
            default += 1
        else:
            counts[quad.graph_name.value] += 1
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
    asserted = default if asserted_graph(None) else 0
    asserted += sum(count for name, count in counts.items() if asserted_graph(URIRef(name)))
    if validate and asserted:
        reasoned = version.build.get("reasoning") != "none"
        _check_data(report, handle.store, _asserted_copy(handle.store), reasoned, semantics(engine))
    return report


def _asserted_copy(store: ox.Store) -> ox.Store:
    """An in-memory store holding the asserted graphs of `store`, where the check reasons and validates."""
    copy = ox.Store()
    graphs: list = [g for g in store.named_graphs() if asserted_graph(URIRef(str(g.value)))]
    for graph in [*graphs, ox.DefaultGraph()]:
        copy.bulk_extend(store.quads_for_pattern(None, None, None, graph))
    return copy


def _check_data(
    report: CheckReport, store: ox.Store, copy: ox.Store, reasoned: bool, engine: Semantics
) -> None:
    """The inferred graph is the OWL 2 RL closure of the asserted data, and the data conforms."""
    reasoning = None
    if reasoned:
        try:
            reasoning = engine.reason(copy, FULL)
        except UnsupportedAxioms as error:  # the compiled rules refuse rather than under-infer
            report.facts.append(f"{error}: reasoned by the reference engine (owlrl)")
            engine = ReferenceSemantics(engine.base)
            reasoning = engine.reason(copy, FULL)
        if not reasoning.consistent:
            messages = [inconsistency.message for inconsistency in reasoning.inconsistencies]
            report.problems.append("inconsistent under OWL 2 RL: " + "; ".join(messages[:MAX_SHOWN]))
        expected = _size(copy, INFERRED)
        stored = _size(store, INFERRED)
        missing = sum(
            ox.Quad(quad.subject, quad.predicate, quad.object, INFERRED) not in store
            for quad in copy.quads_for_pattern(None, None, None, INFERRED)
        )
        unsupported = stored - (expected - missing)
        if missing or unsupported:
            report.problems.append(
                f"the inferred graph is not the closure of the asserted data: {missing} "
                f"inferences missing, {unsupported} unsupported"
            )
            # The data is validated with the inferences the store serves, not the ones it should hold.
            copy.update(f"DROP SILENT GRAPH {INFERRED}")
            copy.bulk_extend(store.quads_for_pattern(None, None, None, INFERRED))
        report.facts.append(f"inferred graph: {stored} triples, the OWL 2 RL closure has {expected}")
    result = engine.validate(copy, reasoning)
    if not result.conforms:
        report.problems.append(f"does not conform: {len(result.violations)} SHACL violation(s)")
    report.facts.append(f"SHACL: {len(result.violations)} violations, {len(result.warnings)} warnings")


def _size(store: ox.Store, graph: ox.NamedNode) -> int:
    """The number of triples in one graph of `store`."""
    return sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
