"""HTTP writes checked on a checkpoint: delete and rederive, the reconciled view kept current in the same
commit, a store built by an earlier treatykg refused with 409, and literals the store keeps canonical."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from server_harness import AUTH, LiveServer

from treatykg.core import resources
from treatykg.core.iris import ID, INFERRED_GRAPH, RECONCILED_GRAPH, TKG, WRITES_GRAPH, source_graph
from treatykg.graph.derive.reconcile import reconciled_change
from treatykg.graph.derive.status import status_change
from treatykg.graph.store.check import check_store
from treatykg.graph.store.embedded import VERSION_FILE
from treatykg.server.query.engine import WRITE_CHECK_DIR

pytestmark = pytest.mark.slow  # builds a store of the article and two reports

FIXTURES = Path(__file__).parent / "fixtures" / "reconcile"
ARTICLE = resources.graph_dir() / "sources" / "cfe-withdrawal-article"
US = ID + "event/united-states-ratifies-cfe-per-report-a"
ACCOUNT_B = f"{US}/account/report-b"
DECISION = f"{ACCOUNT_B}/decision-by-http"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DEPRECATE = f"""PREFIX tkg: <{TKG}> PREFIX prov: <{PROV}> PREFIX xsd: <{XSD}>
INSERT DATA {{ GRAPH <{source_graph("report-b")}> {{
  <{DECISION}> a tkg:Decision ; tkg:decisionOn <{ACCOUNT_B}> ; tkg:rank tkg:Deprecated ;
    tkg:reason "report-b's date rests on a misreading"^^xsd:string ;
    prov:wasAssociatedWith <{ID}person/test-curator> ; prov:endedAtTime "2026-01-02T03:04:05Z"^^xsd:dateTime .
  <{ID}person/test-curator> a prov:Agent ; <http://www.w3.org/2000/01/rdf-schema#label> "Test Curator"@en .
}} }}"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of the article and the two invented reports (the fast build), closed."""
    from treatykg.cli.main import main

    path = tmp_path_factory.mktemp("checkpoint") / "store"
    argv = ["build", "--engine", "fast", "--store", str(path), "--data", str(ARTICLE), str(FIXTURES)]
    assert main(argv) == 0
    return path


@pytest.fixture
def server(built: Path, tmp_path: Path):
    """A server over a private copy of the built store."""
    store = shutil.copytree(built, tmp_path / "store")
    with LiveServer(store) as live:
        yield live


def select(server: LiveServer, query: str) -> list[dict]:
    """The bindings of a SELECT, as JSON values."""
    reply = server.request("GET", f"/sparql?query={quote(query)}", headers={"Accept": "application/json"})
    assert reply.status == 200, reply.text
    return json.loads(reply.body)["results"]["bindings"]


def reconciled(server: LiveServer) -> set[str]:
    """The reconciled graph as N-Triples lines."""
    store = server.engine.handle.store
    return {str(q.triple) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(RECONCILED_GRAPH))}


def checked_on(server: LiveServer) -> str:
    """How the last write was checked, from its provenance record."""
    rows = select(
        server,
        f"""SELECT ?how WHERE {{ GRAPH <{WRITES_GRAPH}> {{ ?write <{PROV}endedAtTime> ?when ;
            <http://www.w3.org/2000/01/rdf-schema#comment> ?how }} }} ORDER BY DESC(?when) LIMIT 1""",
    )
    return rows[0]["how"]["value"]


def test_a_decision_written_over_http_re_derives_the_reconciled_view(server: LiveServer) -> None:
    """Deprecating report-b's account of the U.S. ratification: in the same commit the reconciled view
    becomes what the derivation of the asserted graphs gives (report-a's attribution, no agent conflict),
    the inferred graph follows it, and the store checks clean."""
    before = reconciled(server)
    version = server.engine.version.version
    reply = server.update(DEPRECATE)
    assert reply.status == 204, reply.text
    assert server.engine.version.version == version + 1  # one commit
    after = reconciled(server)
    assert after != before
    assert reconciled_change(server.engine.handle.store) == (set(), set())  # what a build would give
    assert status_change(server.engine.handle.store) == (set(), set())  # the status intervals follow it
    assert f"<{US}> <{TKG}epistemicStatus> <{TKG}AttributedToSpeaker>" in after
    assert not [line for line in after if line.endswith(f"<{TKG}AgentConflict>")]
    assert (
        "reconciled"
        in select(
            server,
            f"SELECT ?g WHERE {{ GRAPH <{WRITES_GRAPH}> {{ ?w <{PROV}generated> ?g "
            f'FILTER(CONTAINS(STR(?g), "reconciled")) }} }}',
        )[0]["g"]["value"]
    )
    assert "checked on the incremental (DRed" in checked_on(server)
    report = server.engine.exclusive(check_store)
    assert report.ok, report.problems
    # Taking the decision back restores the view exactly.
    reply = server.update(f"DELETE WHERE {{ GRAPH <{source_graph('report-b')}> {{ <{DECISION}> ?p ?o }} }}")
    assert reply.status == 204, reply.text
    assert reconciled(server) == before
    report = server.engine.exclusive(check_store)
    assert report.ok, report.problems


