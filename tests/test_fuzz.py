"""Property-based fuzzing of the endpoint: generated queries, updates and RDF uploads never get a 5xx other
than 503, never hang past the deadline, and leave a store that passes the check. A fixed budget here;
`TREATYKG_FUZZ_EXAMPLES=2000 .venv/bin/pytest tests/test_fuzz.py` runs longer."""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from server_harness import AUTH, LiveServer

from treatykg.graph.store.check import check_store

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("TREATYKG_FUZZ_EXAMPLES", "40"))
DEADLINE = 3.0
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

terms = st.sampled_from(
    [
        "?s",
        "?p",
        "?o",
        "?x",
        "<http://e/a>",
        "<http://e/p>",
        "<http://e/g>",
        '"x"',
        "1",
        '"é"@fr',
        "_:b",
        "true",
        "3.5e1",
        "<http://e/b>",
        '"a\\"b"',
    ]
)
patterns = st.lists(
    st.tuples(terms, terms, terms).map(lambda t: " ".join(t) + " ."), min_size=1, max_size=4
).map(" ".join)
groups = st.recursive(
    patterns.map(lambda p: "{ " + p + " }"),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda g: f"{{ {g[0]} UNION {g[1]} }}"),
        st.tuples(inner, inner).map(lambda g: f"{{ {g[0]} OPTIONAL {g[1]} }}"),
        inner.map(lambda g: f"{{ GRAPH ?g {g} }}"),
        st.tuples(inner, terms).map(
            lambda g: f'{{ {g[0][1:-1]} FILTER(isIRI({g[1]}) || REGEX(STR({g[1]}), "a*b")) }}'
        ),
        inner.map(lambda g: f"{{ {g[1:-1]} MINUS {g} }}"),
    ),
    max_leaves=6,
)
queries = st.one_of(
    groups.map(lambda g: f"SELECT * WHERE {g} LIMIT 20"),
    groups.map(lambda g: f"ASK {g}"),
    groups.map(lambda g: f"CONSTRUCT {{ ?s ?p ?o }} WHERE {g}"),
    groups.map(lambda g: f"SELECT (COUNT(*) AS ?n) WHERE {g} GROUP BY ?s HAVING (COUNT(*) > 0)"),
)
updates = st.one_of(
    groups.map(lambda g: f"DELETE {{ ?s ?p ?o }} WHERE {g}"),
    st.tuples(patterns, groups).map(lambda pg: f"INSERT {{ {pg[0]} }} WHERE {pg[1]}"),
    patterns.map(lambda p: f"INSERT DATA {{ GRAPH <http://e/g> {{ {p} }} }}"),
    st.sampled_from(
        [
            "CLEAR DEFAULT",
            "DROP SILENT GRAPH <http://e/g>",
            "COPY <http://e/g> TO DEFAULT",
            "MOVE DEFAULT TO <http://e/h>",
            "ADD <http://e/h> TO <http://e/g>",
            "CREATE GRAPH <http://e/g>",
        ]
    ),
)


def mutate(text: str, data: st.DataObject) -> str:
    """The text, perhaps with a few characters dropped, doubled or replaced."""
    for _ in range(data.draw(st.integers(0, 3))):
        if not text:
            break
        i = data.draw(st.integers(0, len(text) - 1))
        text = (
            text[:i]
            + data.draw(st.sampled_from(["", "{", "}", "(", '"', "<", "\\", "\x00", "é", "#"]))
            + text[i + 1 :]
        )
    return text


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with LiveServer(tmp_path_factory.mktemp("fuzz"), QUERY_TIMEOUT=DEADLINE, WRITE_TIMEOUT=DEADLINE) as live:
        assert (
            live.update(
                'INSERT DATA { <http://e/a> <http://e/p> <http://e/b> . <http://e/b> <http://e/p> "x" }'
            ).status
            == 204
        )
        yield live
        report = live.engine.exclusive(check_store)
        assert report.ok, report.problems


def ok(reply, started: float) -> bool:
    return (reply.status < 500 or reply.status == 503) and time.perf_counter() - started < DEADLINE + 5


@FUZZ
@given(query=queries, data=st.data())
def test_queries(server: LiveServer, query: str, data) -> None:
    text = mutate(query, data)
    started = time.perf_counter()
    reply = server.request("POST", "/sparql", text, {"Content-Type": "application/sparql-query"})
    assert ok(reply, started), (text, reply.status, reply.text[:300])


@FUZZ
@given(update=updates, data=st.data())
def test_updates(server: LiveServer, update: str, data) -> None:
    text = mutate(update, data)
    started = time.perf_counter()
    reply = server.update(text)
    assert ok(reply, started), (text, reply.status, reply.text[:300])


documents = st.sampled_from(
    [
        ("text/turtle", '@prefix e: <http://e/> . e:a e:p "v" ; e:q [ e:r 1 ] .'),
        ("application/n-triples", '<http://e/a> <http://e/p> "v"@en .\n'),
        ("application/ld+json", '{"@id": "http://e/a", "http://e/p": [{"@value": "v"}]}'),
        (
            "application/rdf+xml",
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="http://e/a"><rdf:value>v</rdf:value></rdf:Description></rdf:RDF>',
        ),
        ("application/trig", "<http://e/g2> { <http://e/a> <http://e/p> 1 }"),
    ]
)


@FUZZ
@given(document=documents, method=st.sampled_from(["PUT", "POST"]), data=st.data())
def test_uploads(server: LiveServer, document, method: str, data) -> None:
    media, body = document
    text = mutate(body, data)
    target = "" if media == "application/trig" else "?graph=http://e/upload"
    started = time.perf_counter()
    reply = server.request(
        method, f"/store{target}", text.encode("utf-8", "surrogatepass"), {"Content-Type": media, **AUTH}
    )
    assert ok(reply, started), (media, text, reply.status, reply.text[:300])
