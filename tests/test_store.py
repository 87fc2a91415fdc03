"""The embedded store: where it lives, one holder at a time, atomic replacement, the version it records."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from pipeline_support import FIXTURES, run, store_state
from rdflib import BNode, Graph, Literal, URIRef

from treatykg.core.errors import StoreError
from treatykg.core.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH
from treatykg.graph.store import embedded as store_module
from treatykg.graph.store.embedded import (
    DATABASE_DIR,
    LOCK_FILE,
    VERSION_FILE,
    StoreInUse,
    open_store,
    read_version,
    record_commit,
    replace_build_graphs,
    store_path,
)

EX = "http://example.org/"
HTTP_GRAPH = EX + "graph/written-over-http"


def graph_of(*triples: tuple[str, str, str]) -> Graph:
    """An rdflib graph of example.org IRIs."""
    graph = Graph()
    for s, p, o in triples:
        graph.add((URIRef(EX + s), URIRef(EX + p), URIRef(EX + o)))
    return graph


def quads_by_graph(handle) -> dict[str, set[str]]:
    """The store's triples per graph name ('' for the default graph), as N-Triples strings."""
    content: dict[str, set[str]] = {}
    for quad in handle.store:
        name = "" if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        content.setdefault(name, set()).add(str(quad.triple))
    return content