def test_deletions_and_additions_keep_the_inferred_graph_the_closure(server: LiveServer) -> None:
    """Triples of a report deleted, then put back, one write each, checked on a checkpoint (delete and
    rederive): afterwards the inferred graph is exactly the closure, the counts match the record, no
    checkpoint is left behind."""
    graph = ox.NamedNode(source_graph("report-a"))
    store = server.engine.handle.store
    chosen = sorted(
        (
            q.triple
            for q in store.quads_for_pattern(None, None, None, graph)
            if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
        ),
        key=str,
    )[::7]
    inferred = set(store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH)))
    statuses = []
    for triple in chosen:
        if statuses.count(204) == 2 or len(statuses) == 40:
            break
        reply = server.update(f"DELETE DATA {{ GRAPH {graph} {{ {triple} }} }}")
        assert reply.status in (204, 422), reply.text
        statuses.append(reply.status)
        if reply.status == 422:
            continue  # refused, nothing to put back (putting it back would change nothing and record nothing)
        assert "DRed" in checked_on(server)
        reply = server.update(f"INSERT DATA {{ GRAPH {graph} {{ {triple} }} }}")
        assert reply.status == 204, reply.text
        assert "DRed" in checked_on(server)
    assert statuses.count(204) == 2, statuses
    assert set(store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH))) == inferred
    report = server.engine.exclusive(check_store)
    assert report.ok, report.problems
    assert list((server.engine.handle.path / WRITE_CHECK_DIR).iterdir()) == []


def test_a_store_built_by_an_earlier_treatykg_refuses_http_writes_with_409(built: Path, tmp_path: Path):
    store = shutil.copytree(built, tmp_path / "old")
    version = json.loads((store / VERSION_FILE).read_text(encoding="utf-8"))
    del version["build"]["derived"]
    (store / VERSION_FILE).write_text(json.dumps(version), encoding="utf-8")
    with LiveServer(store) as live:
        before = set(live.engine.handle.store)
        reply = live.update(DEPRECATE)
        assert reply.status == 409
        assert "built by an earlier version of treatykg" in reply.text
        assert "rebuild it with `treatykg build`" in reply.text
        assert set(live.engine.handle.store) == before


def test_a_literal_the_store_keeps_canonical_is_deleted_as_written(server: LiveServer) -> None:
    """Oxigraph keeps "04"^^xsd:positiveInteger in canonical form ("4"); DELETE DATA with the form the client
    wrote still names it, and so does DELETE DATA with the canonical form."""
    graph = "https://example.org/literals"
    value = f'"04"^^<{XSD}positiveInteger>'
    for deletion in (value, f'"4"^^<{XSD}positiveInteger>'):
        reply = server.update(f"INSERT DATA {{ GRAPH <{graph}> {{ <http://e/s> <http://e/n> {value} }} }}")
        assert reply.status == 204, reply.text
        held = select(server, f"SELECT ?n WHERE {{ GRAPH <{graph}> {{ <http://e/s> <http://e/n> ?n }} }}")
        assert [row["n"]["value"] for row in held] == ["4"]
        reply = server.update(f"DELETE DATA {{ GRAPH <{graph}> {{ <http://e/s> <http://e/n> {deletion} }} }}")
        assert reply.status == 204, reply.text
        assert select(server, f"SELECT ?n WHERE {{ GRAPH <{graph}> {{ ?s ?p ?n }} }}") == []


def test_a_graph_put_again_as_it_is_changes_nothing(server: LiveServer) -> None:
    """A Graph Store PUT of the graph the store holds, literals in the form the client wrote them (positive
    integers the store keeps as xsd:integer): nothing is removed, the write conforms."""
    graph = ox.NamedNode(source_graph("report-a"))
    store = server.engine.handle.store
    before = set(store.quads_for_pattern(None, None, None, graph))
    body = server.request(
        "GET", "/store?graph=" + quote(graph.value), headers={"Accept": "application/n-triples"}
    )
    assert body.status == 200
    text = body.text.replace(f"<{XSD}integer>", f"<{XSD}positiveInteger>")
    assert f"<{XSD}positiveInteger>" in text
    headers = {"Content-Type": "application/n-triples", **AUTH}
    reply = server.request("PUT", "/store?graph=" + quote(graph.value), text, headers)
    assert reply.status == 204, reply.text
    assert set(store.quads_for_pattern(None, None, None, graph)) == before
