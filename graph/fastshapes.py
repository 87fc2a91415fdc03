"""SHACL validation on the store: the compiled checks of graph/shapes_sparql.py run by Oxigraph.

The results are the same ValidationResult tuples as the pySHACL path (treatykg.graph.shapes), and "conforms"
means the same thing there and here: no sh:Violation.

    checks = shape_checks(base)                                   # the project's shapes, compiled once per base
    report = validate_store(store, graphs, checks)                # every focus node of the union of `graphs`
    report = validate_focus(store, nodes, graphs, checks)         # only these focus nodes (read-only)
    report = validate_build(store, asserted, inferred, checks)    # what build.validate_graphs reports

Known divergence from pySHACL, on data that already violates sh:datatype: values SPARQL can't compare (an
xsd:date against an xsd:dateTime, a date against a number) fail sh:lessThan and sh:min/maxInclusive here, as
SHACL says; pySHACL falls back to rdflib's ordering, which sorts different datatypes by their IRIs.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import pyoxigraph as ox
from rdflib.namespace import SH

from treatykg.graph.rules import WORK
from treatykg.graph.shapes import Report, ValidationResult, load_shapes
from treatykg.graph.shapes_sparql import MEMBER, Check, compile_shapes, fill
from treatykg.graph.terms import to_rdflib
from treatykg.iris import BASE

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
MEMBER_NODE = ox.NamedNode(MEMBER.strip("<>"))
INFERRED_PREDICATES = "SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }"


def shape_checks(base: str = BASE) -> list[Check]:
    """The compiled checks of the project's shapes for an IRI base."""
    return list(_checks(base))


@cache
def _checks(base: str) -> tuple[Check, ...]:
    return tuple(compile_shapes(load_shapes(base)))


def validate_store(store: ox.Store, graphs: list | None = None, checks: Iterable[Check] | None = None) -> Report:
    """Validate every focus node of the union of `graphs` (default: every graph of the store).

    The instances of each class that a target or sh:class names are materialised once, in working graphs
    (work:instances-N) dropped afterwards, instead of following rdfs:subClassOf* in every check.
    """
    checks = list(shape_checks() if checks is None else checks)
    options = _dataset(graphs)
    instances: dict[str, ox.NamedNode] = {}
    try:
        for check in checks:
            for cls in (*check.target.classes, *([check.instances] if check.instances else [])):
                if cls not in instances:
                    graph = instances[cls] = ox.NamedNode(f"{WORK}instances-{len(instances) + 1}")
                    rows = store.query(fill("instances", **{"class": cls}), **options)
                    store.extend(ox.Quad(row["this"], RDF_TYPE, MEMBER_NODE, graph) for row in rows)
        queries = []
        for check in checks:
            query = check.query.replace("$TARGET", check.target.materialised(instances))
            queries.append((check, query.replace("$INSTANCES", str(instances.get(check.instances, "")))))
        return _report(_results(store, queries, options))
    finally:
        if instances:
            store.update(" ;\n".join(f"DROP SILENT GRAPH {graph}" for graph in instances.values()))


def validate_focus(store: ox.Store, nodes: Iterable, graphs: list | None = None,
                   checks: Iterable[Check] | None = None) -> Report:
    """Validate only the focus nodes `nodes` (pyoxigraph terms) of the union of `graphs`; read-only."""
    checks = list(shape_checks() if checks is None else checks)
    nodes = list(nodes)
    if not nodes:
        return _report([])
    # VALUES can't hold blank nodes: with any among the nodes, the checks run unrestricted and are filtered.
    blank = any(isinstance(node, ox.BlankNode) for node in nodes)
    focus = "" if blank else "VALUES ?this { " + " ".join(sorted({str(node) for node in nodes})) + " }"
    queries = [(check, check.focused.replace("$FOCUS", focus).replace("$TARGET", check.target.pattern()))
               for check in checks]
    results = _results(store, queries, _dataset(graphs))
    if blank:
        wanted = {to_rdflib(node) for node in nodes}
        results = [result for result in results if result.focus in wanted]
    return _report(results)


def validate_build(store: ox.Store, asserted: list, inferred: ox.NamedNode,
                   checks: Iterable[Check] | None = None) -> Report:
    """The results of validating asserted + inferred, and the asserted graphs alone (build.validate_graphs).

    The asserted-only run is needed only for checks that read a predicate the inferred graph uses: targets
    only grow with inferred triples, so a check that reads none of the inferred predicates finds, at each of
    its asserted focus nodes, the same triples in both runs and so the same results.
    """
    checks = list(shape_checks() if checks is None else checks)
    entailed = validate_store(store, [*asserted, inferred], checks)
    predicates = {str(row["p"]) for row in store.query(INFERRED_PREDICATES, named_graphs=[inferred])}
    stated = validate_store(store, asserted, [check for check in checks if check.reads & predicates])
    return _report([*entailed.results, *stated.results])


def _dataset(graphs: list | None) -> dict:
    """Query options: the union of `graphs` as the default graph, or of every graph."""
    return {"use_default_graph_as_union": True} if graphs is None else {"default_graph": list(graphs)}


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
