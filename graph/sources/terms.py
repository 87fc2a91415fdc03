"""The ontology's classes and properties by local name, so a sheet's `class: Withdrawal` is checked."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, URIRef

from treatykg.core import resources
from treatykg.core.iris import TKG


@dataclass(frozen=True)
class OntologyTerms:
    """Local names of the ontology's classes and properties, each class's superclasses (itself too)."""

    classes: frozenset[str]
    properties: frozenset[str]
    ancestors: dict[str, frozenset[str]]

    def is_a(self, cls: str, ancestor: str) -> bool:
        """Whether class `cls` is `ancestor` or below it."""
        return ancestor in self.ancestors.get(cls, frozenset((cls,)))


@cache
def ontology_terms(path: Path | None = None) -> OntologyTerms:
    """The terms of the ontology at `path` (default: the packaged one), read once per process."""
    graph = Graph().parse(path or resources.ontology_file())

    def local(node: object) -> str | None:
        text = str(node)
        return text[len(TKG) :] if isinstance(node, URIRef) and text.startswith(TKG) else None

    classes = {name for node in graph.subjects(RDF.type, OWL.Class) if (name := local(node))}
    property_types = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    properties = {
        name for kind in property_types for node in graph.subjects(RDF.type, kind) if (name := local(node))
    }
    ancestors = {
        name: frozenset(
            found
            for node in graph.transitive_objects(URIRef(TKG + name), RDFS.subClassOf)
            if (found := local(node))
        )
        for name in classes
    }
    return OntologyTerms(frozenset(classes), frozenset(properties), ancestors)
