"""`treatykg build` and `validate` via the real entry point: graphs, reasoning, every failure path."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from pipeline_support import FIXTURES, graph_names, run, store_quads, store_state
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from treatykg.core.iris import GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH
from treatykg.core.progress import Progress
from treatykg.graph.build import fast as fastbuild
from treatykg.graph.store.embedded import open_store, read_version, record_commit

pytestmark = pytest.mark.slow

EX = "http://example.org/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
TINY = FIXTURES / "tiny-article.ttl"
VIOLATION = (
    f"{FIXTURES / 'violation.ttl'}: violation: <https://w3id.org/treatykg/source/no-digest> tkg:textSha256: "
    "A source needs exactly one tkg:textSha256, 64 lower-case hex digits as an xsd:string."
)
LINKS = FIXTURES / "links.ttl"
QUADS = FIXTURES / "quads.trig"


def triples_in(store, graph: str) -> set[str]:
    """The triples of one graph of a store, as N-Triples strings."""
    return {
        str(quad.triple) for quad in store_quads(store) if getattr(quad.graph_name, "value", None) == graph
    }


@pytest.fixture(params=["reference", "fast"])
def engine(request) -> str:
    """Each build test runs with both engines: they must build the same graphs and fail the same way."""
    return request.param


@pytest.fixture
def built(capsys, tmp_path, engine):
    """A store built from the tiny fixtures."""
    store = tmp_path / "store"
    result = run(capsys, "build", "--engine", engine, "--store", store, "--data", TINY, LINKS, QUADS)
    assert (result.code, result.err) == (0, "")
    return store


def test_build_names_each_graph_by_the_rules(capsys, built, engine):
    assert graph_names(built) == {
        ONTOLOGY_GRAPH,
        INFERRED_GRAPH,
        GRAPH + "source/tiny-article",  # declares exactly one tkg:Source
        GRAPH + "links",  # no source: the file stem
        GRAPH + "quads",  # a TriG file's default graph: the file stem
        EX + "graph/extra",  # a TriG file's named graph keeps its name
    }
    assert triples_in(built, GRAPH + "links") == {
        f"<{EX}friendOf> <http://www.w3.org/2002/07/owl#inverseOf> <{EX}friendOf>",
        f"<{EX}rex> <{EX}friendOf> <{EX}fido>",
    }
    assert triples_in(built, EX + "graph/extra") == {f"<{EX}fido> {RDF_TYPE} <{EX}Dog>"}
    version = read_version(built)
    assert version.version == 1
    assert version.build["reasoning"] == {"reference": "owlrl OWL 2 RL", "fast": fastbuild.REASONING}[engine]
    assert [item["name"] for item in version.build["inputs"]] == [
        "ontology/treatykg.ttl",
        "ontology/shapes.ttl",
        "links.ttl",
        "quads.trig",
        "tiny-article.ttl",
    ]


def test_the_inferred_graph_covers_every_asserted_graph_and_only_inferences(built):
    inferred = triples_in(built, INFERRED_GRAPH)
    assert f"<{EX}rex> {RDF_TYPE} <{EX}Animal>" in inferred  # tiny-article.ttl alone
    assert f"<{EX}fido> <{EX}friendOf> <{EX}rex>" in inferred  # links.ttl's inverse property
    assert f"<{EX}fido> {RDF_TYPE} <{EX}Animal>" in inferred  # quads.trig's graph + tiny-article's subclass
    assert f"<{EX}rex> <{EX}friendOf> <{EX}fido>" not in inferred  # asserted, so not repeated
    asserted = set().union(*(triples_in(built, name) for name in graph_names(built) - {INFERRED_GRAPH}))
    assert not inferred & asserted


def test_the_build_prints_what_the_store_now_holds(capsys, tmp_path, engine):
    result = run(capsys, "build", "--engine", engine, "--store", tmp_path, "--data", LINKS)
    lines = result.out.splitlines()
    assert lines[0].startswith(f"built {tmp_path} ({engine} engine): store version 1 (")
    assert [line.split()[0] for line in lines[1:]] == [INFERRED_GRAPH, GRAPH + "links", ONTOLOGY_GRAPH]
    assert lines[2].split()[1:] == ["2", "triples"]


def test_no_reason_builds_without_an_inferred_graph(capsys, built, engine):
    result = run(
        capsys, "build", "--engine", engine, "--store", built, "--data", TINY, LINKS, QUADS, "--no-reason"
    )
    assert result.code == 0
    assert INFERRED_GRAPH not in graph_names(built)
    assert read_version(built).build["reasoning"] == "none"


def test_a_rebuild_keeps_http_graphs_reasons_over_them_and_drops_files_no_longer_built(capsys, built, engine):
    with open_store(built) as handle:
        handle.store.update(
            f"INSERT DATA {{ GRAPH <{EX}graph/http> {{ <{EX}spot> a <{EX}Dog> }} <{EX}d> <{EX}p> <{EX}o> }}"
        )
        record_commit(handle)
    result = run(capsys, "build", "--engine", engine, "--store", built, "--data", TINY)
    assert result.code == 0
    assert f"  {EX}graph/http" in result.out
    assert "(kept: not the build's)" in result.out
    assert graph_names(built) == {
        ONTOLOGY_GRAPH,
        INFERRED_GRAPH,
        GRAPH + "source/tiny-article",
        EX + "graph/http",
    }
    assert f"<{EX}spot> {RDF_TYPE} <{EX}Animal>" in triples_in(built, INFERRED_GRAPH)
    assert f"<{EX}d> <{EX}p> <{EX}o>" in {
        str(q.triple) for q in store_quads(built) if not hasattr(q.graph_name, "value")
    }


def test_inferences_about_blank_nodes_of_kept_graphs_land_on_the_same_node_or_nowhere(capsys, built, engine):
    with open_store(built) as handle:
        handle.store.update(f"INSERT DATA {{ GRAPH <{EX}graph/http> {{ _:x a <{EX}Dog> }} }}")
        record_commit(handle)
    assert run(capsys, "build", "--engine", engine, "--store", built, "--data", TINY).code == 0
    inferred = triples_in(built, INFERRED_GRAPH)
    assert f"<{EX}rex> {RDF_TYPE} <{EX}Animal>" in inferred
    [kept] = triples_in(built, EX + "graph/http")
    about_blank = [triple for triple in inferred if triple.startswith("_:") and f"<{EX}Animal>" in triple]
    if engine == "reference":
        # INSERT DATA mints fresh blank nodes, so "_:x a ex:Animal" would land on a new, unconnected node.
        assert about_blank == []
    else:
        # The fast engine copies quads with their blank nodes into the new database: the same node.
        assert about_blank == [kept.replace(f"<{EX}Dog>", f"<{EX}Animal>")]


def test_a_violation_in_an_http_graph_fails_the_rebuild(capsys, built, engine):
    with open_store(built) as handle:
        handle.store.update(
            f"INSERT DATA {{ GRAPH <{EX}graph/http> {{ <https://w3id.org/treatykg/source/x> a "
            f"<https://w3id.org/treatykg/ontology#NewsArticle> }} }}"
        )
        record_commit(handle)
    before = store_state(built)
    result = run(capsys, "build", "--engine", engine, "--store", built, "--data", TINY)
    assert result.code == 1
    assert "<https://w3id.org/treatykg/source/x> tkg:textSha256: A source needs exactly one" in result.err
    assert store_state(built) == before


@pytest.mark.parametrize(
    ("argv", "code", "first_line"),
    [
        (["--data", FIXTURES / "bad-syntax.ttl"], 2, f"{FIXTURES / 'bad-syntax.ttl'}:4: "),
        (
            ["--data", FIXTURES / "ontology.owx"],
            2,
            f"{FIXTURES / 'ontology.owx'}:1: OWL/XML is not supported; in Protégé use File > Save as... "
            "and choose Turtle Syntax or RDF/XML Syntax",
        ),
        (["--data", FIXTURES / "violation.ttl"], 1, "does not conform: 1 SHACL violation(s)"),
        (["--data", FIXTURES / "inconsistent.ttl"], 1, "inconsistent under OWL 2 RL:"),
        (["--data", FIXTURES / "no-such-file.ttl"], 2, f"{FIXTURES / 'no-such-file.ttl'}: no such file"),
        (
            ["--ontology", FIXTURES / "no-such-ontology.ttl"],
            2,
            f"{FIXTURES / 'no-such-ontology.ttl'}: no such file",
        ),
        (
            ["--data", QUADS, FIXTURES / "quads.trig"],
            2,
            f"{QUADS}: both this file and {QUADS} would be the graph",
        ),
    ],
)
def test_a_failed_build_names_the_cause_and_leaves_the_store_untouched(
    capsys, built, engine, argv, code, first_line
):
    before = store_state(built)
    result = run(capsys, "build", "--engine", engine, "--store", built, *argv)
    assert result.code == code
    assert result.out == ""
    assert result.err.splitlines()[0].startswith(first_line)
    assert store_state(built) == before


def test_a_violation_names_file_focus_node_path_and_message(capsys, tmp_path, engine):
    result = run(
        capsys, "build", "--engine", engine, "--store", tmp_path, "--data", FIXTURES / "violation.ttl"
    )
    assert result.err == (f"does not conform: 1 SHACL violation(s)\n{VIOLATION}\n")


def test_an_inconsistency_names_the_triples_and_their_file(capsys, tmp_path):
    result = run(capsys, "build", "--store", tmp_path, "--data", FIXTURES / "inconsistent.ttl")
    path = FIXTURES / "inconsistent.ttl"
    state = "<https://w3id.org/treatykg/id/state/ruritania>"
    assert result.err == (
        "inconsistent under OWL 2 RL:\n"
        "  Disjoint classes https://w3id.org/treatykg/ontology#State and "
        "https://w3id.org/treatykg/ontology#Person "
        "have a common individual https://w3id.org/treatykg/id/state/ruritania: "
        f"{state} rdf:type tkg:State (asserted in {path}); {state} rdf:type tkg:Person (asserted in {path})\n"
    )


def test_progress_is_quiet_when_piped(tmp_path):
    script = Path(sys.executable).with_name("treatykg")  # the installed console script
    result = subprocess.run(
        [script, "build", "--store", tmp_path, "--data", LINKS], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith(f"built {tmp_path} (reference engine): store version 1")


def test_progress_shows_counts_and_rates_on_a_terminal():
    class Terminal(StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = Progress(stream)
    progress.done("loaded x.ttl", 1200)
    progress.done("validated")
    first, second = stream.getvalue().splitlines()
    assert first.startswith("loaded x.ttl: 1,200 triples (")
    assert first.endswith(" triples/s)")
    assert second.startswith("validated (")
    assert second.endswith(" s)")
    assert Progress(StringIO()).enabled is False


def test_validate_reports_and_never_touches_a_store(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("TREATYKG_STORE", str(tmp_path / "store"))
    ok = run(capsys, "validate", TINY, LINKS)
    assert (ok.code, ok.out) == (0, "conforms: 0 violation(s), 0 warning(s)\n")
    bad = run(capsys, "validate", FIXTURES / "violation.ttl")
    assert bad.code == 1
    assert bad.out == (f"{VIOLATION}\ndoes not conform: 1 violation(s), 0 warning(s)\n")
    assert not (tmp_path / "store").exists()


def test_validate_writes_the_w3c_report_as_turtle(capsys):
    result = run(capsys, "validate", FIXTURES / "violation.ttl", "--format", "turtle")
    assert result.code == 1
    report = Graph().parse(data=result.out, format="turtle")
    (conforms,) = report.objects(None, SH.conforms)
    assert conforms.toPython() is False
    (node,) = report.subjects(None, SH.ValidationResult)
    assert report.value(node, SH.focusNode) == URIRef("https://w3id.org/treatykg/source/no-digest")
    assert report.value(node, SH.resultPath) == URIRef("https://w3id.org/treatykg/ontology#textSha256")
    assert report.value(node, SH.resultSeverity) == SH.Violation


@pytest.mark.parametrize(
    ("path", "code"),
    [
        (FIXTURES / "bad-syntax.ttl", 2),
        (FIXTURES / "no-such-file.ttl", 2),
        (FIXTURES / "inconsistent.ttl", 1),
    ],
)
def test_validate_exit_codes(capsys, path, code):
    assert run(capsys, "validate", path).code == code


@pytest.mark.parametrize("command", ["build", "add", "validate", "export", "query", "normalize"])
def test_every_command_has_help_with_examples_and_exit_codes(capsys, command):
    with pytest.raises(SystemExit) as exited:
        run(capsys, command, "--help")
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "examples:\n  treatykg " + command in out
    assert "exit codes: 0 " in out


def test_the_version_file_is_json_with_sorted_keys(built):
    document = json.loads((built / "version.json").read_text())
    assert list(document) == sorted(document)
