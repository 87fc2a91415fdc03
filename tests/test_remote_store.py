"""The remote store against a real Oxigraph server: the build's push, query, export, equal answers."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Literal, URIRef

from treatykg.cli.main import main
from treatykg.core.errors import InputError
from treatykg.core.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH
from treatykg.core.terms import to_rdflib
from treatykg.graph.build.reference import build, load_inputs
from treatykg.graph.query.prepared import list_queries
from treatykg.graph.store.embedded import open_store, query_union
from treatykg.graph.store.remote import META_GRAPH, RemoteStore, open_remote, with_values
from treatykg.graph.store.remote_client import resolve
from treatykg.server.harness import OxigraphServe

NOTES = "http://example.org/notes"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory):
    """The packaged ontology and data built into an embedded store: the reference for every comparison."""
    with open_store(tmp_path_factory.mktemp("embedded")) as handle:
        build(handle, load_inputs(), reasoned=True)
        yield handle.store


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory):
    """A real Oxigraph server on loopback, built into with `treatykg build --store sparql+http://…`."""
    with OxigraphServe(tmp_path_factory.mktemp("oxigraph")) as server:
        assert main(["build", "--store", server.store]) == 0
        yield server


def canonical(quads) -> set[ox.Quad]:
    """Quads with blank nodes relabelled by RDFC-1.0, so two stores' copies compare as sets."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)


@pytest.mark.slow
def test_build_pushes_exactly_the_store_quads(embedded, oxigraph) -> None:
    """The remote holds exactly the embedded store's quads, plus the one-triple version record."""
    assert canonical(oxigraph.quads()) == canonical(embedded.quads_for_pattern(None, None, None))
    records = [q for q in oxigraph.quads(with_record=True) if q.graph_name == ox.NamedNode(META_GRAPH)]
    assert len(records) == 1
    version = RemoteStore(resolve(oxigraph.store)).version()
    assert version.version >= 1
    assert version.store_id
    assert {ONTOLOGY_GRAPH, INFERRED_GRAPH} <= set(version.build_graphs)
    assert version.graph_quads[INFERRED_GRAPH] == len(
        list(embedded.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH)))
    )


@pytest.mark.slow
def test_a_second_build_keeps_a_graph_written_over_http(embedded, oxigraph) -> None:
    """A graph another client PUT into the remote survives the rebuild; the build's graphs are replaced."""
    oxigraph.put_graph(NOTES, "<http://example.org/a> <http://example.org/says> 'kept' .")
    before = RemoteStore(resolve(oxigraph.store)).version()
    assert main(["build", "--store", oxigraph.store]) == 0
    after = RemoteStore(resolve(oxigraph.store)).version()
    assert after.version == before.version + 1
    assert after.store_id == before.store_id
    assert after.graph_quads[NOTES] == 1
    assert NOTES not in after.build_graphs
    notes = ox.Quad(
        ox.NamedNode("http://example.org/a"),
        ox.NamedNode("http://example.org/says"),
        ox.Literal("kept"),
        ox.NamedNode(NOTES),
    )
    assert canonical(oxigraph.quads()) == canonical([*embedded.quads_for_pattern(None, None, None), notes])
    oxigraph.update(f"DROP GRAPH <{NOTES}>")


@pytest.mark.slow
def test_a_push_too_large_for_one_update_is_staged(embedded, tmp_path: Path) -> None:
    """Past the one-request limit the push drops, then POSTs N-Quads: the same quads arrive."""
    with OxigraphServe(tmp_path / "staged") as server:
        with open_remote(server.store, {"max_update_bytes": 10_000}) as handle:
            build(handle, load_inputs(), reasoned=True)
        assert canonical(server.quads()) == canonical(embedded.quads_for_pattern(None, None, None))
        assert RemoteStore(resolve(server.store)).version().version == 1


@pytest.mark.slow
def test_query_and_export_work_on_the_remote(embedded, oxigraph, tmp_path: Path, capsys) -> None:
    """`treatykg query` runs on the remote; `treatykg export` writes the bytes the embedded store gives."""
    assert main(["query", "cq-treaties-left", "--format", "csv", "--store", oxigraph.store]) == 0
    assert "Russia revokes its ratification of the CTBT" in capsys.readouterr().out
    assert (
        main(["export", "--format", "nq", "--out", str(tmp_path / "remote"), "--store", oxigraph.store]) == 0
    )
    with open_store(tmp_path / "local") as handle:
        build(handle, load_inputs(), reasoned=True)
    assert (
        main(
            [
                "export",
                "--format",
                "nq",
                "--out",
                str(tmp_path / "local-out"),
                "--store",
                str(tmp_path / "local"),
            ]
        )
        == 0
    )
    for name in ("dataset.nq", "void.ttl", "context.jsonld"):
        assert (tmp_path / "remote" / name).read_bytes() == (tmp_path / "local-out" / name).read_bytes(), name


