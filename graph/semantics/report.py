"""A SHACL Report as a W3C validation report graph (`treatykg validate --format turtle`, a rejected write)."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from treatykg.graph.semantics.shapes import Report, ValidationResult


def report_graph(report: Report, shapes: Graph | None = None, inconsistencies: Iterable[str] = ()) -> Graph:
    """The report in the SHACL vocabulary; sh:conforms follows the project's rule (no sh:Violation).

    With the shapes, a result's sh:resultPath is its source shape's sh:path and blank-node shapes keep their
    structure, both copied from the shapes; without, only a path that is one IRI is given. Each OWL 2 RL
    inconsistency becomes an sh:resultMessage of the report itself.
    """
    graph = Graph()
    graph.bind("sh", SH)
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(report.conforms)))
    for result in report.results:
        graph.add((node, SH.result, _result(graph, result, shapes)))
    for message in inconsistencies:
        graph.add((node, SH.resultMessage, Literal(f"OWL 2 RL inconsistency: {message}")))
    return graph


def _result(graph: Graph, result: ValidationResult, shapes: Graph | None) -> BNode:
    """One sh:ValidationResult."""
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationResult))
    graph.add((node, SH.focusNode, result.focus))
    graph.add((node, SH.resultSeverity, result.severity))
    graph.add((node, SH.sourceConstraintComponent, result.component))
    graph.add((node, SH.sourceShape, _copy(result.source_shape, shapes, graph)))
    path = _path(result, shapes)
    if path is not None:
        graph.add((node, SH.resultPath, _copy(path, shapes, graph)))
    if result.value is not None:
        graph.add((node, SH.value, result.value))
    if result.message:
        graph.add((node, SH.resultMessage, Literal(result.message)))
    return node


def _path(result: ValidationResult, shapes: Graph | None) -> Node | None:
    """The result's sh:resultPath: the source shape's sh:path, or (no shapes at hand) the path if one IRI."""
    if not result.path:
        return None
    if shapes is not None:
        return shapes.value(result.source_shape, SH.path)
    if result.path.startswith("<") and result.path.endswith(">"):
        return URIRef(result.path[1:-1])
    return None


def _copy(term: Node, source: Graph | None, target: Graph) -> Node:
    """`term`, with the blank-node structure under it copied from `source` (a path, an anonymous shape)."""
    if source is None or not isinstance(term, BNode):
        return term
    pending, seen = [term], set()
    while pending:
        subject = pending.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for predicate, obj in source.predicate_objects(subject):
            target.add((subject, predicate, obj))
            if isinstance(obj, BNode):
                pending.append(obj)
    return term
