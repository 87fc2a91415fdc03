"""The result cache: answers kept per store version; every write invalidates; some answers never kept."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from server_harness import AUTH, LiveServer
from web_support import private_store

from treatykg.server.query import guard
from treatykg.server.query.cache import ResultCache
from treatykg.server.query.interface import Outcome, Stats
from treatykg.server.query.messages import QueryJob

GRAPH = "http://example.org/cache-test"
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
RUSSIA = "https://w3id.org/treatykg/id/state/russia"
LABEL = f"SELECT ?label WHERE {{ <{RUSSIA}> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
JSON = {"Accept": "application/sparql-results+json"}
TURTLE = {"Content-Type": "text/turtle", **AUTH}
# Every triple pattern against every other: far more work than a 1 s deadline allows on the article.
SLOW = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
_SAMPLE = re.compile(r"^(treatykg_result_cache_\w+)(\{[^}]*\})? (\S+)$", re.MULTILINE)


def metrics(server: LiveServer) -> dict[str, float]:
    """The result cache's samples from /metrics, by name and labels."""
    reply = server.request("GET", "/metrics")
    assert reply.status == 200
    return {name + (labels or ""): float(value) for name, labels, value in _SAMPLE.findall(reply.text)}


def get(server: LiveServer, query: str, headers: dict | None = None, **params: str):
    """GET /sparql with the query and extra parameters."""
    extra = "".join(f"&{key}={quote(value)}" for key, value in params.items())
    return server.request("GET", f"/sparql?query={quote(query)}{extra}", headers=headers or JSON)


def count(server: LiveServer) -> int:
    """The triples in the test graph, as /sparql answers."""
    reply = get(server, COUNT)
    assert reply.status == 200, reply.text
    return int(json.loads(reply.body)["results"]["bindings"][0]["n"]["value"])


def delta(before: dict[str, float], after: dict[str, float], name: str) -> float:
    """How much a sample grew."""
    return after.get(name, 0.0) - before.get(name, 0.0)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The article store served with the default cache, writes with the token."""
    with LiveServer(private_store(tmp_path_factory)) as server:
        yield server


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A 1 s deadline, a 5-row cap and a cache of 6000 bytes (1500 per answer at most)."""
    with LiveServer(
        private_store(tmp_path_factory), QUERY_TIMEOUT=1.0, ROW_LIMIT=5, RESULT_CACHE_BYTES=6000
    ) as server:
        yield server


def test_a_repeated_query_is_a_hit_with_the_same_answer(live: LiveServer) -> None:
    """The second identical request is answered from the cache: one miss, then one hit, same bytes."""
    before = metrics(live)
    first, second = get(live, LABEL), get(live, LABEL)
    after = metrics(live)
    assert first.status == second.status == 200
    assert first.body == second.body
    assert "Russia" in first.text
    assert first.headers["ETag"] == second.headers["ETag"]
    assert delta(before, after, "treatykg_result_cache_misses_total") == 1
    assert delta(before, after, "treatykg_result_cache_hits_total") == 1
    assert after["treatykg_result_cache_entries"] >= 1
    assert after["treatykg_result_cache_bytes"] > len(first.body)
    assert after["treatykg_result_cache_max_bytes"] == 64 * 1024 * 1024


def test_post_queries_and_prepared_queries_are_cached_too(live: LiveServer) -> None:
    """A POSTed query and a prepared query with parameters: the repeat is a hit, another parameter is not."""
    before = metrics(live)
    form = {"Content-Type": "application/x-www-form-urlencoded", **JSON}
    posted = [live.request("POST", "/sparql", f"query={quote(LABEL + ' # posted')}", form) for _ in range(2)]
    assert posted[0].body == posted[1].body
    path = "/queries/cq-agent-involvement?format=json"
    prepared = [live.request("GET", path) for _ in range(2)]
    assert prepared[0].status == 200, prepared[0].text
    assert prepared[0].body == prepared[1].body
    russia = live.request("GET", f"{path}&agent={quote(RUSSIA)}")
    assert russia.status == 200, russia.text
    assert russia.body != prepared[0].body
    after = metrics(live)
    assert delta(before, after, "treatykg_result_cache_misses_total") == 3
    assert delta(before, after, "treatykg_result_cache_hits_total") == 2


