"""Each named property of a remote-store dialect, checked against the engine it describes."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef

from treatykg.graph.store.remote import META_GRAPH, open_remote
from treatykg.graph.store.remote_client import Client, RemoteError
from treatykg.graph.store.remote_dialects import DIALECTS
from treatykg.server.harness import OxigraphServe

pytestmark = pytest.mark.slow

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"


def _client(remote, **options) -> Client:
    return open_remote(remote.store, {"dialect": remote.dialect, **options}).client


def _graph(remote, name: str) -> list[ox.Quad]:
    return [quad for quad in remote.quads() if quad.graph_name == ox.NamedNode(name)]


def test_a_whole_update_is_atomic_only_where_the_dialect_says(remote) -> None:
    """An update whose second operation fails (LOAD from a closed loopback port) keeps its first operation
    exactly where the dialect says one request is not one transaction."""
    client = _client(remote)
    with pytest.raises(RemoteError):
        client.update(
            f"INSERT DATA {{ GRAPH <{EX}atomic> {{ <{EX}s> <{EX}p> 1 }} }} ; LOAD <http://127.0.0.1:1/x>"
        )
    kept = len(_graph(remote, f"{EX}atomic"))
    assert kept == (0 if DIALECTS[remote.dialect].atomic_update else 1)
    remote.clear()


def test_the_union_default_graph_is_treatykgs_graphs(remote) -> None:
    """A query over the union sees every graph TreatyKG wrote and nothing else (not Virtuoso's own graphs)."""
    handle = open_remote(remote.store)
    graphs = {f"{EX}a": Graph(), f"{EX}b": Graph()}
    graphs[f"{EX}a"].add((URIRef(f"{EX}s"), URIRef(f"{EX}p"), Literal("a")))
    graphs[f"{EX}b"].add((URIRef(f"{EX}s"), URIRef(f"{EX}p"), Literal("b")))
    handle.replace_build_graphs(graphs)
    rows = list(handle.query_union(COUNT))
    assert int(rows[0]["n"].value) == 3  # the two triples and the version record
    both = f"ASK {{ <{EX}s> <{EX}p> 'a' , 'b' }}"
    assert bool(handle.query_union(both)) is True
    remote.clear()


def test_blank_node_writes_keep_one_node_across_graphs(remote) -> None:
    """A blank node named in two graphs of one push is one node in the store (Virtuoso: a nodeID IRI)."""
    handle = open_remote(remote.store)
    node = BNode()
    first, second = Graph(), Graph()
    first.add((node, URIRef(f"{EX}p"), Literal("in a")))
    second.add((URIRef(f"{EX}s"), URIRef(f"{EX}q"), node))
    handle.replace_build_graphs({f"{EX}a": first, f"{EX}b": second})
    subject = _graph(remote, f"{EX}a")[0].subject
    target = _graph(remote, f"{EX}b")[0].object
    assert isinstance(subject, ox.BlankNode)
    assert subject == target
    joined = f"ASK {{ GRAPH <{EX}b> {{ ?s <{EX}q> ?x }} GRAPH <{EX}a> {{ ?x <{EX}p> 'in a' }} }}"
    assert bool(handle.query_union(joined)) is True
    remote.clear()


def test_literals_read_back_as_the_embedded_store_holds_them_where_the_dialect_says(remote) -> None:
    """`"5"^^xsd:integer` and `"5"^^xsd:nonNegativeInteger`, equal by value, are one term on every store;
    which one is kept is the embedded store's choice on Oxigraph server, maybe another on Virtuoso."""
    update = (
        f'INSERT DATA {{ GRAPH <{EX}lit> {{ <{EX}s> <{EX}n> "5"^^<{XSD}nonNegativeInteger> . '
        f'<{EX}s> <{EX}n> "5"^^<{XSD}integer> }} }}'
    )
    _client(remote).update(update)
    embedded = ox.Store()
    embedded.update(update)
    expected = {str(quad.object) for quad in embedded}
    held = {str(quad.object) for quad in _graph(remote, f"{EX}lit")}
    assert len(held) == len(expected) == 1
    if DIALECTS[remote.dialect].same_literals_as_embedded:
        assert held == expected
    else:
        assert held < {f'"5"^^<{XSD}integer>', f'"5"^^<{XSD}nonNegativeInteger>'}
    remote.clear()


def test_the_size_of_one_update_request(remote) -> None:
    """Virtuoso refuses one INSERT DATA of 2,000 triples; a push of 5,000 arrives whole either way."""
    triples = [(URIRef(f"{EX}s{i}"), URIRef(f"{EX}p"), Literal(i)) for i in range(5000)]
    limit = DIALECTS[remote.dialect].max_operation_statements
    if limit is not None:
        body = " ".join(f"<{EX}s{i}> <{EX}p> {i} ." for i in range(2000))
        with pytest.raises(RemoteError) as refused:
            _client(remote).update(f"INSERT DATA {{ GRAPH <{EX}big> {{ {body} }} }}")
        assert refused.value.status == 400
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    open_remote(remote.store).replace_build_graphs({f"{EX}big": graph})
    assert len(_graph(remote, f"{EX}big")) == 5000
    remote.clear()


def test_a_query_past_the_stores_own_limit_is_an_error_never_a_short_answer(remote) -> None:
    """The store's own limit (Oxigraph: --timeout-s 3; Virtuoso: the timeout parameter, whose cut-short
    answer comes with 200 and X-SQL-State S1TAT) ends in an error, never in a partial count."""
    numbers = " ".join(f"<{EX}n{i}> <{EX}v> {i} ." for i in range(100))
    _client(remote).update(f"INSERT DATA {{ GRAPH <{EX}numbers> {{ {numbers} }} }}")
    slow = (
        f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{EX}numbers> {{ ?a <{EX}v> ?b . ?c <{EX}v> ?d . ?e <{EX}v> ?f }} "
        'VALUES ?x { 0 1 2 3 4 5 6 7 8 9 } FILTER(CONCAT(STR(?b), STR(?d), STR(?f), STR(?x)) != "x") }'
    )
    client = _client(remote)
    fields = {"query": slow}
    if remote.dialect == "virtuoso":
        fields["timeout"] = "1000"  # milliseconds: Virtuoso's own limit, far inside the client's 30 s
    started = time.perf_counter()
    with (
        pytest.raises((RemoteError, SyntaxError, ValueError, OSError)) as stopped,
        client.exchange(
            "POST",
            client.endpoints.query,
            urlencode(fields).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json",
            },
            timeout=30,
        ) as answer,
    ):
        list(ox.parse_query_results(answer.read(), ox.QueryResultsFormat.JSON))
    assert time.perf_counter() - started < 20
    if remote.dialect == "virtuoso":
        assert isinstance(stopped.value, RemoteError)
        assert stopped.value.status == 503
        assert "cut its answer short" in str(stopped.value)
    remote.clear()


