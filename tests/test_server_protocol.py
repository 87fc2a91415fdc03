"""The endpoint over HTTP: a real client, formats, negotiation, HEAD, ETag/304, CORS, the Graph Store."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote

import pytest
from rdflib import Graph, URIRef
from server_harness import AUTH, LiveServer
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

DATA = """
PREFIX ex: <http://example.org/>
INSERT DATA {
  GRAPH ex:g1 { ex:alice ex:knows ex:bob . ex:alice ex:name "Alice"@en }
  GRAPH ex:g2 { ex:bob ex:name "Bob, \\"the\\" builder" ; ex:age 42 }
}
"""
SELECT_ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """A server over a scratch store holding two small named graphs."""
    with LiveServer(tmp_path_factory.mktemp("protocol-store")) as live:
        assert live.update(DATA).status == 204
        yield live


def _get(server: LiveServer, query: str, accept: str | None = None, **params):
    """GET /sparql?query=… with an Accept header."""
    query_string = "&".join(
        [f"query={quote(query)}"] + [f"{key}={quote(value)}" for key, value in params.items()]
    )
    return server.request("GET", f"/sparql?{query_string}", headers={"Accept": accept} if accept else {})


def test_sparqlwrapper_select_json(server: LiveServer) -> None:
    """SPARQLWrapper, a real client, gets SELECT results as SPARQL JSON."""
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery("SELECT ?name WHERE { ?person <http://example.org/name> ?name } ORDER BY ?name")
    client.setReturnFormat(JSON)
    results = client.queryAndConvert()
    names = [row["name"]["value"] for row in results["results"]["bindings"]]
    assert names == ["Alice", 'Bob, "the" builder']
    assert results["results"]["bindings"][0]["name"]["xml:lang"] == "en"


def test_sparqlwrapper_construct_turtle(server: LiveServer) -> None:
    """SPARQLWrapper gets a CONSTRUCT as Turtle, which rdflib reads back."""
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery(
        "CONSTRUCT { ?s <http://example.org/knows> ?o } WHERE { ?s <http://example.org/knows> ?o }"
    )
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.queryAndConvert(), format="turtle")
    assert set(graph) == {
        (
            URIRef("http://example.org/alice"),
            URIRef("http://example.org/knows"),
            URIRef("http://example.org/bob"),
        )
    }


def test_default_graph_is_the_union_and_dataset_parameters_narrow_it(server: LiveServer) -> None:
    """Queries see every graph by default; default-graph-uri / FROM pick graphs from the store."""
    # Every graph but the writes' provenance (server/writes/commit.py), which the fixture's write added to.
    union = json.loads(
        _get(
            server,
            "SELECT (COUNT(*) AS ?n) { ?s ?p ?o FILTER NOT EXISTS "
            "{ GRAPH <https://w3id.org/treatykg/graph/writes> { ?s ?p ?o } } }",
        ).body
    )
    assert union["results"]["bindings"][0]["n"]["value"] == "4"
    one = json.loads(
        _get(
            server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", **{"default-graph-uri": "http://example.org/g1"}
        ).body
    )
    assert one["results"]["bindings"][0]["n"]["value"] == "2"
    from_clause = json.loads(
        _get(server, "SELECT (COUNT(*) AS ?n) FROM <http://example.org/g2> { ?s ?p ?o }").body
    )
    assert from_clause["results"]["bindings"][0]["n"]["value"] == "2"
    named_only = json.loads(
        _get(server, "SELECT (COUNT(*) AS ?n) FROM NAMED <http://example.org/g2> { ?s ?p ?o }").body
    )
    assert named_only["results"]["bindings"][0]["n"]["value"] == "0"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        (
            "text/csv;q=0.5, application/sparql-results+xml;q=0.9, text/turtle",
            "application/sparql-results+xml",
        ),
        ("text/*;q=0.8, application/sparql-results+json;q=0.1", "text/csv"),
        ("application/json", "application/json"),
    ],
)
def test_select_negotiation(server: LiveServer, accept: str | None, media_type: str) -> None:
    """SELECT results in the format the Accept header prefers, q-values and wildcards included."""
    reply = _get(server, SELECT_ALL, accept)
    assert reply.status == 200, reply.text
    assert reply.media_type == media_type
    assert "Accept" in reply.headers.get("Vary", "")


def test_csv_and_tsv_follow_the_spec(server: LiveServer) -> None:
    """CSV: bare values, RFC 4180 quoting, CRLF; TSV: terms in Turtle syntax."""
    rows = list(csv.reader(io.StringIO(_get(server, SELECT_ALL, "text/csv").text, newline="")))
    assert rows[0] == ["s", "p", "o"]
    assert ["http://example.org/bob", "http://example.org/name", 'Bob, "the" builder'] in rows
    assert _get(server, SELECT_ALL, "text/csv").body.endswith(b"\r\n")
    tsv = _get(server, SELECT_ALL, "text/tab-separated-values").text.splitlines()
    assert tsv[0] == "?s\t?p\t?o"
    assert '<http://example.org/alice>\t<http://example.org/name>\t"Alice"@en' in tsv


@pytest.mark.parametrize(
    ("format_name", "media_type"),
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
    ],
)
def test_format_parameter_overrides_accept(server: LiveServer, format_name: str, media_type: str) -> None:
    """`format=` wins over the Accept header."""
    reply = _get(
        server, SELECT_ALL, "application/sparql-results+json;q=1, text/csv;q=0.1", format=format_name
    )
    assert reply.media_type == media_type


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/trig", "trig"),
        ("application/n-quads", "nquads"),
    ],
)
def test_construct_and_describe_in_every_rdf_format(
    server: LiveServer, accept: str, rdflib_format: str
) -> None:
    """CONSTRUCT and DESCRIBE come in all six RDF formats, and rdflib reads each back."""
    for query in ("CONSTRUCT WHERE { ?s ?p ?o }", "DESCRIBE <http://example.org/alice>"):
        reply = _get(server, query, accept)
        assert reply.status == 200, reply.text
        assert reply.media_type == accept
        graph = Graph().parse(data=reply.body, format=rdflib_format)
        assert (
            URIRef("http://example.org/alice"),
            URIRef("http://example.org/knows"),
            URIRef("http://example.org/bob"),
        ) in graph


def test_ask_as_json_and_xml(server: LiveServer) -> None:
    """ASK answers a SPARQL boolean in JSON or XML."""
    assert json.loads(_get(server, "ASK { ?s ?p 42 }").body) == {"head": {}, "boolean": True}
    assert (
        b"<boolean>false</boolean>" in _get(server, "ASK { ?s ?p 43 }", "application/sparql-results+xml").body
    )


def test_post_form_and_direct(server: LiveServer) -> None:
    """Queries via POST, URL-encoded and direct, with dataset parameters in the query string."""
    query = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    form = server.request(
        "POST",
        "/sparql",
        f"query={quote(query)}&default-graph-uri={quote('http://example.org/g2')}",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert json.loads(form.body)["results"]["bindings"][0]["n"]["value"] == "2"
    direct = server.request(
        "POST",
        f"/sparql?named-graph-uri={quote('http://example.org/g1')}",
        query,
        {"Content-Type": "application/sparql-query; charset=utf-8"},
    )
    assert json.loads(direct.body)["results"]["bindings"][0]["n"]["value"] == "0"


def test_head_etag_and_304(server: LiveServer) -> None:
    """HEAD answers like GET without a body; the ETag follows the store version; If-None-Match gives 304."""
    path = f"/sparql?query={quote('ASK {}')}"
    got = server.request("GET", path)
    head = server.request("HEAD", path)
    assert head.status == 200
    assert head.body == b""
    assert head.headers["ETag"] == got.headers["ETag"]
    assert server.request("GET", path, headers={"If-None-Match": got.headers["ETag"]}).status == 304
    assert server.update("INSERT DATA { <http://example.org/x> <http://example.org/y> 1 }").status == 204
    after = server.request("GET", path, headers={"If-None-Match": got.headers["ETag"]})
    assert after.status == 200
    assert after.headers["ETag"] != got.headers["ETag"]
    assert server.update("DELETE DATA { <http://example.org/x> <http://example.org/y> 1 }").status == 204
    description = server.request("GET", "/sparql")
    assert server.request("HEAD", "/sparql").headers["ETag"] == description.headers["ETag"]
    assert (
        server.request("GET", "/sparql", headers={"If-None-Match": description.headers["ETag"]}).status == 304
    )


def test_cors_preflight_and_headers(server: LiveServer) -> None:
    """Browser clients on other origins (YASGUI) may query: preflight and every answer carry CORS headers."""
    preflight = server.request(
        "OPTIONS",
        "/sparql",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, accept",
        },
    )
    assert preflight.status in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
    reply = _get(server, "ASK {}")
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-TreatyKG-Truncated" in reply.headers["Access-Control-Expose-Headers"]


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_service_description_formats(server: LiveServer, accept: str, rdflib_format: str) -> None:
    """The service description in Turtle, RDF/XML and JSON-LD, with the dataset's VoID description."""
    reply = server.request("GET", "/sparql", headers={"Accept": accept})
    assert reply.media_type == accept
    graph = Graph().parse(data=reply.body, format=rdflib_format)
    sd, void = "http://www.w3.org/ns/sparql-service-description#", "http://rdfs.org/ns/void#"
    service = graph.value(predicate=URIRef(sd + "endpoint"), object=URIRef(f"{server.url}/sparql"))
    assert service is not None
    assert (service, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Update")) in graph
    assert (service, URIRef(sd + "feature"), URIRef(sd + "UnionDefaultGraph")) in graph
    assert (
        service,
        URIRef(sd + "defaultEntailmentRegime"),
        URIRef("http://www.w3.org/ns/entailment/Simple"),
    ) in graph
    assert (
        service,
        URIRef(sd + "resultFormat"),
        URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV"),
    ) in graph
    dataset = graph.value(service, URIRef(sd + "defaultDataset"))
    assert (dataset, URIRef(void + "sparqlEndpoint"), None) in graph
    assert (dataset, URIRef(sd + "namedGraph"), URIRef("http://example.org/g1")) in graph


def test_graph_store_protocol_round_trip(server: LiveServer) -> None:
    """PUT creates (201) and replaces (204), POST adds, GET reads, DELETE removes (then 404)."""
    path = "/store?graph=" + quote("http://example.org/gsp")
    turtle = {"Content-Type": "text/turtle", **AUTH}
    assert (
        server.request("PUT", path, "<http://example.org/a> <http://example.org/b> 1 .", turtle).status == 201
    )
    assert (
        server.request("PUT", path, "<http://example.org/a> <http://example.org/b> 2 .", turtle).status == 204
    )
    assert (
        server.request(
            "POST",
            path,
            '{"@id": "http://example.org/a", "http://example.org/c": "x"}',
            {"Content-Type": "application/ld+json", **AUTH},
        ).status
        == 204
    )
    graph = Graph().parse(
        data=server.request("GET", path, headers={"Accept": "application/n-triples"}).body, format="nt"
    )
    assert len(graph) == 2
    assert server.request("DELETE", path, headers=AUTH).status == 204
    assert server.request("GET", path).status == 404
    assert server.request("DELETE", path, headers=AUTH).status == 404


def test_default_graph_writes_address_the_real_default_graph(server: LiveServer) -> None:
    """An update without GRAPH and GSP ?default write the store's default graph, not the union."""
    assert (
        server.update(
            "INSERT DATA { <http://example.org/d> <http://example.org/in> <http://example.org/dg> }"
        ).status
        == 204
    )
    default = Graph().parse(
        data=server.request("GET", "/store?default", headers={"Accept": "text/turtle"}).body, format="turtle"
    )
    assert set(default.subjects()) == {URIRef("http://example.org/d")}
    assert server.request("PUT", "/store?default", "", {"Content-Type": "text/turtle", **AUTH}).status == 204
    assert len(Graph().parse(data=server.request("GET", "/store?default").body, format="turtle")) == 0
    dataset = server.request("GET", "/store", headers={"Accept": "application/n-quads"})
    assert dataset.status == 200
    assert b"<http://example.org/g1>" in dataset.body


def test_browsers_get_the_registered_html_view(server: LiveServer) -> None:
    """A browser's GET goes to the view the UI registers; SPARQL clients and format= still get results."""
    server.app.extensions["treatykg.sparql_html"] = lambda: ("<!doctype html><title>UI</title>", 200)
    try:
        browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        assert server.request("GET", "/sparql", headers={"Accept": browser}).media_type == "text/html"
        assert _get(server, "ASK {}", browser).media_type == "text/html"
        assert _get(server, "ASK {}", browser, format="json").media_type == "application/sparql-results+json"
        assert _get(server, "ASK {}", "application/sparql-results+json").media_type != "text/html"
    finally:
        del server.app.extensions["treatykg.sparql_html"]


def test_a_dead_read_view_is_restarted(server: LiveServer) -> None:
    """If the zygote dies, the next query starts a new one on the current snapshot and is answered."""
    starts = server.engine.stats.zygote_starts
    server.engine._zygote.process.kill()
    server.engine._zygote.process.wait()
    reply = _get(server, "ASK { ?s <http://example.org/knows> ?o }")
    assert json.loads(reply.body)["boolean"] is True
    assert server.engine.stats.zygote_starts == starts + 1
    assert server.request("GET", "/healthz").status == 200
