"""`treatykg source replace` and the server's /sources routes: a source swapped for a new sheet in one commit,
the same checks as `treatykg add SHEET` (400 with located problems, 422 with the SHACL report, nothing
written on either), and the CLI going through a server that holds the store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from pipeline_support import canonical, run, store_quads, store_state
from server_harness import AUTH, TOKEN, LiveServer

from treatykg.cli.serve import SERVER_URL_FILE
from treatykg.core import resources
from treatykg.core.iris import WRITES_GRAPH, source_graph
from treatykg.graph.semantics import region

pytestmark = pytest.mark.slow  # builds stores and starts servers

FIXTURES = Path(__file__).parent / "fixtures" / "reconcile"
ARTICLE = resources.graph_dir() / "sources" / "cfe-withdrawal-article"
SPEECH = """  - key: moldova-declares
    class: Declaration
    speaker: Moldova
    quote: Ukraine ratified the CFE Treaty after Moldova did
"""
GEORGIA = "  # A span conflict (1996, not 1995) and a class conflict (an accession, not a ratification).\n"


def graphs_of(path: Path) -> dict[str, set[str]]:
    """The store's graphs but the write log, as sets of canonical N-Triples lines."""
    graphs: dict[str, set[str]] = {}
    for quad in canonical(store_quads(path)):
        if quad.graph_name != ox.NamedNode(WRITES_GRAPH):
            graphs.setdefault(str(quad.graph_name), set()).add(str(quad.triple))
    return graphs


def report_b_without_georgia(folder: Path) -> Path:
    """A copy of report-b whose sheet drops the Georgia statement (its span and class conflicts)."""
    shutil.copytree(FIXTURES / "report-b", folder)
    sheet = folder / "sheet.yaml"
    text = sheet.read_text(encoding="utf-8")
    head, rest = text.split(GEORGIA)
    sheet.write_text(head + rest[rest.index("  # In the source's own voice") :], encoding="utf-8")
    return sheet


@pytest.fixture(scope="module")
def added(tmp_path_factory) -> Path:
    """A store built from the article, with report-a and report-b added as sheets (not the build's)."""
    path = tmp_path_factory.mktemp("added") / "store"
    assert run_main("build", "--engine", "fast", "--store", path, "--data", ARTICLE) == 0
    for report in ("report-a", "report-b"):
        assert run_main("add", FIXTURES / report / "sheet.yaml", "--store", path, "--curator", "Test") == 0
    return path


def run_main(*argv: str | Path) -> int:
    """`treatykg ARGV` in this process (module fixtures have no capsys)."""
    from treatykg.cli.main import main

    return main([str(arg) for arg in argv])


NOT_GIVEN = (
    "statement ukraine-ratifies: time '1992-07-07' is not given by the text: neither the quotes nor their "
    "sentences give the year 1992 or the month July or the day 7"
)
NOT_IN_TEXT = (
    "statement ukraine-ratifies: the quote is not in the text; nearest match at offset 65: "
    "'Ukraine ratified the CFE Treaty on 7 July 1992'"
)


def test_replace_gives_the_store_a_build_with_the_new_sheet_would_give(capsys, added, tmp_path):
    path = shutil.copytree(added, tmp_path / "store")
    sheet = report_b_without_georgia(tmp_path / "new" / "report-b")
    assert run(capsys, "conflicts", "--store", path).out.splitlines()[-1] == "4 conflict(s)"
    result = run(capsys, "source", "replace", "report-b", sheet, "--store", path, "--curator", "A. Curator")
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1].startswith(
        f"replaced with {sheet}: {source_graph('report-b')} in {path}: version 4, "
    )
    built = tmp_path / "built"
    data = ("--data", ARTICLE, FIXTURES / "report-a", sheet.parent)
    assert run(capsys, "build", "--engine", "fast", "--store", built, *data).code == 0
    assert graphs_of(path) == graphs_of(built)
    assert run(capsys, "conflicts", "--store", path).out.splitlines()[-1] == "2 conflict(s)"
    # One commit, with who and when.
    writes = [q for q in store_quads(path) if q.graph_name == ox.NamedNode(WRITES_GRAPH)]
    activity = next(q.subject for q in writes if q.object == ox.Literal("replace source report-b"))
    agent = next(
        q.object for q in writes if q.subject == activity and q.predicate.value.endswith("wasAssociatedWith")
    )
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    assert ox.Quad(agent, label, ox.Literal("A. Curator"), ox.NamedNode(WRITES_GRAPH)) in writes
    assert any(q.subject == activity and q.predicate.value.endswith("endedAtTime") for q in writes)