def test_virtuoso_writes_need_its_digest_credentials(virtuoso_server) -> None:
    """Without credentials an update on /sparql is refused; a wrong password gets 401; dba's Digest works."""
    bare = virtuoso_server.store.replace("dba:dba@", "")
    with pytest.raises(RemoteError):
        open_remote(bare, {"dialect": "virtuoso"}).client.update(
            f"INSERT DATA {{ GRAPH <{EX}x> {{ <{EX}a> <{EX}b> 1 }} }}"
        )
    wrong = virtuoso_server.store.replace("dba:dba@", "dba:wrong@")
    with pytest.raises(RemoteError) as refused:
        open_remote(wrong, {"dialect": "virtuoso"}).client.update(
            f"INSERT DATA {{ GRAPH <{EX}x> {{ <{EX}a> <{EX}b> 1 }} }}"
        )
    assert refused.value.status == 401
    open_remote(virtuoso_server.store, {"dialect": "virtuoso"}).client.update(
        f"INSERT DATA {{ GRAPH <{EX}x> {{ <{EX}a> <{EX}b> 1 }} }}"
    )
    assert len(_graph(virtuoso_server, f"{EX}x")) == 1
    virtuoso_server.clear()


def test_the_generic_dialect_on_a_store_whose_default_graph_is_the_union(tmp_path) -> None:
    """Plain Protocol + Graph Store (Oxigraph server with --union-default-graph standing in for Fuseki):
    the push, the union and the graph-by-graph dump hold."""
    with OxigraphServe(tmp_path / "generic", union_default_graph=True) as server:
        options = {"dialect": "generic", "query": "/query", "update": "/update", "store": "/store"}
        handle = open_remote(server.store, options)
        graph = Graph()
        node = BNode()
        graph.add((node, URIRef(f"{EX}p"), Literal("x")))
        graph.add((URIRef(f"{EX}s"), URIRef(f"{EX}q"), node))
        handle.replace_build_graphs({f"{EX}g": graph})
        assert int(next(iter(handle.query_union(COUNT)))["n"].value) == 3
        dumped = list(ox.parse(handle.dump_nquads(), format=ox.RdfFormat.N_QUADS))
        assert len(dumped) == 2
        assert META_GRAPH not in {quad.graph_name.value for quad in dumped}
        assert handle.version().version == 1
