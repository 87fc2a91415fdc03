"""`treatykg sheet export`: a source's sheet regenerated from its graph compiles to the same graph (the
packaged article from a built store, the curated note, the conflicting report, a sheet with a decision)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pipeline_support import run
from rdflib import Graph
from rdflib.compare import isomorphic
from server_harness import TOKEN, LiveServer

from treatykg.cli.serve import SERVER_URL_FILE
from treatykg.core import resources
from treatykg.graph.sources.compile import compile_sheet
from treatykg.graph.sources.entities import load_entities
from treatykg.graph.sources.export import export_sheet

SOURCES = resources.graph_dir() / "sources"
ARTICLE = SOURCES / "cfe-withdrawal-article"
FIXTURES = Path(__file__).parent / "fixtures"
DECISION = """    decision:
      rank: deprecate
      reason: "no: the report's own date is a misprint"
      curator: Test Curator
      at: "2026-01-02T03:04:05Z"
"""


def compiled(sheet: Path, known: Graph | None = None) -> Graph:
    """A sheet compiled against the packaged entity sheet and the acts of `known`."""
    entities = load_entities()
    if known is not None:
        entities.add_acts(known)
    return compile_sheet(sheet, entities)[0]


def round_trip(sheet: Path, folder: Path, known: Graph | None = None) -> tuple[Graph, Graph, str]:
    """The sheet's graph, the graph of the sheet exported from it, and the exported YAML."""
    graph = compiled(sheet, known)
    slug = sheet.parent.name
    exported = export_sheet(graph, slug, known or Graph(), load_entities())
    folder.mkdir(parents=True)
    (folder / "text.txt").write_bytes(exported.text.encode("utf-8"))
    (folder / "sheet.yaml").write_text(exported.sheet, encoding="utf-8")
    return graph, compiled(folder / "sheet.yaml", known), exported.sheet


def test_the_note_and_the_conflicting_report_round_trip(tmp_path):
    article = compiled(ARTICLE / "sheet.yaml")
    conflicting = FIXTURES / "sources" / "conflicting-report" / "sheet.yaml"
    for sheet in (SOURCES / "cfe-treaty-record" / "sheet.yaml", conflicting):
        graph, again, _ = round_trip(sheet, tmp_path / sheet.parent.name, article)
        assert len(graph) > 60
        assert isomorphic(graph, again), sheet


def test_a_decision_and_claims_round_trip(tmp_path):
    folder = tmp_path / "report-b"
    shutil.copytree(FIXTURES / "reconcile" / "report-b", folder)
    sheet = folder / "sheet.yaml"
    text = sheet.read_text(encoding="utf-8")
    sheet.write_text(text.replace('    time: "1996"\n', '    time: "1996"\n' + DECISION), encoding="utf-8")
    report_a = compiled(FIXTURES / "reconcile" / "report-a" / "sheet.yaml")
    graph, again, yaml_text = round_trip(sheet, tmp_path / "exported" / "report-b", report_a)
    assert isomorphic(graph, again)
    # Joined acts keep their class and state what differs as claims; the decision comes back whole.
    georgia = yaml_text[yaml_text.index("- key: 1995-georgia-ratifies-cfe\n") :].split("\n- key:")[0]
    assert georgia.splitlines()[2:] == [
        "  class: Ratification",
        "  time: '1996'",
        "  claims:",
        "    class: Accession",
        "  decision:",
        "    rank: deprecate",
        "    reason: 'no: the report''s own date is a misprint'",
        "    curator: Test Curator",
        "    at: '2026-01-02T03:04:05Z'",
        "  quote: Georgia acceded to the CFE Treaty in 1996",
    ]
    assert "  claims:\n    agent: Soviet Union\n" in yaml_text


@pytest.mark.slow
def test_the_article_exported_from_a_built_store_compiles_to_its_graph(capsys, tmp_path, monkeypatch):
    store = tmp_path / "kg"
    assert run(capsys, "build", "--engine", "fast", "--store", store, "--data", ARTICLE).code == 0
    result = run(capsys, "sheet", "export", "cfe-withdrawal-article", "--store", store, "--into", tmp_path)
    assert result.code == 0, result.err
    folder = tmp_path / "cfe-withdrawal-article"
    assert result.out == f"exported cfe-withdrawal-article to {folder / 'sheet.yaml'} (with text.txt)\n"
    assert (folder / "text.txt").read_bytes() == (ARTICLE / "text.txt").read_bytes()
    assert isomorphic(compiled(folder / "sheet.yaml"), compiled(ARTICLE / "sheet.yaml"))
    # The sheet there is the authoritative copy: never overwritten.
    before = (folder / "sheet.yaml").read_bytes()
    result = run(capsys, "sheet", "export", "cfe-withdrawal-article", "--store", store, "--into", tmp_path)
    assert result.code == 2
    assert "a sheet is there already: the curation folder's sheet is the authoritative copy" in result.err
    assert (folder / "sheet.yaml").read_bytes() == before
    result = run(capsys, "sheet", "export", "no-such-source", "--store", store, "--into", tmp_path)
    assert result.code == 2
    assert "the store holds no source 'no-such-source'" in result.err
    # Through the server that holds the store: the same sheet.
    with LiveServer(store) as server:
        (store / SERVER_URL_FILE).write_text(server.url + "\n", encoding="utf-8")
        monkeypatch.setenv("TREATYKG_UPDATE_TOKEN", TOKEN)
        via = ("--store", store, "--into", tmp_path / "via")
        result = run(capsys, "sheet", "export", "cfe-withdrawal-article", *via)
        assert result.code == 0, result.err
        assert server.request("GET", "/sources/no-such-source").status == 404
        (store / SERVER_URL_FILE).unlink()
    assert (tmp_path / "via" / "cfe-withdrawal-article" / "sheet.yaml").read_bytes() == before
