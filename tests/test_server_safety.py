"""Safety: no outbound request on a client's behalf, unsafe XML refused, a deadline that really stops queries,
a memory limit, and the row cap that says so."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from server_harness import AUTH, Canary, LiveServer

from treatykg.server.harness import children
from treatykg.server.query.messages import QueryJob

DEADLINE = 2.0
ROW_LIMIT = 5
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"


@pytest.fixture(scope="module")
def canary():
    """The loopback server that must never be called."""
    with Canary() as server:
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """A server with a 2 s deadline, a 5-row cap and 100 triples (enough for a cross join that never ends)."""
    with LiveServer(
        tmp_path_factory.mktemp("safety-store"),
        QUERY_TIMEOUT=DEADLINE,
        ROW_LIMIT=ROW_LIMIT,
        QUERY_MEMORY_MB=256,
    ) as live:
        triples = " ".join(f"<http://example.org/s{i}> <http://example.org/p> {i} ." for i in range(100))
        assert live.update(f"INSERT DATA {{ {triples} }}").status == 204
        yield live


def _query(server: LiveServer, query: str, **params):
    """GET /sparql with the query and extra parameters."""
    extra = "".join(f"&{key}={quote(value)}" for key, value in params.items())
    return server.request("GET", f"/sparql?query={quote(query)}{extra}")


def test_service_and_load_are_refused_not_attempted(server: LiveServer, canary: Canary) -> None:
    """SERVICE and LOAD (SILENT too, however spelt) are 400 and the canary hears nothing."""
    url = canary.url
    for query in (
        f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX c: <{url}> SELECT * {{ ?s ?p ?o .SERVICEc:x {{ ?s ?p ?o }} }}",
        f"SELECT * {{ VALUES ?x {{ <{url}> }} FILTER(1<2)SERVICE?x#>\n{{ ?s ?p ?o }} }}",
    ):
        reply = _query(server, query)
        assert reply.status == 400, query
        assert "SERVICE is not allowed" in reply.text
    for update in (
        f"LOAD <{url}>",
        f"LOAD SILENT <{url}> INTO GRAPH <http://example.org/g>",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ):
        assert server.update(update).status == 400, update
    assert canary.requests == []


def test_dataset_graphs_are_looked_up_in_the_store_only(server: LiveServer, canary: Canary) -> None:
    """FROM, FROM NAMED and the dataset parameters naming the canary: an empty graph, never a fetch."""
    url = canary.url
    empty = '{"head":{"vars":["s"]},"results":{"bindings":[]}}\n'
    assert _query(server, f"SELECT ?s FROM <{url}> {{ ?s ?p ?o }}").text == empty
    from_named = f"SELECT ?s FROM NAMED <{url}> {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert _query(server, from_named).text == empty
    assert _query(server, "SELECT ?s { ?s ?p ?o }", **{"default-graph-uri": url}).text == empty
    assert _query(server, "SELECT ?s { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": url}).text == empty
    reply = server.request(
        "POST",
        f"/update?using-graph-uri={quote(url)}",
        "INSERT { GRAPH <http://example.org/copy> { ?s ?p ?o } } WHERE { ?s ?p ?o }",
        {"Content-Type": "application/sparql-update", **AUTH},
    )
    assert reply.status == 204
    assert server.request("GET", "/store?graph=http://example.org/copy").status == 404
    assert canary.requests == []


def test_the_worker_sandbox_stops_what_the_guard_misses(server: LiveServer, canary: Canary) -> None:
    """Run straight on the engine (no lexical guard), SERVICE still cannot open a socket in a worker."""
    job = QueryJob(
        f"SELECT * {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}",
        {"solutions": ("json", "application/sparql-results+json")},
        row_limit=5,
    )
    outcome = server.engine.run(job)
    assert outcome.status == 500
    # The seccomp filter refuses socket(); without one, the descriptor limit refuses any new descriptor.
    assert "Operation not permitted" in outcome.message or "Too many open files" in outcome.message
    assert canary.requests == []


def test_json_ld_upload_never_fetches_a_remote_context(server: LiveServer, canary: Canary) -> None:
    """A JSON-LD body whose @context is a URL is refused (400), not fetched."""
    body = json.dumps({"@context": canary.url, "@id": "http://example.org/x", "name": "x"})
    reply = server.request(
        "PUT", "/store?graph=http://example.org/jsonld", body, {"Content-Type": "application/ld+json", **AUTH}
    )
    assert reply.status == 400
    assert canary.requests == []


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (
            '<!DOCTYPE rdf:RDF [<!ENTITY ext SYSTEM "{url}">]><rdf:RDF {ns}><rdf:Description rdf:about="http://e/x">'
            "<rdf:value>&ext;</rdf:value></rdf:Description></rdf:RDF>",
            "external",
        ),
        ('<!DOCTYPE rdf:RDF SYSTEM "{url}"><rdf:RDF {ns}/>', "external DTD"),
        ('<!DOCTYPE rdf:RDF [<!ENTITY % p SYSTEM "{url}"> %p;]><rdf:RDF {ns}/>', "parameter entity"),
        (
            '<!DOCTYPE rdf:RDF [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
            '<rdf:RDF {ns}><rdf:Description rdf:about="http://e/x"><rdf:value>&d;&d;&d;&d;</rdf:value>'
            "</rdf:Description></rdf:RDF>",
            "nested",
        ),
    ],
)
def test_unsafe_rdf_xml_is_refused(server: LiveServer, canary: Canary, document: str, reason: str) -> None:
    """RDF/XML with external entities, an external DTD or nested entities is 400, and nothing is fetched."""
    ns = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
    body = document.replace("{url}", canary.url).replace("{ns}", ns)
    reply = server.request(
        "PUT", "/store?graph=http://example.org/xml", body, {"Content-Type": "application/rdf+xml", **AUTH}
    )
    assert reply.status == 400
    assert reason in reply.text
    assert canary.requests == []


def test_plain_rdf_xml_with_entities_for_namespaces_is_read(server: LiveServer) -> None:
    """What Protégé writes (internal entities for namespaces) is accepted."""
    body = (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY ex "http://example.org/">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="&ex;thing"><rdf:value>1</rdf:value></rdf:Description></rdf:RDF>'
    )
    path = "/store?graph=http://example.org/xml-ok"
    assert server.request("PUT", path, body, {"Content-Type": "application/rdf+xml", **AUTH}).status == 201
    assert (
        b"<http://example.org/thing>"
        in server.request("GET", path, headers={"Accept": "application/n-triples"}).body
    )


def _children(pid: int, zombies: bool = False) -> set[int]:
    """PIDs of the live (or, with `zombies`, the defunct) processes whose parent is `pid`."""
    return {child for child, state in children(pid).items() if (state == "Z") == zombies}


def _zombies(pid: int) -> set[int]:
    """PIDs of the defunct children of `pid` (none, if it lets the kernel reap them)."""
    return _children(pid, zombies=True)


@pytest.mark.slow
def test_runaway_query_is_killed_at_the_deadline_while_others_are_served(server: LiveServer) -> None:
    """A cross join is 503 near the 2 s deadline; ASK {} is answered all along; its worker is gone after,
    and the read view keeps no more than its warm workers, none a zombie."""
    zygote = server.engine._zygote.process.pid
    answers, stop = [], threading.Event()

    def ask_repeatedly() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            reply = _query(server, "ASK {}")
            answers.append((reply.status, time.perf_counter() - started))

    asker = threading.Thread(target=ask_repeatedly)
    started = time.perf_counter()
    runaway: dict = {}
    runner = threading.Thread(target=lambda: runaway.update(reply=_query(server, RUNAWAY)))
    runner.start()
    time.sleep(0.5)
    busy = server.engine.running_pids()
    assert busy, "the runaway query's worker should be running"
    assert busy <= _children(zygote)
    asker.start()
    runner.join(timeout=30)
    elapsed = time.perf_counter() - started
    stop.set()
    asker.join()
    assert runaway["reply"].status == 503
    assert "ran out of time" in runaway["reply"].text
    assert DEADLINE <= elapsed < DEADLINE + 1.5
    assert len(answers) >= 10
    assert all(status == 200 for status, _ in answers)
    assert max(seconds for _, seconds in answers) < 1.0
    time.sleep(0.2)
    for pid in busy:
        assert not Path(f"/proc/{pid}").exists(), f"worker {pid} is still there"
    assert len(_children(zygote)) <= server.engine._pool
    assert not _zombies(zygote)
    assert _query(server, "ASK {}").status == 200


def test_memory_limit_stops_a_query(server: LiveServer) -> None:
    """A query that needs more memory than a worker may use fails alone; the server goes on."""
    reply = _query(
        server, "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?c ?f ?i ?l LIMIT 1"
    )
    assert reply.status in (500, 503)
    assert _query(server, "ASK {}").status == 200


def test_row_cap_truncates_and_says_so(server: LiveServer) -> None:
    """Past the row cap: the first rows, a header naming the cap, and a note where the format has room."""
    select = "SELECT ?s { ?s ?p ?o } ORDER BY ?s"
    reply = _query(server, select)
    assert reply.headers["X-TreatyKG-Truncated"] == "true"
    assert reply.headers["X-TreatyKG-Row-Limit"] == str(ROW_LIMIT)
    document = json.loads(reply.body)
    assert len(document["results"]["bindings"]) == ROW_LIMIT
    assert "Truncated" in document["truncated"]["note"]
    xml = _query(server, select, format="xml")
    assert xml.text.count("<result>") == ROW_LIMIT
    assert "<!-- Truncated" in xml.text
    assert len(_query(server, select, format="csv").text.splitlines()) == ROW_LIMIT + 1
    turtle = _query(server, "CONSTRUCT WHERE { ?s ?p ?o }")
    assert turtle.headers["X-TreatyKG-Truncated"] == "true"
    assert turtle.text.startswith("# Truncated")
    small = _query(server, f"SELECT ?s {{ ?s ?p ?o }} LIMIT {ROW_LIMIT}")
    assert "X-TreatyKG-Truncated" not in small.headers
    assert "truncated" not in json.loads(small.body)
