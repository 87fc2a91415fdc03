"""The Protégé round trip: files as the OWL API saves them load, match their source, build and validate.

What the OWL API changes when it saves, and these tests account for (nothing else may differ):
1. Declarations it adds for entities the file uses: `?x rdf:type owl:NamedIndividual` for every individual
   (and, were any missing, owl:Class / owl:ObjectProperty / owl:DatatypeProperty / owl:AnnotationProperty /
   rdfs:Datatype declarations). Only added triples of exactly these forms are ignored.
2. The order of RDF lists whose order means nothing in OWL (owl:members, owl:distinctMembers, owl:oneOf,
   owl:unionOf, owl:intersectionOf, owl:disjointUnionOf): it writes the members in its own order, so both
   sides' lists are compared sorted. Ordered lists (owl:propertyChainAxiom, owl:hasKey) are not touched.
Blank-node labels differ too, which graph isomorphism already ignores.
"""

from __future__ import annotations

from pathlib import Path

import packaged
import pytest
from pipeline_support import article_store, graph_names, run, store_quads
from rdflib import BNode, Graph, URIRef
from rdflib import namespace as ns
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from treatykg.core import resources
from treatykg.core.iris import ONTOLOGY_GRAPH, source_graph
from treatykg.core.terms import graph_from_quads
from treatykg.graph.rdf.load import load

from owlapi_harness import owlapi_save

pytestmark = pytest.mark.java

DECLARATION_TYPES = {
    ns.OWL.NamedIndividual,
    ns.OWL.Class,
    ns.OWL.ObjectProperty,
    ns.OWL.DatatypeProperty,
    ns.OWL.AnnotationProperty,
    ns.RDFS.Datatype,
}
UNORDERED_LISTS = {
    ns.OWL.members,
    ns.OWL.distinctMembers,
    ns.OWL.oneOf,
    ns.OWL.unionOf,
    ns.OWL.intersectionOf,
    ns.OWL.disjointUnionOf,
}


def added_declarations(saved: Graph, source: Graph) -> set:
    """The declaration triples (of named entities) the OWL API wrote that the source did not have."""
    declarations = saved.triples((None, ns.RDF.type, None))
    return {(s, p, o) for s, p, o in declarations if isinstance(s, URIRef) and o in DECLARATION_TYPES} - set(
        source
    )


def with_sorted_sets(graph: Graph) -> Graph:
    """A copy of `graph` whose unordered OWL lists hold their members in sorted order."""
    copy = Graph()
    lists = [(s, p, head) for s, p, head in graph if p in UNORDERED_LISTS]
    cells = set()
    for _, _, head in lists:
        node = head
        while node != ns.RDF.nil:
            cells.add(node)
            node = graph.value(node, ns.RDF.rest)
    for triple in graph:
        if triple[0] not in cells and triple[1] not in UNORDERED_LISTS:
            copy.add(triple)
    for subject, predicate, head in lists:
        items = sorted(Collection(graph, head), key=lambda item: item.n3())
        new_head = BNode()
        Collection(copy, new_head, items)
        copy.add((subject, predicate, new_head))
    return copy


def matches_source(saved: Graph, source: Graph) -> bool:
    """Whether a saved graph is its source, the OWL API's added declarations and list order set aside."""
    kept = Graph()
    added = added_declarations(saved, source)
    for triple in saved:
        if triple not in added:
            kept.add(triple)
    return isomorphic(with_sorted_sets(kept), with_sorted_sets(source))


@pytest.fixture(scope="module")
def article(tmp_path_factory) -> Path:
    """The article as Protégé opens it: its compiled graph with the entities and the reconciled view."""
    data = packaged.protege_folder(tmp_path_factory.mktemp("layout"))
    return data / f"{packaged.ARTICLE}.ttl"


@pytest.fixture(scope="module")
def saved(owltool, tmp_path_factory, article) -> dict[str, Path]:
    """The ontology and the article data as the OWL API saves them, in RDF/XML and in Turtle."""
    folder = tmp_path_factory.mktemp("protege")
    files = {}
    for syntax, extension in (("rdfxml", "owl"), ("turtle", "ttl")):
        files[f"ontology-{syntax}"] = folder / f"treatykg-{syntax}.{extension}"
        owlapi_save(resources.ontology_file(), files[f"ontology-{syntax}"], syntax)
        files[f"data-{syntax}"] = folder / f"cfe-withdrawal-article-{syntax}.{extension}"
        owlapi_save(article, files[f"data-{syntax}"], syntax, [article.parent])
    return files


@pytest.mark.parametrize("syntax", ["rdfxml", "turtle"])
def test_the_saved_ontology_is_its_source_with_only_list_order_changed(saved, syntax):
    source, copy = load(resources.ontology_file()), load(saved[f"ontology-{syntax}"])
    assert added_declarations(copy, source) == set()  # the editors' file already declares everything
    assert not isomorphic(copy, source)  # the OWL API did reorder the unordered lists...
    assert matches_source(copy, source)  # ...and that is the only difference


@pytest.mark.parametrize("syntax", ["rdfxml", "turtle"])
def test_the_saved_data_is_its_source_plus_individual_declarations(saved, article, syntax):
    source, copy = load(article), load(saved[f"data-{syntax}"])
    added = added_declarations(copy, source)
    assert added
    assert {o for _, _, o in added} == {ns.OWL.NamedIndividual}
    # Typed individuals of the source, or the ontology's terms it uses as values (a claimed class is the
    # class's IRI punned as an individual; a conflict's kind is an individual of the ontology).
    ontology = load(resources.ontology_file())
    assert all((s, ns.RDF.type, None) in source or (s, None, None) in ontology for s, _, _ in added)
    assert matches_source(copy, source)


@pytest.mark.parametrize("syntax", ["rdfxml", "turtle"])
def test_saved_files_build_into_the_same_graphs_and_validate(capsys, saved, article, tmp_path, syntax):
    ontology, data = saved[f"ontology-{syntax}"], saved[f"data-{syntax}"]
    links = resources.data_dir() / "wikidata-links.ttl"
    result = run(
        capsys, "build", "--store", tmp_path / "saved", "--ontology", ontology, "--data", data, links
    )
    assert result.code == 0, result.err
    unsaved = tmp_path / "unsaved"
    assert run(capsys, "build", "--store", unsaved, "--data", article, links).code == 0
    assert graph_names(tmp_path / "saved") == graph_names(unsaved)  # same graph names as unsaved

    def stored(store: Path, name: str) -> Graph:
        return graph_from_quads(q for q in store_quads(store) if getattr(q.graph_name, "value", None) == name)

    for name in (ONTOLOGY_GRAPH, source_graph(packaged.ARTICLE)):
        assert matches_source(stored(tmp_path / "saved", name), stored(unsaved, name)), name
    # The build's ontology graph is the packaged sources' too.
    assert matches_source(stored(unsaved, ONTOLOGY_GRAPH), stored(article_store(), ONTOLOGY_GRAPH))
    assert run(capsys, "validate", data, links, "--ontology", ontology).code == 0
