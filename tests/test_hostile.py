"""Hostile input beyond tests/test_server_safety.py: file: IRIs, entity bombs, bad UTF-8, huge bodies,
pathological SPARQL, /id/ traversal and long IRIs, concurrency cap (429), the logfmt access log."""

from __future__ import annotations

import logging
import socket
import threading
import time
from urllib.parse import quote

import pytest
from server_harness import AUTH, LiveServer

SECRET = "/etc/hostname"  # noqa: S105 - a file that must never be read, not a password


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """A server with a 2 s deadline, 2 queries at once and a 1 MiB body cap."""
    with LiveServer(
        tmp_path_factory.mktemp("hostile"),
        QUERY_TIMEOUT=2.0,
        MAX_QUERIES=2,
        MAX_BODY=1 << 20,
        WRITE_TIMEOUT=3.0,
    ) as live:
        assert (
            live.update('INSERT DATA { <http://e/s> <http://e/label> "<script>alert(1)</script>" }').status
            == 204
        )
        yield live


def get(server: LiveServer, query: str):
    return server.request("GET", f"/sparql?query={quote(query)}", headers={"Accept": "application/json"})


def test_file_iris_are_never_read(server: LiveServer) -> None:
    """SERVICE / LOAD of file: IRIs are refused; FROM <file:…> is an empty graph, not the file."""
    assert get(server, f"SELECT * {{ SERVICE <file://{SECRET}> {{ ?s ?p ?o }} }}").status == 400
    assert server.update(f"LOAD <file://{SECRET}>").status == 400
    reply = get(server, f"SELECT * FROM <file://{SECRET}> {{ ?s ?p ?o }}")
    assert reply.status == 200
    assert '"bindings":[]' in reply.text.replace(" ", "")
    reply = server.update(
        f"INSERT {{ <http://e/x> <http://e/p> ?o }} USING <file://{SECRET}> WHERE {{ ?s ?p ?o }}"
    )
    assert reply.status == 204
    assert get(server, "ASK { <http://e/x> ?p ?o }").text.find("true") < 0


def test_exponential_entities_are_refused_quickly(server: LiveServer) -> None:
    """A billion-laughs document is 400 at once (never expanded), and the server goes on answering."""
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    body = (
        f'<!DOCTYPE rdf:RDF [{entities}]><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="http://e/x"><rdf:value>&a9;</rdf:value></rdf:Description></rdf:RDF>'
    )
    started = time.perf_counter()
    reply = server.request(
        "PUT", "/store?graph=http://e/bomb", body, {"Content-Type": "application/rdf+xml", **AUTH}
    )
    assert reply.status == 400
    assert time.perf_counter() - started < 2
    owl = (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n <!ENTITY owl "http://www.w3.org/2002/07/owl#" >\n'
        ' <!ENTITY rdf "http://www.w3.org/1999/02/22-rdf-syntax-ns#" >\n]>\n'
        '<rdf:RDF xmlns:rdf="&rdf;" xmlns:owl="&owl;"><owl:Class rdf:about="http://e/C"/></rdf:RDF>'
    )
    assert (
        server.request(
            "PUT", "/store?graph=http://e/protege", owl, {"Content-Type": "application/rdf+xml", **AUTH}
        ).status
        == 201
    )


def test_malformed_utf8_is_400(server: LiveServer) -> None:
    """Bad UTF-8 in a query string or an update body: 400, never 500."""
    assert server.request("GET", "/sparql?query=SELECT%20%FF%FE").status == 400
    bad = b'INSERT DATA { <http://e/s> <http://e/p> "\xff\xfe" }'
    assert (
        server.request("POST", "/update", bad, {"Content-Type": "application/sparql-update", **AUTH}).status
        == 400
    )
    assert (
        server.request(
            "PUT",
            "/store?graph=http://e/u",
            b'<http://e/s> <http://e/p> "\xc3\x28" .',
            {"Content-Type": "text/turtle", **AUTH},
        ).status
        == 400
    )


