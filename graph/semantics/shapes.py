"""SHACL validation of TreatyKG data: the shapes for an IRI base, and the one reference pySHACL call."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

import pyshacl
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from treatykg.core import resources
from treatykg.core.iris import BASE
from treatykg.graph.rdf.load import load

# Characters that mean something in XPath regular expressions, the syntax of sh:pattern (and of SPARQL REGEX,
# where a store-side validator runs the same patterns). re.escape is not used: it also escapes "#", "~", "&"
# and spaces, escapes that XPath rejects.
_REGEX_META = frozenset("\\.?*+{}()[]|^$")

_PATH_SUFFIXES = ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?"))


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, as the tuple validators are compared on (path in SPARQL property-path syntax)."""

    focus: Node
    path: str | None
    value: Node | None
    component: URIRef
    severity: URIRef
    source_shape: Node
    message: str | None

    def key(self) -> tuple[str, ...]:
        """A total, engine-independent sort key."""
        return tuple(
            "" if part is None else str(part)
            for part in (
                self.focus,
                self.path,
                self.value,
                self.component,
                self.severity,
                self.source_shape,
                self.message,
            )
        )


@dataclass(frozen=True)
class Report:
    """The outcome of validating a graph: conforms means no sh:Violation; Warnings and Infos never block."""

    conforms: bool
    results: tuple[ValidationResult, ...]

    @property
    def violations(self) -> tuple[ValidationResult, ...]:
        """The results of severity sh:Violation."""
        return tuple(result for result in self.results if result.severity == SH.Violation)

    @property
    def warnings(self) -> tuple[ValidationResult, ...]:
        """The results of severity sh:Warning."""
        return tuple(result for result in self.results if result.severity == SH.Warning)

    def describe(self) -> str:
        """One line per result: severity, focus node, path and message."""
        return "\n".join(
            " ".join(
                filter(None, (f"{_local(result.severity)}:", result.focus.n3(), result.path, result.message))
            )
            for result in self.results
        )


def regex_escape(text: str) -> str:
    """`text` as an XPath regular expression (sh:pattern, SPARQL REGEX) that matches it literally."""
    return "".join("\\" + char if char in _REGEX_META else char for char in text)


def load_shapes(base: str = BASE) -> Graph:
    """The TreatyKG shapes graph, its instance-IRI patterns rewritten for the IRI `base`."""
    check_base(base)
    shapes = load(resources.shapes_file())
    if base == BASE:
        return shapes
    # The file writes each instance-IRI pattern as "^", the escaped default base, then id/ or source/.
    default, wanted = "^" + regex_escape(BASE), "^" + regex_escape(base)
    for shape, pattern in list(shapes.subject_objects(SH.pattern)):
        if isinstance(pattern, Literal) and str(pattern).startswith(default):
            shapes.remove((shape, SH.pattern, pattern))
            rewritten = wanted + str(pattern)[len(default) :]
            shapes.add(
                (shape, SH.pattern, Literal(rewritten, lang=pattern.language, datatype=pattern.datatype))
            )
    return shapes


def load_ontology() -> Graph:
    """The packaged TreatyKG ontology, which validation needs for its class hierarchy."""
    return load(resources.ontology_file())


def validate(
    data_graph: Graph, base: str = BASE, *, ontology: Graph | None = None, focus_nodes: list | None = None
) -> Report:
    """Validate `data_graph` (a Dataset: the union of its graphs) against the shapes for `base`.

    With `focus_nodes`, only those nodes are validated (against the shapes that target them).
    """
    # Loaded per call, never cached: pySHACL adds RDFS axioms to the shapes graph it is given.
    shapes = load_shapes(base)
    # inference="none": the mixed-in ontology's rdfs:subClassOf axioms are all sh:targetClass and sh:class
    # need. RDFS inference would type every object of a property by its rdfs:range, so sh:class could never
    # fail; it would also be a second reasoner beside the build's OWL RL step.
    _, results_graph, _ = pyshacl.validate(
        _union(data_graph),
        shacl_graph=shapes,
        ont_graph=ontology if ontology is not None else load_ontology(),
        inference="none",
        allow_warnings=True,
        allow_infos=True,
        advanced=False,
        meta_shacl=False,
        focus_nodes=focus_nodes,
    )
    results = tuple(sorted(_results(results_graph, shapes), key=ValidationResult.key))
    return Report(conforms=all(result.severity != SH.Violation for result in results), results=results)


