"""`treatykg serve` on a remote store (Oxigraph server, Virtuoso): the protocol, safety and limits intact."""

from __future__ import annotations

import csv
import io
import json
import time
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from rdflib import Graph
from server_harness import AUTH, Canary, LiveServer

from treatykg.cli.main import main
from treatykg.core.iris import ONTOLOGY_GRAPH
from treatykg.graph.store.remote import META_GRAPH, open_remote

pytestmark = pytest.mark.slow

NUMBERS = "http://example.org/numbers"
RUSSIA = "https://w3id.org/treatykg/id/state/russia"
LABEL = f"SELECT ?label WHERE {{ <{RUSSIA}> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
# 10^7 rows, each tested: seconds of work for the remote (Virtuoso refuses outright a query it estimates
# past 400 s, which 10^8 rows would be), which it stops itself at the deadline it is sent.
SLOW = (
    "SELECT (COUNT(*) AS ?n) { ?a <http://example.org/p> ?b . ?c <http://example.org/p> ?d . "
    "?e <http://example.org/p> ?f . VALUES ?x { 0 1 2 3 4 5 6 7 8 9 } "
    'FILTER(CONCAT(STR(?b), STR(?d), STR(?f), STR(?x)) != "x") }'
)
DEADLINE = 1.0
ROW_LIMIT = 5


@pytest.fixture(scope="module")
def oxigraph(remote):
    """Each remote engine holding the built article and 100 numbers in a graph of their own (written
    through TreatyKG, so the graph is in its dataset on every engine)."""
    assert main(["build", "--store", remote.store]) == 0
    numbers = " ".join(f"<http://example.org/n{i}> <http://example.org/p> {i} ." for i in range(100))
    with LiveServer(remote.store, REMOTE_DIALECT=remote.dialect) as live:
        assert live.update(f"INSERT DATA {{ GRAPH <{NUMBERS}> {{ {numbers} }} }}").status == 204
    return remote


@pytest.fixture(scope="module")
def served(oxigraph):
    """The endpoint on the remote store, with the default limits."""
    with LiveServer(oxigraph.store, REMOTE_DIALECT=oxigraph.dialect) as live:
        yield live


@pytest.fixture(scope="module")
def tight(oxigraph):
    """The endpoint on the remote store with a 1 s deadline and a 5-row cap."""
    settings = {"QUERY_TIMEOUT": DEADLINE, "ROW_LIMIT": ROW_LIMIT, "REMOTE_DIALECT": oxigraph.dialect}
    with LiveServer(oxigraph.store, **settings) as live:
        yield live


@pytest.fixture(scope="module")
def trusted(oxigraph):
    """The endpoint on the remote store, trusted to be its only writer: its answers are cached."""
    with LiveServer(oxigraph.store, REMOTE_CACHE_TRUSTED=True, REMOTE_DIALECT=oxigraph.dialect) as live:
        yield live


@pytest.fixture(scope="module")
def canary():
    """The loopback server that must never be called."""
    with Canary() as server:
        yield server


def _query(server: LiveServer, query: str, accept: str | None = None, **params):
    """GET /sparql with the query, an Accept header and extra parameters."""
    extra = "".join(f"&{key}={quote(value)}" for key, value in params.items())
    return server.request(
        "GET", f"/sparql?query={quote(query)}{extra}", headers={"Accept": accept} if accept else {}
    )


def test_select_in_every_results_format(served: LiveServer) -> None:
    """JSON, XML, CSV and TSV, converted from the remote's answer."""
    document = json.loads(_query(served, LABEL).body)
    assert [row["label"]["value"] for row in document["results"]["bindings"]] == ["Russia"]
    assert document["results"]["bindings"][0]["label"]["xml:lang"] == "en"
    xml = _query(served, LABEL, "application/sparql-results+xml")
    assert xml.media_type == "application/sparql-results+xml"
    assert 'xml:lang="en">Russia<' in xml.text
    rows = list(csv.reader(io.StringIO(_query(served, LABEL, "text/csv").text, newline="")))
    assert rows == [["label"], ["Russia"]]
    assert _query(served, LABEL, "text/tab-separated-values").text.splitlines() == ["?label", '"Russia"@en']


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_in_every_rdf_format(served: LiveServer, accept: str, rdflib_format: str) -> None:
    """CONSTRUCT answers parse back to the triples asked for."""
    reply = _query(served, f"CONSTRUCT WHERE {{ <{RUSSIA}> ?p ?o }}", accept)
    assert reply.status == 200
    assert reply.media_type == accept
    assert len(Graph().parse(data=reply.body, format=rdflib_format)) >= 5


