"""The SPARQL 1.1 Service Description, with the dataset's VoID description (graph/export/describe.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox

from treatykg.core.iris import DATASET, SPARQL_ENDPOINT
from treatykg.graph.export.describe import describe_dataset
from treatykg.graph.store.embedded import StoreVersion
from treatykg.server.query.results import RDF_FORMATS

TEMPLATE = Path(__file__).with_name("service-description.ttl")
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PREFIXES = {
    "sd": SD,
    "void": VOID,
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "formats": "http://www.w3.org/ns/formats/",
    "ent": "http://www.w3.org/ns/entailment/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _sd(name: str) -> ox.NamedNode:
    """A term of the Service Description vocabulary."""
    return ox.NamedNode(SD + name)


class Describer:
    """Builds the description; the dataset part is computed once per store version (it scans the store)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: tuple[str, list[ox.Triple]] | None = None

    def dataset(self, store: ox.Store, version: StoreVersion) -> list[ox.Triple]:
        """The VoID/DCAT triples of the store at `version`, plus the sd:Dataset view of them."""
        with self._lock:
            if self._cached is None or self._cached[0] != version.etag:
                self._cached = (version.etag, _dataset_triples(store, version))
            return self._cached[1]

    def describe(self, endpoint: str, dataset: list[ox.Triple], updates: bool, key: str) -> bytes:
        """The service description in format `key`, its sd:endpoint being `endpoint`."""
        triples = [
            quad.triple
            for quad in ox.parse(path=str(TEMPLATE), format=ox.RdfFormat.TURTLE, base_iri=endpoint)
        ]
        service = ox.NamedNode(endpoint + "#service")
        if updates:
            triples.append(ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Update")))
        triples.append(ox.Triple(service, _sd("defaultDataset"), ox.NamedNode(DATASET)))
        triples += dataset
        prefixes = PREFIXES if key in ("turtle", "trig") else None
        return ox.serialize(triples, format=RDF_FORMATS[key], prefixes=prefixes)  # type: ignore[return-value]  # no output given: the bytes


def _dataset_triples(store: ox.Store, version: StoreVersion) -> list[ox.Triple]:
    """graph/export/describe.py's description, with sd:defaultGraph and sd:namedGraph links added."""
    rdflib_graph = describe_dataset(store, build=version.build, endpoint=SPARQL_ENDPOINT)
    triples = [
        quad.triple
        for quad in ox.parse(
            rdflib_graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES
        )
    ]
    dataset = ox.NamedNode(DATASET)
    default_graph = ox.BlankNode("defaultGraph")
    triples += [
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
    ]
    for triple in list(triples):
        # The default graph is the union of all graphs: it has the dataset's own triple count.
        if triple.subject == dataset and triple.predicate == ox.NamedNode(VOID + "triples"):
            triples.append(ox.Triple(default_graph, triple.predicate, triple.object))
    for triple in list(triples):
        if triple.predicate == RDF_TYPE and triple.object == _sd("NamedGraph"):
            triples.append(ox.Triple(dataset, _sd("namedGraph"), triple.subject))
    return triples