def test_a_body_over_the_cap_is_413_without_reading_it(server: LiveServer) -> None:
    """A 100 MB upload announced by Content-Length is refused before it is sent in full."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            b"POST /update HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-update\r\n"
            b"Authorization: Bearer test-token\r\nContent-Length: 100000000\r\n\r\n" + b"#" * 65536
        )
        reply = connection.recv(4096)
    assert b" 413 " in reply.split(b"\r\n")[0]


@pytest.mark.slow
def test_pathological_sparql_is_bounded_and_the_server_keeps_answering(server: LiveServer) -> None:
    """Deep nesting, a huge VALUES, a catastrophic regex: each ends (4xx or 503) within the deadline."""
    deep = "SELECT * WHERE " + "{ " * 3000 + "?s ?p ?o" + " }" * 3000
    values = "SELECT * { VALUES ?x { " + " ".join(f"<http://e/{i}>" for i in range(60000)) + " } }"
    regex = 'SELECT * { BIND(CONCAT(REPEAT("a", 40), "!") AS ?t) FILTER(REGEX(?t, "^(a+)+$")) }'
    cross = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o . ?q ?r ?t }"
    for query in (deep, regex, cross):
        started = time.perf_counter()
        reply = server.request("POST", "/sparql", query, {"Content-Type": "application/sparql-query"})
        assert reply.status < 500 or reply.status == 503, (reply.status, reply.text[:200])
        assert time.perf_counter() - started < 6
    assert server.request("POST", "/sparql", values, {"Content-Type": "application/sparql-query"}).status in (
        200,
        413,
    )
    update = "INSERT { ?a <http://e/x> ?d } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"
    started = time.perf_counter()
    assert server.update(update).status in (204, 503)  # at the deadline its worker is killed, nothing written
    assert time.perf_counter() - started < 8
    assert get(server, "ASK {}").status == 200


@pytest.mark.slow
def test_concurrency_cap_answers_429_with_retry_after(server: LiveServer) -> None:
    """Beyond MAX_QUERIES in progress: 429 and Retry-After; the others are served."""
    slow = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o . ?q ?r ?t }"
    threads = [threading.Thread(target=get, args=(server, slow)) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.4)
    reply = get(server, "ASK {}")
    for thread in threads:
        thread.join()
    assert reply.status == 429
    assert reply.headers["Retry-After"] == "1"
    assert get(server, "ASK {}").status == 200


def test_id_paths_refuse_traversal_and_overlong_iris(server: LiveServer) -> None:
    """/id/… never reads a file and never fails with 5xx, however odd the path."""
    for path in (
        "/id/../../etc/passwd",
        "/id/%2e%2e/%2e%2e/etc/passwd",
        "/id/state/" + "x" * 20000,
        "/id/state/%00",
        "/id/..%2f..%2fetc%2fhostname",
    ):
        reply = server.request("GET", path, headers={"Accept": "text/turtle"})
        assert reply.status < 500, (path[:40], reply.status)
        assert b"root:" not in reply.body


def test_labels_are_escaped_in_html(server: LiveServer) -> None:
    """A label holding a script tag is text on the HTML pages that show it, never markup."""
    reply = server.request(
        "GET", "/sparql?query=" + quote("SELECT ?l { ?s ?p ?l }"), headers={"Accept": "text/html"}
    )
    assert b"<script>alert(1)</script>" not in reply.body


def test_one_logfmt_line_per_request(server: LiveServer, caplog: pytest.LogCaptureFixture) -> None:
    """method, path, status, duration_ms and the query hash, as key=value pairs."""
    with caplog.at_level(logging.INFO, logger="treatykg.server.access"):
        get(server, "ASK { ?s ?p ?o }")
        time.sleep(0.1)
    lines = [r.getMessage() for r in caplog.records if r.name == "treatykg.server.access"]
    assert lines
    fields = dict(part.split("=", 1) for part in lines[-1].split(" "))
    assert fields["method"] == "GET"
    assert fields["path"] == "/sparql"
    assert fields["status"] == "200"
    assert float(fields["duration_ms"]) > 0
    assert len(fields["query_hash"]) == 12


def test_access_log_lines_are_parseable_logfmt() -> None:
    """The served log line's timestamp is one bare value: every field splits on spaces into key=value."""
    from treatykg.cli.serve import access_formatter

    message = "method=GET status=200"
    record = logging.LogRecord("treatykg.server.access", logging.INFO, __file__, 1, message, (), None)
    record.created, record.msecs = 1795824000.25, 250.0
    line = access_formatter().format(record)
    assert line == "ts=2026-11-28T00:00:00.250Z level=INFO method=GET status=200"
    assert all("=" in part for part in line.split(" "))


def test_write_about_a_non_http_iri_is_validated_not_a_500(server: LiveServer) -> None:
    """pySHACL reads a focus node like <mailto:…> as a CURIE and crashes; such writes still validate."""
    reply = server.update('INSERT DATA { <mailto:someone@example.org> <http://e/name> "someone" }')
    assert reply.status == 204, reply.text
    assert get(server, "ASK { <mailto:someone@example.org> <http://e/name> ?n }").text.find("true") >= 0


def test_rdf_xml_with_an_invalid_iri_is_400(server: LiveServer) -> None:
    """rdflib's RDF/XML parser lets `{` into an IRI; the upload is refused as bad input, not a 500."""
    body = (
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="http://e/{ttp:/e/a"><rdf:value>1</rdf:value></rdf:Description></rdf:RDF>'
    )
    reply = server.request(
        "PUT", "/store?graph=http://e/bad-iri", body.encode(), {"Content-Type": "application/rdf+xml", **AUTH}
    )
    assert reply.status == 400, reply.text
    assert "invalid IRI" in reply.text
