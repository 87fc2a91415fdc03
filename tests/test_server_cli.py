"""`treatykg serve` as users run it: builds an empty store, serves it, holds it, stops cleanly."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from treatykg.graph.store.embedded import StoreInUse, open_store
from treatykg.server.harness import TreatyKGServe, children

pytestmark = pytest.mark.slow

TREATY = "https://w3id.org/treatykg/ontology#Treaty"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """`treatykg serve --port 0` on an empty store (so it builds first), until the module's tests are done."""
    store = tmp_path_factory.mktemp("served") / "store"
    environ = {**os.environ, "TREATYKG_UPDATE_TOKEN": "cli-token"}
    # The console script, run from the checkout's root as the README's main command is: the checkout's
    # treatykg/ folder must not shadow the installed package, in the server or in its read-view process.
    server = TreatyKGServe(store, env=environ, cwd=Path(__file__).resolve().parents[1])
    yield server.process, server.url, store, server.lines
    if server.process.poll() is None:
        server.process.kill()
        server.process.wait()


def test_serve_builds_an_empty_store_first(served) -> None:
    """The log says the empty store was built before serving, with writes enabled by the env token."""
    _, _, _, lines = served
    log = "".join(lines)
    assert "is empty: building it first" in log
    assert "writes with a token" in log


def test_sparqlwrapper_against_treatykg_serve(served) -> None:
    """A real client gets SELECT JSON and CONSTRUCT Turtle of the built graph from `treatykg serve`."""
    _, url, _, _ = served
    client = SPARQLWrapper(f"{url}/sparql")
    client.setQuery(f"SELECT ?treaty WHERE {{ ?treaty a <{TREATY}> }}")
    client.setReturnFormat(JSON)
    treaties = {row["treaty"]["value"] for row in client.queryAndConvert()["results"]["bindings"]}
    assert "https://w3id.org/treatykg/id/treaty/cfe" in treaties
    client.setQuery(f"CONSTRUCT {{ ?treaty a <{TREATY}> }} WHERE {{ ?treaty a <{TREATY}> }}")
    client.setReturnFormat(TURTLE)
    assert b"<https://w3id.org/treatykg/id/treaty/cfe>" in client.queryAndConvert()


def test_the_server_holds_the_store(served) -> None:
    """While it serves, no other process may open the store: it names the server and its PID."""
    process, _, store, _ = served
    with pytest.raises(StoreInUse, match=f"store in use by the server, PID {process.pid}"):
        open_store(store)


def _zygotes(parent: int) -> list[int]:
    """PIDs of the read-view processes started by `parent`."""
    found = []
    for pid in children(parent):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"treatykg.server.query.zygote" in cmdline:
            found.append(pid)
    return found


def test_sigterm_stops_cleanly_and_releases_the_store(served) -> None:
    """SIGTERM ends the server with exit code 0, its read view with it, and the store can be opened again."""
    process, _, store, _ = served
    zygotes = _zygotes(process.pid)
    assert len(zygotes) == 1
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    with open_store(store) as handle:
        assert handle.version().version >= 1
    deadline = time.monotonic() + 5
    while Path(f"/proc/{zygotes[0]}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{zygotes[0]}").exists()
