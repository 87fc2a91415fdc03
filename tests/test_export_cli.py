"""`treatykg export` on the article: byte-identical dumps isomorphic to the store, VoID, JSON-LD context."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from pipeline_support import article_store, canonical, copy_store, run, store_quads
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib import namespace as ns
from rdflib.compare import isomorphic

from treatykg.core import resources
from treatykg.core.iris import (
    DATASET,
    INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    RECONCILED_GRAPH,
    SPARQL_ENDPOINT,
    STATUS_GRAPH,
)
from treatykg.graph.store.embedded import open_store, read_version

pytestmark = pytest.mark.slow

FORMATS = {  # extension -> (pyoxigraph format, rdflib format, keeps graph names)
    "ttl": (ox.RdfFormat.TURTLE, "turtle", False),
    "nt": (ox.RdfFormat.N_TRIPLES, "nt", False),
    "rdf": (ox.RdfFormat.RDF_XML, "xml", False),
    "nq": (ox.RdfFormat.N_QUADS, "nquads", True),
    "trig": (ox.RdfFormat.TRIG, "trig", True),
    "jsonld": (ox.RdfFormat.JSON_LD, "json-ld", True),
}
# The default build derives the reconciled view and the treaty status graph, each exported as its own dumps.
DUMPS = ("ontology", "asserted", "inferred", "reconciled", "status")
EXPECTED_FILES = sorted(
    [f"{dump}.{ext}" for ext in FORMATS for dump in DUMPS]
    + ["dataset.nq", "dataset.trig", "dataset.jsonld", "void.ttl", "context.jsonld"]
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The article store, exported in every format, then rebuilt and exported again."""
    folder = tmp_path_factory.mktemp("export")
    store = copy_store(article_store(), folder / "store")
    from treatykg.cli.main import main

    assert main(["export", "--store", str(store), "--out", str(folder / "first")]) == 0
    assert main(["build", "--store", str(store)]) == 0  # a second build of the same inputs
    assert main(["export", "--store", str(store), "--out", str(folder / "second")]) == 0
    return store, folder / "first", folder / "second"


def selection(quads: list[ox.Quad], dump: str) -> list[ox.Quad]:
    """What a dump should hold, straight from the store."""
    names = {
        "ontology": {ONTOLOGY_GRAPH},
        "inferred": {INFERRED_GRAPH},
        "reconciled": {RECONCILED_GRAPH},
        "status": {STATUS_GRAPH},
    }
    if dump == "dataset":
        return quads
    if dump in names:
        return [q for q in quads if getattr(q.graph_name, "value", None) in names[dump]]
    apart = set().union(*names.values())
    return [q for q in quads if getattr(q.graph_name, "value", None) not in apart]


def test_export_writes_every_dump_void_and_context(exported):
    _, first, _ = exported
    assert sorted(path.name for path in first.iterdir()) == EXPECTED_FILES


def test_two_builds_give_byte_identical_exports(exported):
    _, first, second = exported
    for name in EXPECTED_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.parametrize(
    "name", [name for name in EXPECTED_FILES if name not in ("void.ttl", "context.jsonld")]
)
def test_every_dump_parses_back_isomorphic_to_the_store(exported, name):
    store, first, _ = exported
    dump, ext = name.split(".")
    rdf_format, rdflib_format, quads = FORMATS[ext]
    expected = selection(store_quads(store), dump)
    if not quads:  # a triple format holds the graphs' triples, merged
        expected = list({ox.Quad(q.subject, q.predicate, q.object) for q in expected})
    parsed = list(ox.parse(path=first / name, format=rdf_format))
    assert canonical(parsed) == canonical(expected)
    # And with rdflib, as a consumer would read it.
    if quads:
        dataset = Dataset()
        dataset.parse(first / name, format=rdflib_format)
        assert len(list(dataset.quads((None, None, None, None)))) == len(expected)
    else:
        graph = Graph().parse(first / name, format=rdflib_format)
        reference = Graph().parse(
            data=ox.serialize([q.triple for q in expected], format=ox.RdfFormat.N_TRIPLES), format="nt"
        )
        assert isomorphic(graph, reference)


def test_line_dumps_are_sorted_and_blank_nodes_canonical(exported):
    _, first, _ = exported
    lines = (first / "dataset.nq").read_bytes().splitlines()
    assert lines == sorted(lines)
    assert b"_:c14n0 " in (first / "ontology.nt").read_bytes()


def test_jsonld_dumps_carry_the_published_context_inline(exported):
    _, first, _ = exported
    context = json.loads((first / "context.jsonld").read_text())["@context"]
    for dump in ("ontology", "asserted", "inferred", "dataset"):
        assert json.loads((first / f"{dump}.jsonld").read_text())["@context"] == context