def test_remove_then_add_gives_the_store_a_fresh_build_gives(capsys, added, tmp_path, monkeypatch):
    # Source writes are tried on a checkpoint by delete and rederive, never by the region mode.
    def no_region(*args, **kwargs):
        raise AssertionError("a source write went through the region mode")

    monkeypatch.setattr(region, "reason", no_region)
    path = shutil.copytree(added, tmp_path / "store")
    result = run(capsys, "source", "remove", "report-b", "--store", path, "--curator", "A. Curator")
    assert result.code == 0, result.err
    without = tmp_path / "without"
    assert (
        run(
            capsys, "build", "--engine", "fast", "--store", without, "--data", ARTICLE, FIXTURES / "report-a"
        ).code
        == 0
    )
    assert graphs_of(path) == graphs_of(without)  # the inferred, reconciled and status graphs exact
    sheet = shutil.copytree(FIXTURES / "report-b", tmp_path / "again" / "report-b") / "sheet.yaml"
    result = run(capsys, "add", sheet, "--store", path, "--curator", "A. Curator")
    assert result.code == 0, result.err
    built = tmp_path / "built"
    data = ("--data", ARTICLE, FIXTURES / "report-a", sheet.parent)
    assert run(capsys, "build", "--engine", "fast", "--store", built, *data).code == 0
    assert graphs_of(path) == graphs_of(built)
    assert run(capsys, "conflicts", "--store", path).out.splitlines()[-1] == "4 conflict(s)"


def test_a_replacement_that_does_not_compile_or_validate_changes_nothing(capsys, added, tmp_path):
    path = shutil.copytree(added, tmp_path / "store")
    before = store_state(path)
    sheet = report_b_without_georgia(tmp_path / "new" / "report-b")
    broken = sheet.read_text(encoding="utf-8").replace("on 7 July 1992\n", "on 8 July 1992\n")
    sheet.write_text(broken, encoding="utf-8")
    result = run(capsys, "source", "replace", "report-b", sheet, "--store", path)
    assert result.code == 1
    assert f"{sheet}:27: {NOT_IN_TEXT}" in result.err.splitlines()
    assert store_state(path) == before
    # A Violation: a speech act without content.
    speech = sheet.read_text(encoding="utf-8").replace("on 8 July 1992\n", "on 7 July 1992\n")
    sheet.write_text(speech + SPEECH, encoding="utf-8")
    result = run(capsys, "source", "replace", "report-b", sheet, "--store", path)
    assert result.code == 1
    assert result.err.startswith("does not conform: ")
    assert "A speech act needs at least one tkg:content, a tkg:Proposition." in result.err
    assert store_state(path) == before
    # Another source's sheet, and a source the store does not hold.
    result = run(capsys, "source", "replace", "report-a", sheet, "--store", path)
    assert (result.code, result.err.strip()) == (
        2,
        f"{sheet}: the sheet is the source 'report-b', not 'report-a'",
    )
    result = run(capsys, "source", "replace", "report-c", sheet, "--store", path)
    assert result.code == 2
    assert "the store holds no source 'report-c'" in result.err
    assert store_state(path) == before