def test_different_formats_are_different_entries(live: LiveServer) -> None:
    """Each negotiated format and media type is its own entry; Accept headers negotiating alike share one."""
    query = LABEL + " # formats"
    before = metrics(live)
    as_json = get(live, query, {"Accept": "application/sparql-results+json"})
    as_xml = get(live, query, {"Accept": "application/sparql-results+xml"})
    as_plain_json = get(live, query, {"Accept": "application/json"})
    ranked = get(live, query, {"Accept": "application/sparql-results+json, text/csv;q=0.5"})
    after = metrics(live)
    assert as_json.media_type == "application/sparql-results+json"
    assert as_xml.media_type == "application/sparql-results+xml"
    assert as_xml.text.startswith("<?xml")
    assert as_plain_json.media_type == "application/json"  # same bytes, another Content-Type: its own entry
    assert as_json.body == as_plain_json.body == ranked.body
    assert ranked.media_type == "application/sparql-results+json"  # the same negotiation: as_json's entry
    assert delta(before, after, "treatykg_result_cache_misses_total") == 3
    assert delta(before, after, "treatykg_result_cache_hits_total") == 1


def test_dataset_parameters_are_part_of_the_key(live: LiveServer) -> None:
    """The same text with another default-graph-uri is another entry, with its own answer."""
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    ontology = "https://w3id.org/treatykg/graph/ontology"
    union, only_ontology, nothing = (
        get(live, query),
        get(live, query, **{"default-graph-uri": ontology}),
        get(live, query, **{"default-graph-uri": "http://example.org/absent"}),
    )
    numbers = [
        int(json.loads(r.body)["results"]["bindings"][0]["n"]["value"]) for r in (union, only_ontology)
    ]
    assert numbers[0] > numbers[1] > 0
    assert json.loads(nothing.body)["results"]["bindings"][0]["n"]["value"] == "0"
    again = get(live, query, **{"default-graph-uri": ontology})
    assert again.body == only_ontology.body


def test_head_and_etags_behave_as_without_a_cache(live: LiveServer) -> None:
    """HEAD answers the GET's headers with no body; If-None-Match is 304; the cache does not change either."""
    got = get(live, LABEL)
    head = live.request("HEAD", f"/sparql?query={quote(LABEL)}", headers=JSON)
    assert head.status == 200
    assert head.body == b""
    assert head.headers["ETag"] == got.headers["ETag"]
    assert head.headers["Content-Type"] == got.headers["Content-Type"]
    before = metrics(live)
    revalidated = live.request(
        "GET", f"/sparql?query={quote(LABEL)}", headers={**JSON, "If-None-Match": got.headers["ETag"]}
    )
    after = metrics(live)
    assert revalidated.status == 304
    assert revalidated.body == b""
    assert delta(before, after, "treatykg_result_cache_hits_total") == 0
    assert delta(before, after, "treatykg_result_cache_misses_total") == 0


def _written(live: LiveServer, write, expected: int) -> None:
    """The count is cached, `write` commits, and the next read answers the written count (a miss)."""
    assert count(live) == count(live)  # the second read is a hit
    tag = get(live, COUNT).headers["ETag"]
    before = metrics(live)
    write()
    assert count(live) == expected
    after = metrics(live)
    assert delta(before, after, "treatykg_result_cache_misses_total") == 1
    assert delta(before, after, "treatykg_result_cache_hits_total") == 0
    assert delta(before, after, "treatykg_result_cache_invalidations_total") == 1
    assert get(live, COUNT).headers["ETag"] != tag