def _key(term) -> tuple | None:
    """A term of either library by RDF term equality (literals by value); blank nodes all alike."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        term = to_rdflib(term)
    if isinstance(term, BNode):
        return ("bnode",)
    if isinstance(term, URIRef):
        return ("iri", str(term))
    # By value: rdflib's parser rewrites lexical forms ("…Z" becomes "…+00:00"), Oxigraph keeps them.
    value = term.toPython()
    datatype = None if term.language else str(term.datatype or XSD_STRING)
    return ("literal", str(value) if isinstance(value, Literal) else value, term.language, datatype)


def _exact(term) -> str | None:
    """A pyoxigraph term in N-Triples syntax; blank nodes all alike."""
    return None if term is None else "_:" if isinstance(term, ox.BlankNode) else str(term)


@pytest.fixture(scope="module")
def reference(embedded) -> Dataset:
    """The rdflib reference path: the same quads in an rdflib Dataset whose default graph is the union."""
    dataset = Dataset(default_union=True)
    dataset.parse(data=embedded.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
    return dataset


@pytest.mark.slow
@pytest.mark.parametrize("query", list_queries(), ids=lambda query: query.name)
def test_competency_answers_agree_embedded_remote_and_rdflib(query, embedded, oxigraph, reference) -> None:
    """Every prepared query with its default parameters: the same answer, as a set, on all three paths."""
    substitutions = query.bind()
    local = query_union(embedded, query.text, substitutions=substitutions)
    variables = [variable.value for variable in local.variables]
    expected = {tuple(_key(row[name]) for name in variables) for row in local}
    remote = list(RemoteStore(resolve(oxigraph.store)).query_union(query.text, substitutions))
    assert {tuple(_key(row[name]) for name in variables) for row in remote} == expected
    # Oxigraph on both sides: the very same lexical forms too.
    exact = {tuple(_exact(row[name]) for name in variables) for row in remote}
    local = query_union(embedded, query.text, substitutions=substitutions)
    assert exact == {tuple(_exact(row[name]) for name in variables) for row in local}
    bindings = {str(variable.value): to_rdflib(term) for variable, term in substitutions.items()}
    rdflib_rows = reference.query(query.text, initBindings=bindings)
    assert {tuple(_key(row[name]) for name in variables) for row in rdflib_rows} == expected
    if query.name.startswith("cq-"):
        assert expected, f"{query.name} has an answer"


def test_values_binding_keeps_a_query_valid() -> None:
    """Parameters travel as a trailing VALUES clause written by pyoxigraph (no string pasting)."""
    text = with_values("SELECT ?s WHERE { ?s ?p ?o }", {ox.Variable("s"): ox.Literal('a "b"')})
    assert text.rstrip().endswith('VALUES (?s) { ("a \\"b\\"") }')
    assert ox.Store().query(text) is not None


def test_endpoints_follow_the_dialect_and_the_overrides() -> None:
    """Oxigraph's paths by default, else a dialect's; overrides as paths or URLs; credentials as Basic."""
    oxigraph = resolve("sparql+http://127.0.0.1:7878")
    assert (oxigraph.query, oxigraph.update, oxigraph.store) == (
        "http://127.0.0.1:7878/query",
        "http://127.0.0.1:7878/update",
        "http://127.0.0.1:7878/store",
    )
    assert oxigraph.union_param == "union-default-graph"
    fuseki = resolve("sparql+https://reader:s3cret@kg.example:3030/ds", {"dialect": "fuseki"})
    assert (fuseki.query, fuseki.update, fuseki.store) == (
        "https://kg.example:3030/ds/query",
        "https://kg.example:3030/ds/update",
        "https://kg.example:3030/ds/data",
    )
    assert fuseki.location == "sparql+https://kg.example:3030/ds"  # never the password
    assert fuseki.authorization == "Basic cmVhZGVyOnMzY3JldA=="
    assert (fuseki.union_param, fuseki.timeout_param) == ("", "timeout")
    split = resolve(
        "sparql+https://writer.example:8182",
        {"dialect": "neptune", "query": "https://reader.example:8182/sparql", "store": "/sparql/gsp/"},
    )
    assert split.query == "https://reader.example:8182/sparql"
    assert split.update == "https://writer.example:8182/sparql"
    assert split.store == "https://writer.example:8182/sparql/gsp/"
    with pytest.raises(InputError, match="unknown remote store dialect"):
        resolve("sparql+http://h", {"dialect": "nope"})