def test_the_sources_routes_check_like_add_and_write_nothing_on_error(added, tmp_path):
    path = shutil.copytree(added, tmp_path / "store")
    folder = FIXTURES / "report-b"
    sheet, text = ((folder / name).read_text(encoding="utf-8") for name in ("sheet.yaml", "text.txt"))
    with LiveServer(path) as server:

        def send(method: str, route: str, body: dict, auth: bool = True):
            headers = {
                "Content-Type": "application/json",
                "Accept": "application/json",
                **(AUTH if auth else {}),
            }
            return server.request(method, route, json.dumps(body), headers)

        before = server.request("GET", "/store").body
        assert send("POST", "/sources", {"sheet": sheet, "text": text}, auth=False).status == 401
        # Held already: 409, naming the replacement.
        reply = send("POST", "/sources", {"sheet": sheet, "text": text})
        assert reply.status == 409
        assert "treatykg source replace report-b SHEET" in reply.text
        # A sheet that does not compile: the located problems as a JSON list.
        bad = sheet.replace('time: "1996"', 'time: "1996-02-30"').replace(
            "    class: Accession\n", "    class: Accesion\n"
        )
        reply = send("PUT", "/sources/report-b", {"sheet": bad, "text": text})
        assert reply.status == 400
        assert reply.headers["Content-Type"] == "application/json"
        assert [(p["line"], p["statement"], p["message"]) for p in json.loads(reply.body)] == [
            (32, "georgia-accedes", "unknown class 'Accesion' (not in the ontology)"),
            (33, "georgia-accedes", "time '1996-02-30' is impossible: February 1996 has 29 days"),
        ]
        # A Violation: 422 with the SHACL report.
        reply = send("PUT", "/sources/report-b", {"sheet": sheet + SPEECH, "text": text})
        assert reply.status == 422
        rejection = json.loads(reply.body)
        assert rejection["conforms"] is False
        messages = {
            r["resultMessage"] for r in rejection["results"] if r["resultSeverity"].endswith("Violation")
        }
        assert "A speech act needs at least one tkg:content, a tkg:Proposition." in messages
        assert send("DELETE", "/sources/report-c", {}).status == 404
        assert server.request("GET", "/store").body == before
        # Removed, then added again as multipart: 201 with the compiler's report.
        reply = server.request("DELETE", "/sources/report-b", None, AUTH)
        assert reply.status == 200, reply.text
        assert json.loads(reply.body)["graph"] == source_graph("report-b")
        boundary = "treatykg-test-boundary"
        disposition = 'Content-Disposition: form-data; name="{0}"; filename="{0}"'
        parts = "".join(
            f"--{boundary}\r\n{disposition.format(name)}\r\n\r\n{value}\r\n"
            for name, value in (("sheet", sheet), ("text", text))
        )
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", **AUTH}
        reply = server.request("POST", "/sources", f"{parts}--{boundary}--\r\n", headers)
        assert reply.status == 201, reply.text
        assert reply.headers["Location"] == "/source/report-b"
        account = json.loads(reply.body)
        assert [(o["kind"], o["key"]) for o in account["report"]] == [
            ("join", "ukraine-ratifies"), ("join", "georgia-accedes"), ("claim", "georgia-accedes"),
            ("join", "us-ratifies"), ("claim", "us-ratifies"),
        ]  # fmt: skip
        # The write's provenance names the token (the LiveServer's bare token is named "default").
        who = server.request(
            "POST",
            "/sparql",
            "SELECT ?who WHERE { GRAPH <"
            + WRITES_GRAPH
            + "> { ?a <http://www.w3.org/2000/01/rdf-schema#label> "
            '"add source report-b" ; <http://www.w3.org/ns/prov#wasAssociatedWith>/'
            "<http://www.w3.org/2000/01/rdf-schema#label> ?who } }",
            {"Content-Type": "application/sparql-query", "Accept": "text/csv"},
        )
        # The fixture's `treatykg add --curator Test`, then this route's.
        assert sorted(who.text.splitlines()[1:]) == ["Test", "default"]


def test_the_commands_go_through_the_server_that_holds_the_store(capsys, added, tmp_path, monkeypatch):
    path = shutil.copytree(added, tmp_path / "store")
    sheet = report_b_without_georgia(tmp_path / "new" / "report-b")
    with LiveServer(path) as server:
        (path / SERVER_URL_FILE).write_text(server.url + "\n", encoding="utf-8")
        result = run(capsys, "source", "replace", "report-b", sheet, "--store", path)
        assert result.code == 2
        assert "held by a server; give its token (--token)" in result.err
        monkeypatch.setenv("TREATYKG_UPDATE_TOKEN", TOKEN)
        result = run(capsys, "source", "replace", "report-b", sheet, "--store", path)
        assert result.code == 0, result.err
        assert result.out.splitlines()[-1].startswith(
            f"replaced with {sheet}: {source_graph('report-b')} through the server: version 4, "
        )
        result = run(capsys, "source", "remove", "report-b", "--store", path)
        assert result.code == 0, result.err
        assert result.out.splitlines()[-1].startswith(
            f"removed {source_graph('report-b')} through the server"
        )
        bad = sheet.read_text(encoding="utf-8").replace("on 7 July 1992\n", "on 8 July 1992\n")
        sheet.write_text(bad, encoding="utf-8")
        result = run(capsys, "add", sheet, "--store", path)
        assert result.code == 1
        # Located in the local sheet, as `add` on the store itself would say.
        assert result.err.splitlines() == [
            f"{sheet}:24: {NOT_GIVEN}",
            f"{sheet}:27: {NOT_IN_TEXT}",
            "the sheet does not compile: 2 problem(s)",
        ]
        (path / SERVER_URL_FILE).unlink()
    assert source_graph("report-b") not in graphs_of(path)
