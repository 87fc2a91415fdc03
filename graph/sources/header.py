"""The OWL document header of a compiled source graph, so Protégé opens it as an ontology that imports
TreatyKG's: the data IRI, its import, label, description, licence, and the annotation properties it uses."""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef

from treatykg.core.iris import BASE, ONTOLOGY

DCTERMS = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")


def data_iri(slug: str) -> URIRef:
    """The IRI of the source's data document: https://w3id.org/treatykg/data/<slug>."""
    return URIRef(f"{BASE}data/{slug}")


def add_header(graph: Graph, slug: str, source: URIRef, label: str, description: str, license: str) -> None:
    """The data document's header, and an owl:AnnotationProperty declaration of every Dublin Core and SKOS
    property the graph uses (OWL 2 DL needs each declared; the ontology does not import either)."""
    document = data_iri(slug)
    for triple in (
        (document, RDF.type, OWL.Ontology),
        (document, OWL.imports, URIRef(ONTOLOGY)),
        (document, RDFS.label, Literal(label, lang="en")),
        (document, DCTERMS.description, Literal(description, lang="en")),
        (document, DCTERMS.license, URIRef(license)),
        (document, DCTERMS.source, source),
    ):
        graph.add(triple)
    used = {predicate for predicate in graph.predicates() if isinstance(predicate, URIRef)}
    for predicate in sorted(used):
        if predicate.startswith(str(DCTERMS)) or predicate.startswith(str(SKOS)):
            graph.add((predicate, RDF.type, OWL.AnnotationProperty))
