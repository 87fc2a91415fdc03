"""The read view: warm query workers reused across queries, a checkpoint snapshot renewed by each write."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from server_harness import LiveServer

from treatykg.server.query.engine import READ_VIEW_DIR
from treatykg.server.query.messages import QueryJob

pytestmark = pytest.mark.slow

ASK = QueryJob("ASK { ?s ?p ?o }", {"boolean": ("json", "application/json")}, row_limit=1)
WORKERS = 2


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """A server with two query slots (so two warm workers) and a few triples."""
    with LiveServer(tmp_path_factory.mktemp("read-view-store"), QUERY_WORKERS=WORKERS) as live:
        assert live.update("INSERT DATA { <http://example.org/a> <http://example.org/p> 1 }").status == 204
        yield live


def _pids(server: LiveServer, count: int) -> set[int]:
    """The workers that answered `count` queries in a row."""
    pids = set()
    for _ in range(count):
        outcome = server.engine.run(ASK)
        assert outcome.status == 200
        pids.add(outcome.pid)
    return pids


def test_queries_are_answered_by_warm_workers_not_a_fork_each(server: LiveServer) -> None:
    """Twenty queries in a row go to the pool's workers, not to twenty new processes."""
    _pids(server, 5)  # the pool is full once the write's worker has been replaced
    assert len(_pids(server, 20)) <= WORKERS


def test_a_write_moves_the_read_view_to_a_new_snapshot(server: LiveServer) -> None:
    """After a write the next query sees it, from a worker on the new snapshot; one snapshot is kept."""
    before = _pids(server, 5)
    assert server.update("INSERT DATA { <http://example.org/b> <http://example.org/p> 2 }").status == 204
    reply = server.request("GET", "/sparql?query=ASK%7B%3Chttp%3A%2F%2Fexample.org%2Fb%3E%20%3Fp%20%3Fo%7D")
    assert b"true" in reply.body
    assert not _pids(server, 5) & before
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() for pid in before) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(Path(f"/proc/{pid}").exists() for pid in before), "workers on the old snapshot linger"
    snapshots = list((server.engine.handle.path / READ_VIEW_DIR).iterdir())
    assert len(snapshots) == 1