def test_the_context_lets_a_web_developer_write_compact_json(exported):
    _, first, _ = exported
    context = json.loads((first / "context.jsonld").read_text())["@context"]
    document = {
        "@context": context,
        "@id": "https://w3id.org/treatykg/id/event/example",
        "@type": "Withdrawal",
        "label": "An example withdrawal",
        "agent": "https://w3id.org/treatykg/id/state/russia",
        "timeSpan": {"@id": "https://w3id.org/treatykg/id/time/2023-05", "earliest": "2023-05-01T00:00:00Z"},
    }
    graph = Graph().parse(data=json.dumps(document), format="json-ld")
    tkg = "https://w3id.org/treatykg/ontology#"
    event, span = (
        URIRef("https://w3id.org/treatykg/id/event/example"),
        URIRef("https://w3id.org/treatykg/id/time/2023-05"),
    )
    assert set(graph) == {
        (event, ns.RDF.type, URIRef(tkg + "Withdrawal")),
        (event, ns.RDFS.label, Literal("An example withdrawal", lang="en")),
        (event, URIRef(tkg + "agent"), URIRef("https://w3id.org/treatykg/id/state/russia")),
        (event, URIRef(tkg + "timeSpan"), span),
        (span, URIRef(tkg + "earliest"), Literal("2023-05-01T00:00:00Z", datatype=ns.XSD.dateTime)),
    }


def test_void_describes_counts_licence_dumps_endpoint_and_provenance(exported):
    store, first, _ = exported
    void = Graph().parse(first / "void.ttl", format="turtle")
    dataset = URIRef(DATASET)
    quads = store_quads(store)
    assert void.value(dataset, ns.VOID.triples).toPython() == len({q.triple for q in quads})
    assert void.value(dataset, ns.DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert "source" in str(void.value(dataset, ns.DCTERMS.rights))
    assert void.value(dataset, ns.VOID.sparqlEndpoint) == URIRef(SPARQL_ENDPOINT)
    assert len(set(void.objects(dataset, ns.VOID.dataDump))) == len(EXPECTED_FILES) - 2
    assert len(set(void.objects(dataset, ns.DCAT.distribution))) == len(EXPECTED_FILES) - 2
    for graph, count in read_version(store).graph_quads.items():
        assert void.value(URIRef(graph), ns.VOID.triples).toPython() == count
    classes = {void.value(p, ns.VOID["class"]) for p in void.objects(dataset, ns.VOID.classPartition)}
    assert URIRef("https://w3id.org/treatykg/ontology#Withdrawal") in classes
    assert void.value(dataset, ns.VOID.classes).toPython() == len(classes)
    checksums = set(void.objects(None, URIRef("http://spdx.org/rdf/terms#checksumValue")))
    for path in (resources.ontology_file(), resources.shapes_file(), *resources.data_files()):
        assert (
            Literal(hashlib.sha256(Path(path).read_bytes()).hexdigest(), datatype=ns.XSD.hexBinary)
            in checksums
        )
    versions = {str(o) for o in void.objects(None, URIRef("http://www.w3.org/2002/07/owl#versionInfo"))}
    assert read_version(store).build["software"]["treatykg"] in versions
    # No timestamps: nothing time-typed anywhere in the description.
    assert not [
        o for o in void.objects() if isinstance(o, Literal) and o.datatype in (ns.XSD.dateTime, ns.XSD.date)
    ]


def test_one_format_writes_its_dumps_only(capsys, exported, tmp_path):
    store, _, _ = exported
    result = run(capsys, "export", "--store", store, "--format", "ttl", "--out", tmp_path)
    assert result.code == 0
    names = [f"{dump}.ttl" for dump in DUMPS] + ["context.jsonld", "void.ttl"]
    assert result.out == "".join(f"{tmp_path / name}\n" for name in names)
    void = Graph().parse(tmp_path / "void.ttl", format="turtle")
    assert len(set(void.objects(URIRef(DATASET), ns.VOID.dataDump))) == len(DUMPS)


def test_export_of_a_missing_or_empty_store_says_to_build_first(capsys, tmp_path):
    result = run(capsys, "export", "--store", tmp_path / "store", "--out", tmp_path / "out")
    assert (result.code, result.err) == (
        2,
        f"{tmp_path / 'store'}: no store here; run `treatykg build` first\n",
    )
    assert not (tmp_path / "store").exists()
    open_store(tmp_path / "store").close()
    result = run(capsys, "export", "--store", tmp_path / "store", "--out", tmp_path / "out")
    assert (result.code, result.err) == (
        2,
        f"{tmp_path / 'store'}: the store is empty; run `treatykg build` first\n",
    )
    assert not (tmp_path / "out").exists()
