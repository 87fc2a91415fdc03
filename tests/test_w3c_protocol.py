"""The W3C SPARQL 1.1 Protocol and Service Description tests (tests/w3c/), replayed against a real server.

Each protocol test's ut:graphData is loaded over the Graph Store Protocol first, then its ht:requests are
sent in order: `/sparql/` becomes /update for update requests and /sparql for the rest, and every request
carries the update token. The response is checked for its status class, its format (boolean, tabular or
RDF, parsed by rdflib as an independent reader) and its boolean.
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.query import Result
from server_harness import AUTH, LiveServer

W3C = Path(__file__).with_name("w3c")
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")

RESULT_FORMATS = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


def _manifest(folder: str) -> tuple[Graph, list[URIRef]]:
    """A manifest graph and its entries in order."""
    path = W3C / folder / "manifest.ttl"
    graph = Graph().parse(path, format="turtle", publicID=path.as_uri())
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    return graph, list(Collection(graph, graph.value(manifest, MF.entries)))


PROTOCOL, PROTOCOL_TESTS = _manifest("sparql11-protocol")
DESCRIPTION, DESCRIPTION_TESTS = _manifest("sparql11-service-description")


def _name(test: URIRef) -> str:
    """The test's id: its fragment."""
    return str(test).rsplit("#", 1)[-1]


@pytest.fixture(
    scope="module",
    params=[
        "embedded",
        pytest.param("oxigraph", marks=pytest.mark.slow),
        pytest.param("virtuoso", marks=pytest.mark.slow),
    ],
)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """One server for the whole suite (each test loads the data it needs): on a scratch embedded store,
    or in front of each remote engine, emptied."""
    if request.param == "embedded":
        store, settings = str(tmp_path_factory.mktemp("w3c-store")), {}
    else:
        remote = request.getfixturevalue(f"{request.param}_server")
        remote.clear()
        store, settings = remote.store, {"REMOTE_DIALECT": remote.dialect}
    with LiveServer(store, QUERY_TIMEOUT=20, **settings) as live:
        yield live


def _load_graph_data(server: LiveServer, test: URIRef) -> None:
    """PUT each ut:graphData file into the named graph its rdfs:label names."""
    for data in PROTOCOL.objects(test, UT.graphData):
        name, source = PROTOCOL.value(data, RDFS_LABEL), PROTOCOL.value(data, UT.graph)
        body = Path(urlsplit(str(source)).path).read_bytes()
        reply = server.request(
            "PUT", f"/store?graph={name}", body, {"Content-Type": "application/n-triples", **AUTH}
        )
        assert reply.status in (201, 204), reply.text