def check_base(base: str) -> None:
    """Refuse a base that is not an absolute http(s) IRI ending in '/', under which ids are appended."""
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or not base.endswith("/"):
        raise ValueError(f"IRI base must be an absolute http(s) IRI ending in '/': {base!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"IRI base must not have a query or fragment: {base!r}")


def _union(data_graph: Graph) -> Graph:
    """A plain Graph of every triple in `data_graph`: pySHACL would validate a Dataset's graphs one by one."""
    if not data_graph.context_aware:
        return data_graph
    union = Graph()
    quads = data_graph.quads((None, None, None, None))  # type: ignore[attr-defined]  # context-aware: has quads
    for subject, predicate, obj, _ in quads:
        union.add((subject, predicate, obj))
    return union


def _results(report: Graph, shapes: Graph) -> Iterable[ValidationResult]:
    """The top-level results of a pySHACL report graph, as ValidationResults."""
    # Only sh:result: pySHACL also types the nested results of sh:node as sh:ValidationResult (under
    # sh:detail), which another validator need not report.
    for node in report.objects(report.value(predicate=RDF.type, object=SH.ValidationReport), SH.result):
        path = report.value(node, SH.resultPath)
        # pySHACL gives every result its focus node, constraint component, severity and shape.
        yield ValidationResult(
            focus=cast(Node, report.value(node, SH.focusNode)),
            path=None
            if path is None
            else path_text(report if (path, None, None) in report else shapes, path),
            value=_canonical(report.value(node, SH.value)),
            component=cast(URIRef, report.value(node, SH.sourceConstraintComponent)),
            severity=cast(URIRef, report.value(node, SH.resultSeverity)),
            source_shape=cast(Node, report.value(node, SH.sourceShape)),
            message=message_text(report.objects(node, SH.resultMessage)),
        )


def _canonical(value: Node | None) -> Node | None:
    """`value` in the XSD canonical form a store gives it, where rdflib differs: UTC date-times end in "Z"."""
    # rdflib normalises "2023-01-01T00:00:00Z" to "...+00:00" on parsing; Oxigraph, like XSD, keeps "Z".
    if isinstance(value, Literal) and value.datatype == XSD.dateTime and str(value).endswith("+00:00"):
        return Literal(str(value).removesuffix("+00:00") + "Z", datatype=XSD.dateTime, normalize=False)
    return value


def message_text(messages: Iterable[Node]) -> str | None:
    """The English message if there is one, else the first in sorted order."""
    ordered = sorted(messages, key=lambda message: (getattr(message, "language", None) != "en", str(message)))
    return str(ordered[0]) if ordered else None


def path_text(graph: Graph, path: Node) -> str:
    """A SHACL path in SPARQL property-path syntax, so complex paths compare by value, not by bnode id."""
    if isinstance(path, URIRef):
        return path.n3()
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + path_text(graph, inverse)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(graph, step) for step in Collection(graph, alternatives)) + ")"
    for predicate, suffix in _PATH_SUFFIXES:
        inner = graph.value(path, predicate)
        if inner is not None:
            return "(" + path_text(graph, inner) + ")" + suffix
    if graph.value(path, RDF.first) is not None:
        return "(" + "/".join(path_text(graph, step) for step in Collection(graph, path)) + ")"
    raise ValueError(f"not a SHACL property path: {path!r}")


def _local(iri: URIRef) -> str:
    """The local name of a SHACL term, for messages."""
    return str(iri).rsplit("#", 1)[-1]