def test_store_path_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("TREATYKG_STORE", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert store_path() == tmp_path / "home" / ".local" / "share" / "treatykg" / "store"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert store_path() == tmp_path / "xdg" / "treatykg" / "store"
    monkeypatch.setenv("TREATYKG_STORE", str(tmp_path / "env"))
    assert store_path() == tmp_path / "env"
    assert store_path(tmp_path / "flag") == tmp_path / "flag"


def test_open_store_lays_out_the_directory_and_writes_the_lock(tmp_path):
    with open_store(tmp_path / "s", holder="treatykg test") as handle:
        assert (tmp_path / "s" / DATABASE_DIR).is_dir()
        assert (tmp_path / "s" / LOCK_FILE).read_text() == f"{os.getpid()}\ntreatykg test\n"
        assert handle.version().version == 0
    # Released: the PID file stays (unlinking it would race) but is empty.
    assert (tmp_path / "s" / LOCK_FILE).read_text() == ""


def test_a_held_store_is_refused_with_the_holders_pid(tmp_path):
    with open_store(tmp_path, holder="the server"), pytest.raises(StoreInUse) as refused:
        open_store(tmp_path)
    assert str(refused.value) == f"store in use by the server, PID {os.getpid()}"
    with open_store(tmp_path):  # free again once closed
        pass


HOLDER = """
import sys
from treatykg.graph.store.embedded import open_store
handle = open_store(sys.argv[1], holder="the server")
print("holding", flush=True)
sys.stdin.read()
"""


@pytest.mark.parametrize(
    "command",
    [
        ["build", "--data", FIXTURES / "links.ttl"],
        ["query", "-e", "ASK { ?s ?p ?o }"],
        ["export", "--out", "OUT"],
    ],
)
def test_every_store_command_refuses_a_store_another_process_holds(capsys, tmp_path, command):
    store = tmp_path / "store"
    holder = subprocess.Popen(
        [sys.executable, "-P", "-c", HOLDER, str(store)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "holding\n"
        argv = [str(tmp_path / "out") if arg == "OUT" else arg for arg in command]
        result = run(capsys, *argv, "--store", store)
        assert (result.code, result.err) == (2, f"store in use by the server, PID {holder.pid}\n")
    finally:
        holder.kill()
        holder.wait()
    # The holder died without releasing anything: the kernel dropped its lock, and the stale PID is ignored.
    assert (store / LOCK_FILE).read_text() == f"{holder.pid}\nthe server\n"
    with open_store(store) as handle:
        assert handle.version().version == 0


def test_replace_keeps_other_graphs_and_drops_the_previous_builds(tmp_path):
    with open_store(tmp_path) as handle:
        first = replace_build_graphs(
            handle,
            {ONTOLOGY_GRAPH: graph_of(("O", "p", "o")), EX + "graph/a": graph_of(("a", "p", "1"))},
        )
        handle.store.update(
            f"INSERT DATA {{ GRAPH <{HTTP_GRAPH}> {{ <{EX}h> <{EX}p> <{EX}o> }} <{EX}d> <{EX}p> <{EX}o> }}"
        )
        second = replace_build_graphs(
            handle,
            {ONTOLOGY_GRAPH: graph_of(("O2", "p", "o")), EX + "graph/b": graph_of(("b", "p", "2"))},
        )
        assert quads_by_graph(handle) == {
            ONTOLOGY_GRAPH: {f"<{EX}O2> <{EX}p> <{EX}o>"},
            EX + "graph/b": {f"<{EX}b> <{EX}p> <{EX}2>"},
            HTTP_GRAPH: {f"<{EX}h> <{EX}p> <{EX}o>"},
            "": {f"<{EX}d> <{EX}p> <{EX}o>"},
        }
    assert (first.version, second.version) == (1, 2)
    assert second.store_id == first.store_id
    assert second.etag == f'"{first.store_id}-2"'
    assert second.build_graphs == (EX + "graph/b", ONTOLOGY_GRAPH)
    assert second.graph_quads == {ONTOLOGY_GRAPH: 1, EX + "graph/b": 1, HTTP_GRAPH: 1}
    assert second.default_graph_quads == 1
    assert read_version(tmp_path) == second


def test_a_replace_that_fails_midway_leaves_every_graph_as_it_was(tmp_path, monkeypatch):
    with open_store(tmp_path) as handle:
        replace_build_graphs(handle, {ONTOLOGY_GRAPH: graph_of(("old", "p", "o"))})
        handle.store.update(f"INSERT DATA {{ GRAPH <{HTTP_GRAPH}> {{ <{EX}h> <{EX}p> <{EX}o> }} }}")
        record_commit(handle)
    before = store_state(tmp_path)

    # Fail after the DROPs and the INSERT DATA have run, inside the same request: CREATE GRAPH of a graph
    # that exists is an error (SPARQL 1.1 Update, 3.2.1), so the whole update must roll back.
    original = store_module.replace_request

    def failing_request(drop, graphs):
        request = original(drop, graphs)
        assert request.index("DROP SILENT GRAPH") < request.index("INSERT DATA")
        return request + f";\nCREATE GRAPH <{HTTP_GRAPH}>\n"

    monkeypatch.setattr(store_module, "replace_request", failing_request)
    with open_store(tmp_path) as handle, pytest.raises(StoreError) as failed:
        replace_build_graphs(
            handle, {ONTOLOGY_GRAPH: graph_of(("new", "p", "o")), EX + "g": graph_of(("n", "p", "o"))}
        )
    assert "the store was left unchanged" in str(failed.value)
    assert f"The graph <{HTTP_GRAPH}> already exists" in str(failed.value)
    assert store_state(tmp_path) == before


def test_blank_nodes_stay_shared_between_the_graphs_of_one_replace(tmp_path):
    # The inferred graph states things about the ontology's blank nodes (e.g. its owl:oneOf class).
    node = BNode()
    ontology, inferred = Graph(), Graph()
    ontology.add((node, URIRef(EX + "p"), Literal("in the ontology")))
    inferred.add((node, URIRef(EX + "q"), Literal("inferred")))
    with open_store(tmp_path) as handle:
        replace_build_graphs(handle, {ONTOLOGY_GRAPH: ontology, INFERRED_GRAPH: inferred})
        rows = list(
            handle.store.query(
                f"SELECT ?n {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?n <{EX}p> ?a }} "
                f"GRAPH <{INFERRED_GRAPH}> {{ ?n <{EX}q> ?b }} }}"
            )
        )
    assert len(rows) == 1


def test_record_commit_bumps_the_version_after_other_writes(tmp_path):
    with open_store(tmp_path) as handle:
        replace_build_graphs(handle, {ONTOLOGY_GRAPH: graph_of(("a", "p", "o"))}, build={"inputs": []})
        handle.store.update(f"INSERT DATA {{ GRAPH <{HTTP_GRAPH}> {{ <{EX}h> <{EX}p> <{EX}o> }} }}")
        version = record_commit(handle)
    assert version.version == 2
    assert version.graph_quads == {ONTOLOGY_GRAPH: 1, HTTP_GRAPH: 1}
    assert version.build_graphs == (ONTOLOGY_GRAPH,)
    assert version.build == {"inputs": []}
    assert (tmp_path / VERSION_FILE).read_text() == version.to_json()


def test_an_unreadable_version_file_is_a_store_error(tmp_path):
    (tmp_path / VERSION_FILE).write_text("{")
    with pytest.raises(StoreError, match="unreadable store version"):
        read_version(tmp_path)


def test_a_store_path_that_is_a_file_cannot_be_opened(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(StoreError, match="cannot create the store"):
        open_store(Path(tmp_path / "file"))
