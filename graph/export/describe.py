"""The VoID + DCAT description of the dataset: counts, partitions, licence, dumps, endpoint, provenance."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, VOID

from treatykg.core.iris import DATASET, ID, SPARQL_ENDPOINT, TKG
from treatykg.core.terms import solutions
from treatykg.graph.store.embedded import query_union
from treatykg.graph.store.sparql_files import read_query

SPDX = Namespace("http://spdx.org/rdf/terms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
CC_BY_4 = URIRef("https://creativecommons.org/licenses/by/4.0/")
# A news text is not ours to relicense: the licence covers the project's statements, each source says its own.
RIGHTS = Literal(
    "CC BY 4.0 covers the project's own statements and the ontology. The text of each source (its "
    "tkg:fullText and the text file shipped with it) stays its rights holder's, as the source's own "
    "dcterms:rights says; it is quoted for annotation and research and is not relicensed.",
    lang="en",
)
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

# Vocabularies the data uses (void:vocabulary), besides the project's own.
VOCABULARIES = (
    TKG,
    "http://www.w3.org/ns/prov#",
    "http://www.w3.org/ns/org#",
    "http://www.w3.org/2006/time#",
    "http://www.w3.org/ns/oa#",
    "http://purl.org/dc/terms/",
    "http://www.w3.org/2004/02/skos/core#",
)


@dataclass(frozen=True)
class Distribution:
    """A published dump: where to download it, its media type and what it holds."""

    download_url: str
    media_type: str
    title: str


@dataclass(frozen=True)
class DatasetCounts:
    """What VoID counts over the union of the graphs: totals, partitions by IRI, quads per named graph."""

    triples: int
    distinct_subjects: int
    distinct_objects: int
    entities: int
    classes: Mapping[str, int] = field(default_factory=dict)
    properties: Mapping[str, int] = field(default_factory=dict)
    graphs: Mapping[str, int] = field(default_factory=dict)


def count_dataset(store: ox.Store) -> DatasetCounts:
    """The counts, by SPARQL over the store."""
    totals = next(iter(solutions(query_union(store, read_query("void-totals")))))
    entities = list(
        solutions(
            query_union(
                store, read_query("void-entities"), substitutions={ox.Variable("uriSpace"): ox.Literal(ID)}
            )
        )
    )
    classes = solutions(query_union(store, read_query("void-class-partitions")))
    properties = solutions(query_union(store, read_query("void-property-partitions")))
    graphs = solutions(store.query(read_query("graph-quads")))
    return DatasetCounts(
        triples=_count(totals, "triples"),
        distinct_subjects=_count(totals, "distinctSubjects"),
        distinct_objects=_count(totals, "distinctObjects"),
        entities=_count(entities[0], "entities") if entities else 0,
        classes={s["class"].value: _count(s, "entities") for s in classes},
        properties={s["property"].value: _count(s, "triples") for s in properties},
        graphs={s["graph"].value: _count(s, "quads") for s in graphs if isinstance(s["graph"], ox.NamedNode)},
    )


def _integer(value: int) -> Literal:
    """An xsd:integer literal."""
    return Literal(str(value), datatype=XSD.integer)


def _count(solution: ox.QuerySolution, name: str) -> int:
    """An integer binding of a COUNT query."""
    return int(solution[name].value)


def describe_dataset(
    store: ox.Store,
    distributions: Iterable[Distribution] = (),
    build: Mapping | None = None,
    dataset: str = DATASET,
    endpoint: str = SPARQL_ENDPOINT,
    counts: DatasetCounts | None = None,
) -> Graph:
    """The VoID/DCAT description of everything in `store` (the union of its graphs), as an rdflib Graph.

    `counts`, when the caller has them (the export counts as it writes), saves the queries that make them.
    """
    graph = Graph()
    for prefix, namespace in (
        ("void", VOID),
        ("dcat", DCAT),
        ("dcterms", DCTERMS),
        ("prov", PROV),
        ("spdx", SPDX),
        ("sd", SD),
        ("xsd", XSD),
        ("owl", OWL),
    ):
        graph.bind(prefix, namespace)
    node = URIRef(dataset)
    graph.add((node, RDF.type, VOID.Dataset))
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.title, Literal("TreatyKG", lang="en")))
    graph.add(
        (
            node,
            DCTERMS.description,
            Literal(
                "A knowledge graph of arms-control treaties, states, alliances and the actions they take, "
                "each fact anchored to the sentence of its source; asserted and inferred (OWL 2 RL) triples "
                "in separate named graphs.",
                lang="en",
            ),
        )
    )
    graph.add((node, DCTERMS.license, CC_BY_4))
    graph.add((node, DCTERMS.rights, RIGHTS))
    graph.add((node, VOID.sparqlEndpoint, URIRef(endpoint)))
    graph.add((node, VOID.uriSpace, Literal(ID)))
    for vocabulary in VOCABULARIES:
        graph.add((node, VOID.vocabulary, URIRef(vocabulary)))
    counts = counts or count_dataset(store)
    _add_counts(graph, node, counts)
    _add_graphs(graph, node, counts)
    for distribution in distributions:
        _add_distribution(graph, node, distribution)
    if build:
        _add_provenance(graph, node, build)
    return graph


def _add_counts(graph: Graph, node: URIRef, counts: DatasetCounts) -> None:
    """Totals and class/property partitions over the union of all graphs."""
    graph.add((node, VOID.triples, _integer(counts.triples)))
    graph.add((node, VOID.distinctSubjects, _integer(counts.distinct_subjects)))
    graph.add((node, VOID.distinctObjects, _integer(counts.distinct_objects)))
    graph.add((node, VOID.entities, _integer(counts.entities)))
    graph.add((node, VOID.classes, _integer(len(counts.classes))))
    graph.add((node, VOID.properties, _integer(len(counts.properties))))
    for iri, entities in counts.classes.items():
        partition = BNode()
        graph.add((node, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(iri)))
        graph.add((partition, VOID.entities, _integer(entities)))
    for iri, triples in counts.properties.items():
        partition = BNode()
        graph.add((node, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, URIRef(iri)))
        graph.add((partition, VOID.triples, _integer(triples)))


def _add_graphs(graph: Graph, node: URIRef, counts: DatasetCounts) -> None:
    """Each named graph as a subset named by the graph's own IRI, with its triple count."""
    for name, quads in counts.graphs.items():
        subset = URIRef(name)
        graph.add((node, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, RDF.type, SD.NamedGraph))
        graph.add((subset, SD.name, subset))
        graph.add((subset, VOID.triples, _integer(quads)))