def _request_parts(request) -> tuple[str, str, dict, bytes | None]:
    """Method, path, headers and body of an ht:Request."""
    method = str(PROTOCOL.value(request, HT.methodName))
    path = str(PROTOCOL.value(request, HT.absolutePath))
    headers = {}
    header_list = PROTOCOL.value(request, HT.headers)
    if header_list is not None:
        for header in Collection(PROTOCOL, header_list):
            headers[str(PROTOCOL.value(header, HT.fieldName))] = str(PROTOCOL.value(header, HT.fieldValue))
    body = None
    content = PROTOCOL.value(request, HT.body)
    if content is not None:
        encoding = str(PROTOCOL.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(PROTOCOL.value(content, CNT.chars)).encode(encoding)
    return method, path, headers, body


def _endpoint_path(test_name: str, path: str, headers: dict, body: bytes | None) -> str:
    """`/sparql/…` rewritten to /update for an update request, /sparql otherwise."""
    content_type = next((value for key, value in headers.items() if key.lower() == "content-type"), "")
    text = (body or b"").decode("utf-8", errors="replace")
    if "sparql-query" in content_type or "query=" in path or text.startswith("query="):
        endpoint = "/sparql"
    elif "sparql-update" in content_type or "update=" in path or text.startswith("update="):
        endpoint = "/update"
    else:  # a bare body: the test's name says which operation it is
        endpoint = "/update" if "update" in test_name else "/sparql"
    assert path.startswith("/sparql/")
    return endpoint + path[len("/sparql/") :]


def _check_format(expected: str, reply) -> Result | Graph:
    """The response parsed in the expected kind of format (an independent reader: rdflib)."""
    if expected in ("boolean", "tabular"):
        assert reply.media_type in RESULT_FORMATS, f"{reply.media_type} is not a SPARQL results format"
        result = Result.parse(io.BytesIO(reply.body), format=RESULT_FORMATS[reply.media_type])
        assert result.type == ("ASK" if expected == "boolean" else "SELECT")
        return result
    assert expected == "RDF"
    assert reply.media_type in RDF_FORMATS, f"{reply.media_type} is not an RDF format"
    return Graph().parse(data=reply.body, format=RDF_FORMATS[reply.media_type])


@pytest.mark.parametrize("test", PROTOCOL_TESTS, ids=_name)
def test_protocol(server: LiveServer, test: URIRef) -> None:
    """One W3C SPARQL 1.1 Protocol test."""
    _load_graph_data(server, test)
    action = PROTOCOL.value(test, MF.action)
    for request in Collection(PROTOCOL, PROTOCOL.value(action, HT.requests)):
        method, path, headers, body = _request_parts(request)
        reply = server.request(
            method, _endpoint_path(_name(test), path, headers, body), body, {**headers, **AUTH}
        )
        response = PROTOCOL.value(request, HT.resp)
        classes = {str(code)[-3] for code in PROTOCOL.objects(response, MF.expectedStatus)}
        assert str(reply.status)[0] in classes, f"{method} {path}: {reply.status} {reply.text[:300]}"
        expected_format = PROTOCOL.value(response, MF.expectedFormat)
        if expected_format is not None:
            parsed = _check_format(str(expected_format), reply)
            expected_boolean = PROTOCOL.value(response, MF.expectedBoolean)
            if expected_boolean is not None:
                assert parsed.askAnswer is expected_boolean.toPython()


def _description(server: LiveServer) -> tuple[str, Graph]:
    """GET the endpoint without a query, asking for RDF as a client would; the endpoint URL and the graph."""
    endpoint = f"{server.url}/sparql"
    reply = server.request("GET", "/sparql", headers={"Accept": "text/turtle, application/rdf+xml;q=0.9"})
    assert reply.status == 200, reply.text
    return endpoint, _check_format("RDF", reply)


def _typed(graph: Graph, node, cls) -> bool:
    """Whether `node` is explicitly typed `cls`."""
    return (node, RDF.type, cls) in graph


DESCRIPTION_CHECKS = {
    # The description is RDF in a format the client asked for.
    "returns-rdf": lambda endpoint, graph: len(graph) > 0,
    # Some service's sd:endpoint is exactly the URL that was asked.
    "has-endpoint-triple": lambda endpoint, graph: any(graph.subjects(SD.endpoint, URIRef(endpoint))),
    # Every sd:NamedGraph has an sd:name; and the best practices of the W3C validator: services, datasets
    # and graphs typed, a SPARQL 1.1 language named.
    "conforms-to-schema": lambda endpoint, graph: (
        all(graph.value(named, SD.name) is not None for named in graph.subjects(RDF.type, SD.NamedGraph))
        and all(_typed(graph, service, SD.Service) for service in graph.subjects(SD.endpoint))
        and all(_typed(graph, dataset, SD.Dataset) for dataset in graph.objects(None, SD.defaultDataset))
        and all(_typed(graph, named, SD.NamedGraph) for named in graph.objects(None, SD.namedGraph))
        and all(_typed(graph, default, SD.Graph) for default in graph.objects(None, SD.defaultGraph))
        and (None, SD.supportedLanguage, SD.SPARQL11Query) in graph
    ),
}


@pytest.mark.parametrize("test", DESCRIPTION_TESTS, ids=_name)
def test_service_description(server: LiveServer, test: URIRef) -> None:
    """One W3C SPARQL 1.1 Service Description test."""
    server.update(
        "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 } }"
    )
    endpoint, graph = _description(server)
    assert DESCRIPTION_CHECKS[_name(test)](endpoint, graph), graph.serialize(format="turtle")


def test_suites_are_complete() -> None:
    """All 34 protocol tests and 3 service-description tests are run, and each check is known."""
    assert len(PROTOCOL_TESTS) == 34
    assert {_name(test) for test in DESCRIPTION_TESTS} == set(DESCRIPTION_CHECKS)
