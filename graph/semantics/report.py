"""A SHACL Report as a W3C validation report graph, for `treatykg validate --format turtle`."""

from __future__ import annotations

from rdflib import RDF, BNode, Graph, Literal
from rdflib.namespace import SH
from rdflib.term import Node

from treatykg.graph.semantics.shapes import Report, ValidationResult


def report_graph(report: Report, shapes: Graph) -> Graph:
    """The report in the SHACL vocabulary; sh:conforms follows the project's rule (no sh:Violation)."""
    graph = Graph()
    graph.bind("sh", SH)
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(report.conforms)))
    for result in report.results:
        graph.add((node, SH.result, _result(graph, result, shapes)))
    return graph


def _result(graph: Graph, result: ValidationResult, shapes: Graph) -> BNode:
    """One sh:ValidationResult; its sh:resultPath is the source shape's sh:path, copied from the shapes."""
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationResult))
    graph.add((node, SH.focusNode, result.focus))
    graph.add((node, SH.resultSeverity, result.severity))
    graph.add((node, SH.sourceConstraintComponent, result.component))
    graph.add((node, SH.sourceShape, _copy(result.source_shape, shapes, graph)))
    if result.value is not None:
        graph.add((node, SH.value, result.value))
    if result.message:
        graph.add((node, SH.resultMessage, Literal(result.message)))
    path = shapes.value(result.source_shape, SH.path) if result.path else None
    if path is not None:
        graph.add((node, SH.resultPath, _copy(path, shapes, graph)))
    return node


def _copy(term: Node, source: Graph, target: Graph) -> Node:
    """`term`, with the blank-node structure under it copied from `source` (a path, an anonymous shape)."""
    if not isinstance(term, BNode):
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