@pytest.mark.slow
def test_every_kind_of_write_invalidates(live: LiveServer, tmp_path: Path) -> None:
    """SPARQL Update, Graph Store PUT, POST, DELETE, a restore, the engine's own commit: each read is new."""
    store = "/store?graph=" + quote(GRAPH)

    def update() -> None:
        reply = live.update(f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <http://e/a> <http://e/p> 1 }} }}")
        assert reply.status == 204, reply.text

    def put() -> None:
        body = "<http://e/a> <http://e/p> 1 . <http://e/b> <http://e/p> 2 . <http://e/c> <http://e/p> 3 ."
        assert live.request("PUT", store, body, TURTLE).status == 204

    def post() -> None:
        assert live.request("POST", store, "<http://e/d> <http://e/p> 4 .", TURTLE).status == 204

    def delete() -> None:
        assert live.request("DELETE", store, headers=AUTH).status == 204

    backup = tmp_path / "backup"  # taken with the test graph holding one triple

    def restore() -> None:
        reply = live.request("POST", "/admin/restore", json.dumps({"path": str(backup)}), admin)
        assert reply.status == 200, reply.text

    def commit() -> None:
        quad = ox.Quad(
            ox.NamedNode("http://e/e"), ox.NamedNode("http://e/p"), ox.Literal("5"), ox.NamedNode(GRAPH)
        )
        live.engine.write(lambda store: store.add(quad))

    admin = {"Content-Type": "application/json", **AUTH}
    _written(live, update, 1)
    reply = live.request("POST", "/admin/backup", json.dumps({"path": str(backup)}), admin)
    assert reply.status == 200, reply.text
    _written(live, put, 3)
    _written(live, post, 4)
    _written(live, commit, 5)
    _written(live, delete, 0)
    _written(live, restore, 1)


def test_each_volatile_function_is_never_cached(live: LiveServer) -> None:
    """NOW(), RAND(), UUID(), STRUUID() and BNODE(): run each time, never kept, never looked up."""
    queries = [
        "SELECT (NOW() AS ?t) {}",
        "SELECT (rand() AS ?r) {}",
        "SELECT (UUID() AS ?u) {}",
        "SELECT (STRUUID() AS ?u) {}",
        "SELECT ?b { BIND(BNODE() AS ?b) }",
    ]
    before = metrics(live)
    answers = [[get(live, query).body for _ in range(2)] for query in queries]
    after = metrics(live)
    assert all(first != second for first, second in answers[1:4])  # fresh random values and ids each run
    assert delta(before, after, 'treatykg_result_cache_skipped_total{reason="volatile"}') == 10
    assert delta(before, after, "treatykg_result_cache_hits_total") == 0
    assert delta(before, after, "treatykg_result_cache_misses_total") == 0
    assert after["treatykg_result_cache_entries"] == before["treatykg_result_cache_entries"]


@pytest.mark.slow
def test_errors_timeouts_and_truncated_answers_are_never_cached(tight: LiveServer) -> None:
    """A 400 from the worker, a 503 at the deadline and a truncated result: each a miss every time."""
    rows = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 20"
    before = metrics(tight)
    assert [get(tight, "SELECT ?x WHERE { ?x ?y }").status for _ in range(2)] == [400, 400]
    assert [get(tight, SLOW).status for _ in range(2)] == [503, 503]
    truncated = [get(tight, rows) for _ in range(2)]
    after = metrics(tight)
    assert all(reply.headers["X-TreatyKG-Truncated"] == "true" for reply in truncated)
    assert delta(before, after, 'treatykg_result_cache_skipped_total{reason="status"}') == 4
    assert delta(before, after, 'treatykg_result_cache_skipped_total{reason="truncated"}') == 2
    assert delta(before, after, "treatykg_result_cache_misses_total") == 6
    assert delta(before, after, "treatykg_result_cache_hits_total") == 0
    assert after["treatykg_result_cache_entries"] == before["treatykg_result_cache_entries"]


def _sized(tag: str) -> str:
    """A query whose entry is about 1350 bytes (a 450-character literal in the query and in its answer)."""
    return f'SELECT ?x WHERE {{ VALUES ?x {{ "{tag * 450}" }} }}'


def test_the_byte_cap_evicts_the_least_recently_used(tight: LiveServer) -> None:
    """Four answers fit under the cap; a fifth evicts the one used longest ago, not one used since."""
    a, b, c, d, e = (_sized(tag) for tag in "abcde")
    before = metrics(tight)
    for query in (a, b, c, d):
        assert get(tight, query).status == 200
    full = metrics(tight)
    assert full["treatykg_result_cache_entries"] == 4
    assert 6000 / 5 < full["treatykg_result_cache_bytes"] / 4 <= 6000 / 4  # four fit, five do not
    assert delta(before, full, "treatykg_result_cache_evictions_total") == 0
    get(tight, a)  # a is used again: b is now the least recently used
    get(tight, e)
    after = metrics(tight)
    assert delta(full, after, "treatykg_result_cache_evictions_total") == 1
    assert delta(full, after, "treatykg_result_cache_hits_total") == 1  # a
    assert after["treatykg_result_cache_bytes"] <= 6000
    get(tight, a)  # still kept
    get(tight, b)  # evicted: a miss
    last = metrics(tight)
    assert delta(after, last, "treatykg_result_cache_hits_total") == 1
    assert delta(after, last, "treatykg_result_cache_misses_total") == 1
    too_big = _sized("f" * 4)  # over a quarter of the cap
    get(tight, too_big)
    assert delta(last, metrics(tight), 'treatykg_result_cache_skipped_total{reason="size"}') == 1


@pytest.mark.slow
def test_off_means_no_caching(tmp_path_factory: pytest.TempPathFactory) -> None:
    """RESULT_CACHE_BYTES 0: every request runs in a worker, nothing is counted as kept or hit."""
    with LiveServer(private_store(tmp_path_factory), RESULT_CACHE_BYTES=0) as server:
        before, jobs = metrics(server), server.engine.stats.jobs[200]
        first, second = get(server, LABEL), get(server, LABEL)
        after, ran = metrics(server), server.engine.stats.jobs[200] - jobs
    assert first.body == second.body
    assert ran == 2  # both in a worker
    assert after["treatykg_result_cache_max_bytes"] == 0
    assert delta(before, after, "treatykg_result_cache_hits_total") == 0
    assert delta(before, after, "treatykg_result_cache_misses_total") == 0
    assert after["treatykg_result_cache_entries"] == 0


class _Committing:
    """A stand-in engine: a write commits while the first query runs, and another request sees it."""

    def __init__(self, cache: ResultCache) -> None:
        self.stats = Stats()
        self.cache = cache
        self.number = 1
        self.commits = 1

    @property
    def etag(self) -> str:
        """The ETag of the store version."""
        return f'"store-{self.number}"'

    @property
    def version(self) -> _Committing:
        """The version record (only its etag is read)."""
        return self

    def run(self, job: QueryJob, timeout: float | None = None) -> Outcome:
        """Answer with the version read when the query started."""
        started = self.etag
        if self.commits:
            self.commits -= 1
            self.number += 1
            self.cache.run(self, QueryJob("ASK {}", job.formats, job.row_limit))  # type: ignore[arg-type]  # a stand-in engine
        return Outcome(200, body=job.query.encode(), content_type="text/csv", version=started)


def test_an_answer_read_before_a_commit_is_not_kept() -> None:
    """A query that started before a commit another request has seen: answered, never kept."""
    cache = ResultCache(10_000)
    engine = _Committing(cache)
    job = QueryJob("SELECT * {}", {"solutions": ("csv", "text/csv")}, 10)
    answers = [cache.run(engine, job).body for _ in range(3)]  # type: ignore[arg-type]  # a stand-in engine
    assert answers == [b"SELECT * {}"] * 3
    stats = cache.snapshot()
    # The first answer (version 1, the cache already at 2) is skipped; the second is kept; the third a hit.
    assert stats.skipped["version"] == 1
    assert (stats.misses, stats.hits, stats.entries) == (3, 1, 2)


@pytest.mark.parametrize(
    ("text", "volatile"),
    [
        ("SELECT (NOW() AS ?t) {}", True),
        ("select (now() as ?t) {}", True),
        ("SELECT * { BIND(RAND() AS ?r) }", True),
        ("SELECT (STRUUID() AS ?u) {}", True),
        ("SELECT (UUID() AS ?u) {}", True),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?o != BNODE()) }", True),
        (
            "SELECT * { ?s ?p ?o FILTER(?o<NOW()&&?o>1) }",
            True,
        ),  # `<…>` read as an IRI hides NOW: both readings
        ('SELECT * { ?s ?p "now rand uuid bnode" }', False),
        ("SELECT * { ?s <http://example.org/now> ?o }", False),
        ("SELECT ?now ?rand { ?now ex:uuid ?rand } # NOW()", False),
        ("PREFIX ex: <http://e/> SELECT * { ?s ex:bnode ex:RAND }", False),
        ("SELECT * { ?s ?p ?o }", False),
    ],
)
def test_the_guard_tells_volatile_queries(text: str, volatile: bool) -> None:
    """The lexical screen finds volatile functions outside strings, IRIs, variables, names and comments."""
    assert guard.volatile(text) is volatile
