"""A quick census of an ontology graph: its IRIs and how many entities of each kind it declares."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import OWL, RDF, RDFS, XSD, Graph, URIRef

# Classes from these vocabularies describe the ontology itself, so typing a node with one doesn't make it
# an individual of the domain.
_META_NAMESPACES = tuple(str(namespace) for namespace in (RDF, RDFS, OWL, XSD))


@dataclass(frozen=True)
class OntologySummary:
    """What `treatykg info` reports about one ontology or data file."""

    ontology_iri: str | None
    version_iri: str | None
    classes: int
    object_properties: int
    datatype_properties: int
    annotation_properties: int
    individuals: int


def summarize(graph: Graph) -> OntologySummary:
    """Count the named entities the graph declares and find its ontology header."""
    ontology = _ontology_iri(graph)
    version = graph.value(ontology, OWL.versionIRI) if ontology is not None else None
    return OntologySummary(
        ontology_iri=str(ontology) if ontology is not None else None,
        version_iri=str(version) if version is not None else None,
        classes=_count_declared(graph, OWL.Class),
        object_properties=_count_declared(graph, OWL.ObjectProperty),
        datatype_properties=_count_declared(graph, OWL.DatatypeProperty),
        annotation_properties=_count_declared(graph, OWL.AnnotationProperty),
        individuals=len(_individuals(graph)),
    )


def _ontology_iri(graph: Graph) -> URIRef | None:
    """The IRI of the file's owl:Ontology, preferring one no other ontology in the file imports."""
    ontologies = sorted(node for node in graph.subjects(RDF.type, OWL.Ontology) if isinstance(node, URIRef))
    not_imported = [iri for iri in ontologies if (None, OWL.imports, iri) not in graph]
    candidates = not_imported or ontologies
    return candidates[0] if candidates else None


def _count_declared(graph: Graph, owl_type: URIRef) -> int:
    """How many IRIs are typed with `owl_type`; blank nodes are anonymous expressions, not entities."""
    return len({node for node in graph.subjects(RDF.type, owl_type) if isinstance(node, URIRef)})


def _individuals(graph: Graph) -> set[URIRef]:
    """IRIs declared owl:NamedIndividual or typed with a class outside RDF, RDFS, OWL and XSD."""
    return {
        node
        for node, node_type in graph.subject_objects(RDF.type)
        if isinstance(node, URIRef)
        and (node_type == OWL.NamedIndividual or not str(node_type).startswith(_META_NAMESPACES))
    }