def _add_distribution(graph: Graph, node: URIRef, distribution: Distribution) -> None:
    """A dump, both as a VoID data dump and as a DCAT distribution."""
    url = URIRef(distribution.download_url)
    graph.add((node, VOID.dataDump, url))
    item = BNode()
    graph.add((node, DCAT.distribution, item))
    graph.add((item, RDF.type, DCAT.Distribution))
    graph.add((item, DCAT.downloadURL, url))
    graph.add((item, DCAT.mediaType, URIRef(MEDIA_TYPES + distribution.media_type)))
    graph.add((item, DCTERMS.title, Literal(distribution.title, lang="en")))
    graph.add((item, DCTERMS.license, CC_BY_4))
    graph.add((item, DCTERMS.rights, RIGHTS))


def _add_provenance(graph: Graph, node: URIRef, build: Mapping) -> None:
    """The build that made the data: the software versions and each input file's SHA-256 (no time)."""
    activity = BNode()
    graph.add((node, PROV.wasGeneratedBy, activity))
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add(
        (
            activity,
            RDFS.label,
            Literal(f"treatykg build (reasoning: {build.get('reasoning', 'none')})", lang="en"),
        )
    )
    for name, version in sorted(build.get("software", {}).items()):
        agent = BNode()
        graph.add((activity, PROV.wasAssociatedWith, agent))
        graph.add((agent, RDF.type, PROV.SoftwareAgent))
        graph.add((agent, RDFS.label, Literal(name)))
        graph.add((agent, OWL.versionInfo, Literal(version)))
    for item in build.get("inputs", []):
        entity, checksum = BNode(), BNode()
        graph.add((activity, PROV.used, entity))
        graph.add((entity, RDF.type, PROV.Entity))
        graph.add((entity, DCTERMS.identifier, Literal(item["name"])))
        graph.add((entity, DCTERMS.type, Literal(item["role"])))
        graph.add((entity, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(item["sha256"], datatype=XSD.hexBinary)))