def test_ask_union_default_graph_and_dataset_parameters(served: LiveServer) -> None:
    """The default graph is the union; default-graph-uri narrows it to graphs of the remote."""
    assert json.loads(_query(served, f"ASK {{ <{RUSSIA}> ?p ?o }}").body)["boolean"] is True
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    narrowed = json.loads(_query(served, count, **{"default-graph-uri": NUMBERS}).body)
    assert narrowed["results"]["bindings"][0]["n"]["value"] == "100"
    from_numbers = f"SELECT (COUNT(*) AS ?n) FROM <{NUMBERS}> {{ ?s ?p ?o }}"
    from_clause = json.loads(_query(served, from_numbers).body)
    assert from_clause["results"]["bindings"][0]["n"]["value"] == "100"
    assert _query(served, f"ASK {{ <{RUSSIA}> ?p ?o }}", "application/sparql-results+xml").status == 200


def test_a_bad_query_is_400(served: LiveServer) -> None:
    """The remote's syntax error comes back as 400 with its message."""
    reply = _query(served, "SELEC * WHERE { ?s ?p ?o }")
    assert reply.status == 400
    assert "syntax" in reply.text


def test_service_is_refused_before_forwarding_and_from_is_never_fetched(served: LiveServer, canary) -> None:
    """SERVICE and LOAD are 400 here; FROM and the dataset parameters name graphs of the remote only."""
    assert _query(served, f"SELECT * {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}").status == 400
    update = served.request(
        "POST", "/update", f"LOAD <{canary.url}>", {"Content-Type": "application/sparql-update", **AUTH}
    )
    assert update.status == 400
    empty = _query(served, f"SELECT ?s FROM <{canary.url}> {{ ?s ?p ?o }}")
    assert json.loads(empty.body)["results"]["bindings"] == []
    named = _query(served, "SELECT ?s { ?s ?p ?o }", **{"default-graph-uri": canary.url})
    assert json.loads(named.body)["results"]["bindings"] == []
    assert canary.requests == []


def test_deadline_stops_waiting_for_a_slow_remote(tight: LiveServer) -> None:
    """A query the remote takes seconds over is 503 at the 1 s deadline; the endpoint goes on serving."""
    started = time.perf_counter()
    reply = _query(tight, SLOW)
    elapsed = time.perf_counter() - started
    assert reply.status == 503
    assert "ran out of time" in reply.text
    assert DEADLINE <= elapsed < DEADLINE + 1.0
    assert _query(tight, "ASK {}").status == 200


def test_row_cap_truncates_and_says_so(tight: LiveServer) -> None:
    """Past the cap: the first rows, the headers, and the note."""
    reply = _query(tight, f"SELECT ?s {{ GRAPH <{NUMBERS}> {{ ?s ?p ?o }} }}")
    assert reply.headers["X-TreatyKG-Truncated"] == "true"
    assert reply.headers["X-TreatyKG-Row-Limit"] == str(ROW_LIMIT)
    document = json.loads(reply.body)
    assert len(document["results"]["bindings"]) == ROW_LIMIT
    assert "Truncated" in document["truncated"]["note"]
    turtle = _query(
        tight, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{NUMBERS}> {{ ?s ?p ?o }} }}", "text/turtle"
    )
    assert turtle.text.startswith("# Truncated")


def test_graph_store_reads(served: LiveServer, oxigraph) -> None:
    """GET /store serves the remote's graphs (404 for an absent one) and never the version record."""
    reply = served.request("GET", f"/store?graph={quote(ONTOLOGY_GRAPH)}", headers={"Accept": "text/turtle"})
    assert reply.status == 200
    assert len(Graph().parse(data=reply.body, format="turtle")) == len(
        [q for q in oxigraph.quads() if q.graph_name == ox.NamedNode(ONTOLOGY_GRAPH)]
    )
    assert served.request("GET", "/store?graph=http%3A%2F%2Fexample.org%2Fabsent").status == 404
    dataset = served.request("GET", "/store", headers={"Accept": "application/n-quads"})
    assert META_GRAPH.encode() not in dataset.body
    assert len(list(ox.parse(dataset.body, format=ox.RdfFormat.N_QUADS))) == len(oxigraph.quads())


