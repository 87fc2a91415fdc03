"""SHACL validation on the store: the plan compiled by graph/shapes_sparql.py, run by Oxigraph.

The results are the same ValidationResult tuples as the pySHACL path (treatykg.graph.shapes), and "conforms"
means the same thing there and here: no sh:Violation.

    plan = shape_plan(base)                                     # the project's shapes, compiled once per base
    report = validate_store(store, graphs, plan)                # every focus node of the union of `graphs`
    report = validate_focus(store, nodes, graphs, plan)         # only these focus nodes (read-only)
    report = validate_build(store, asserted, inferred, plan)    # what build.validate_graphs reports

Known divergence from pySHACL, on data that already violates sh:datatype: values SPARQL can't compare (an
xsd:date against an xsd:dateTime, a date against a number) fail sh:lessThan and sh:min/maxInclusive here, as
SHACL says; pySHACL falls back to rdflib's ordering, which sorts different datatypes by their IRIs.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from itertools import islice

import pyoxigraph as ox
from rdflib.namespace import SH

from treatykg.graph.shapes import Report, ValidationResult, load_shapes
from treatykg.graph.shapes_sparql import MEMBER, Check, Plan, compile_shapes, fill, instances_graph
from treatykg.graph.terms import to_rdflib
from treatykg.iris import BASE

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
MEMBER_NODE = ox.NamedNode(MEMBER.strip("<>"))
INFERRED_PREDICATES = "SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }"
_BATCH = 2000  # focus nodes per VALUES block when re-checking flagged nodes


def shape_plan(base: str = BASE) -> Plan:
    """The compiled plan of the project's shapes for an IRI base (compiled once per base)."""
    return _plan(base)


@cache
def _plan(base: str) -> Plan:
    return compile_shapes(load_shapes(base))


def validate_store(store: ox.Store, graphs: list | None = None, plan: Plan | None = None) -> Report:
    """Validate every focus node of the union of `graphs` (default: every graph of the store).

    The instances of every class a target or sh:class names are materialised once, in working graphs dropped
    afterwards. Each screen visits its focus nodes once and flags those some check would report; the checks
    then run on the flagged nodes only. Checks comparing two properties run over every focus node.
    """
    plan = plan or shape_plan()
    options = _dataset(graphs)
    graphs_made = []
    try:
        for cls in plan.classes:
            graph = ox.NamedNode(instances_graph(cls).strip("<>"))
            graphs_made.append(graph)
            rows = store.query(fill("instances", **{"class": cls}), **options)
            store.extend(ox.Quad(row["this"], RDF_TYPE, MEMBER_NODE, graph) for row in rows)
        results = []
        for screen in plan.screens:
            flagged = [row["this"] for row in store.query(screen.query.replace("$TARGET", screen.target.materialised()),
                                                          **options)]
            results += _recheck(store, screen.checks, flagged, options)
        direct = [(check, check.focused.replace("$FOCUS", "").replace("$TARGET", check.target.materialised()))
                  for check in plan.direct]
        return _report(results + _results(store, direct, options))
    finally:
        if graphs_made:
            store.update(" ;\n".join(f"DROP SILENT GRAPH {graph}" for graph in graphs_made))


def validate_focus(store: ox.Store, nodes: Iterable, graphs: list | None = None, plan: Plan | None = None) -> Report:
    """Validate only the focus nodes `nodes` (pyoxigraph terms) of the union of `graphs`; read-only."""
    plan = plan or shape_plan()
    return _report(_recheck(store, plan.checks, list(nodes), _dataset(graphs)))


def validate_build(store: ox.Store, asserted: list, inferred: ox.NamedNode, plan: Plan | None = None) -> Report:
    """The results of validating asserted + inferred, and the asserted graphs alone (build.validate_graphs).

    The asserted-only run is needed only for checks that read a predicate the inferred graph uses: targets
    only grow with inferred triples, so a check that reads none of the inferred predicates finds, at each of
    its asserted focus nodes, the same triples in both runs and so the same results.
    """
    plan = plan or shape_plan()
    entailed = validate_store(store, [*asserted, inferred], plan)
    predicates = {str(row["p"]) for row in store.query(INFERRED_PREDICATES, named_graphs=[inferred])}
    stated = validate_store(store, asserted, plan.only(lambda check: bool(check.reads & predicates)))
    return _report([*entailed.results, *stated.results])


def _dataset(graphs: list | None) -> dict:
    """Query options: the union of `graphs` as the default graph, or of every graph."""
    return {"use_default_graph_as_union": True} if graphs is None else {"default_graph": list(graphs)}


def _recheck(store: ox.Store, checks: Iterable[Check], nodes: list, options: dict) -> list[ValidationResult]:
    """The results of `checks` for the focus nodes `nodes` only."""
    checks = list(checks)
    named = sorted({str(node) for node in nodes if not isinstance(node, ox.BlankNode)})
    results = []
    batches = iter(named)
    while batch := list(islice(batches, _BATCH)):
        focus = "VALUES ?this { " + " ".join(batch) + " }"
        results += _results(store, [(c, c.focused.replace("$FOCUS", focus).replace("$TARGET", c.target.pattern()))
                                    for c in checks], options)
    if any(isinstance(node, ox.BlankNode) for node in nodes):
        # VALUES can't hold blank nodes: run unrestricted and keep the results about these nodes.
        blank = {to_rdflib(node) for node in nodes if isinstance(node, ox.BlankNode)}
        everything = _results(store, [(c, c.focused.replace("$FOCUS", "").replace("$TARGET", c.target.pattern()))
                                      for c in checks], options)
        results += [result for result in everything if result.focus in blank]
    return results


def _results(store: ox.Store, queries: list[tuple[Check, str]], options: dict) -> list[ValidationResult]:
    """The ValidationResults of running each check's query."""
    results = []
    for check, query in queries:
        rows = store.query(query, **options)
        with_value = "value" in [variable.value for variable in rows.variables]
        for row in rows:
            value = to_rdflib(row["value"]) if with_value else None
            results.append(ValidationResult(to_rdflib(row["this"]), check.path, value, check.component,
                                            check.severity, check.shape, check.message))
    return results


def _report(results: Iterable[ValidationResult]) -> Report:
    """A Report of distinct results in the shapes module's order; conforms = no sh:Violation."""
    ordered = tuple(sorted(set(results), key=ValidationResult.key))
    return Report(conforms=all(result.severity != SH.Violation for result in ordered), results=ordered)