def test_dumps_hold_the_remote_dataset(served: LiveServer) -> None:
    """/dumps/dataset.nq, written from the remote's dataset, holds the quads GET /store serves."""
    dump = served.request("GET", "/dumps/dataset.nq")
    assert dump.status == 200
    dumped = list(ox.parse(dump.body, format=ox.RdfFormat.N_QUADS))
    stored = list(
        ox.parse(
            served.request("GET", "/store", headers={"Accept": "application/n-quads"}).body,
            format=ox.RdfFormat.N_QUADS,
        )
    )
    assert len(dumped) == len(stored) > 1000

    def named(quads: list[ox.Quad]) -> set[tuple]:
        """The quads without blank nodes (a dump labels them anew), literals by their lexical form (the
        export writes literals canonically, Virtuoso keeps no integer subtype)."""
        return {
            (
                q.subject,
                q.predicate,
                q.object.value if isinstance(q.object, ox.Literal) else q.object,
                q.graph_name,
            )
            for q in quads
            if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
        }

    assert named(dumped) == named(stored)


def test_linked_data_pages(served: LiveServer) -> None:
    """An entity IRI dereferences to its page and its RDF, from the remote."""
    page = served.request("GET", "/id/state/russia", headers={"Accept": "text/html"})
    assert page.status == 200
    assert "Russia" in page.text
    turtle = served.request("GET", "/id/state/russia", headers={"Accept": "text/turtle"})
    assert RUSSIA in turtle.text


def test_a_validated_write_is_pushed_with_the_next_version(served: LiveServer, oxigraph) -> None:
    """An update with the token lands in the remote, and the version (and so the ETag) moves on."""
    before = open_remote(oxigraph.store).version()
    tag = _query(served, LABEL).headers["ETag"]
    reply = served.update(
        'INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/x> <http://example.org/p> "hi" } }'
    )
    assert reply.status == 204, reply.text
    after = open_remote(oxigraph.store).version()
    assert after.version == before.version + 1
    assert after.graph_quads["http://example.org/g"] == 1
    assert any(q.graph_name == ox.NamedNode("http://example.org/g") for q in oxigraph.quads())
    assert _query(served, LABEL).headers["ETag"] != tag


def _cache(server: LiveServer) -> dict[str, float]:
    """The result cache's samples from /metrics."""
    text = server.request("GET", "/metrics").text
    return {
        line.split(" ")[0]: float(line.split(" ")[1])
        for line in text.splitlines()
        if line.startswith("treatykg_result_cache_") and "{" not in line
    }


def test_the_result_cache_is_off_on_an_untrusted_remote(served: LiveServer) -> None:
    """Others may write the remote without moving its version: nothing is kept, every query goes there."""
    before = _query(served, LABEL + " # untrusted")
    after = _query(served, LABEL + " # untrusted")
    assert before.body == after.body
    cache = _cache(served)
    assert cache["treatykg_result_cache_max_bytes"] == 0
    assert cache["treatykg_result_cache_hits_total"] == cache["treatykg_result_cache_misses_total"] == 0


VERSION_RECORD = f"SELECT ?record WHERE {{ GRAPH <{META_GRAPH}> {{ ?s ?p ?record }} }}"


def _recorded_version(server: LiveServer) -> int:
    """The version in the remote's version record, as the endpoint answers it."""
    reply = _query(server, VERSION_RECORD, "application/sparql-results+json")
    assert reply.status == 200, reply.text
    return json.loads(json.loads(reply.body)["results"]["bindings"][0]["record"]["value"])["version"]


def test_a_trusted_remote_caches_until_a_write_or_a_rebuild(trusted: LiveServer, oxigraph) -> None:
    """Repeats are hits; this server's write reads at once, another's rebuild once its version shows."""
    version = open_remote(oxigraph.store).version().version
    assert _recorded_version(trusted) == _recorded_version(trusted) == version
    assert _cache(trusted)["treatykg_result_cache_hits_total"] >= 1
    triple = '<http://example.org/x> <http://example.org/p> "c"'
    reply = trusted.update(f"INSERT DATA {{ GRAPH <http://example.org/cached> {{ {triple} }} }}")
    assert reply.status == 204, reply.text
    assert _recorded_version(trusted) == version + 1
    assert main(["build", "--store", oxigraph.store]) == 0  # another process: a rebuild pushed to the remote
    rebuilt = open_remote(oxigraph.store).version().version
    assert rebuilt > version + 1
    time.sleep(1.5)  # the endpoint re-reads the remote's version record at most every second
    assert _recorded_version(trusted) == rebuilt
