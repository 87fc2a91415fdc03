"""`treatykg query` via the real entry point: prepared, file and -e queries, parameters, output formats."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from pipeline_support import FIXTURES, article_store, copy_store, run

from treatykg.graph.query.prepared import list_queries
from treatykg.graph.store.embedded import read_version

DOGS = FIXTURES / "queries" / "dogs.rq"
CHECK = FIXTURES / "queries" / "check-dogs.rq"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A store built from the tiny fixtures: rex (labelled) and fido are dogs and friends."""
    from treatykg.cli.main import main

    path = tmp_path_factory.mktemp("query") / "store"
    data = [str(FIXTURES / name) for name in ("tiny-article.ttl", "links.ttl", "quads.trig")]
    assert main(["build", "--store", str(path), "--data", *data]) == 0
    return path


def test_a_table_folds_labels_into_the_iris_they_name(capsys, store):
    result = run(capsys, "query", DOGS, "--store", store)
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "kind                      animal                          friend\n"
        "------------------------  ------------------------------  -------------------------\n"
        "<http://example.org/Dog>  <http://example.org/fido>       <http://example.org/rex>\n"
        "<http://example.org/Dog>  Rex [<http://example.org/rex>]  <http://example.org/fido>\n"
        "(2 rows)\n"
    )


def test_a_parameter_is_bound_as_a_term_and_csv_is_standard(capsys, store):
    result = run(
        capsys,
        "query",
        DOGS,
        "--param",
        "kind=http://example.org/Animal",
        "--format",
        "csv",
        "--store",
        store,
    )
    assert result.code == 0
    assert result.out == (
        "kind,animal,animalLabel,friend\r\n"
        "http://example.org/Animal,http://example.org/fido,,http://example.org/rex\r\n"
        "http://example.org/Animal,http://example.org/rex,Rex,http://example.org/fido\r\n"
    )


def test_json_is_the_standard_sparql_results_format(capsys, store):
    result = run(capsys, "query", DOGS, "--format", "json", "--store", store)
    document = json.loads(result.out)
    assert document["head"]["vars"] == ["kind", "animal", "animalLabel", "friend"]
    assert document["results"]["bindings"][1]["animalLabel"] == {
        "type": "literal",
        "value": "Rex",
        "xml:lang": "en",
    }
    assert len(list(ox.parse_query_results(result.out.encode(), ox.QueryResultsFormat.JSON))) == 2


def test_a_value_is_never_pasted_into_the_query_text(capsys, store):
    # Pasted into the text, this value would make the FILTER true for every label; bound, it is one string.
    query = f"SELECT ?name ?who {{ ?who <{LABEL}> ?label FILTER(STR(?label) = ?name) }}"
    injected = 'nobody") || ("a" = "a'
    result = run(
        capsys, "query", "-e", query, "--param", f"name={injected}", "--format", "csv", "--store", store
    )
    assert (result.code, result.out) == (0, "name,who\r\n")


def test_expression_queries_see_the_union_of_all_graphs(capsys, store):
    result = run(
        capsys, "query", "-e", "SELECT (COUNT(*) AS ?quads) { ?s ?p ?o }", "--format", "csv", "--store", store
    )
    version = read_version(store)
    assert result.out == f"quads\r\n{sum(version.graph_quads.values()) + version.default_graph_quads}\r\n"


def test_expression_parameters_are_iris_in_angle_brackets_or_strings(capsys, store):
    query = f"SELECT ?who ?name {{ ?who <{LABEL}> ?label FILTER(STR(?label) = ?name) }}"
    result = run(
        capsys,
        "query",
        "-e",
        query,
        "--param",
        "who=<http://example.org/rex>",
        "--param",
        "name=Rex",
        "--store",
        store,
    )
    assert result.out.splitlines()[2] == "<http://example.org/rex>  Rex"


def test_ask_and_construct(capsys, store):
    assert (
        run(capsys, "query", "-e", "ASK { ?s a <http://example.org/Dog> }", "--store", store).out == "true\n"
    )
    construct = "CONSTRUCT { ?s a <http://example.org/Dog> } WHERE { ?s a <http://example.org/Dog> }"
    result = run(capsys, "query", "-e", construct, "--store", store)
    assert sorted(result.out.splitlines()) == [
        f"<http://example.org/fido> <{TYPE}> <http://example.org/Dog> .",
        f"<http://example.org/rex> <{TYPE}> <http://example.org/Dog> .",
    ]


def test_a_check_query_with_rows_exits_1(capsys, store):
    result = run(capsys, "query", CHECK, "--store", store)
    assert result.code == 1
    assert result.err == "check-dogs: 2 row(s); any row is a failure\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["cq-no-such-question"], "no prepared query 'cq-no-such-question' (prepared queries: "),
        ([DOGS, "--param", "kind=not an iri"], "parameter kind: 'not an iri' is not a valid iri"),
        ([DOGS, "--param", "colour=brown"], "dogs: unknown parameter colour (parameters: kind)"),
        ([DOGS, "--param", "kind"], "--param 'kind': expected NAME=VALUE"),
        ([DOGS, "-e", "ASK {}"], "give exactly one of NAME, FILE.rq or -e TEXT"),
        ([], "give exactly one of NAME, FILE.rq or -e TEXT"),
        (
            ["-e", "SELECT ?x {\n  ?x ?p"],
            "-e: SPARQL syntax error at line 2, column 8:\n    ?x ?p\n         ^",
        ),
    ],
)
def test_what_cannot_run_exits_2_with_the_cause(capsys, store, argv, message):
    result = run(capsys, "query", *argv, "--store", store)
    assert result.code == 2
    assert result.err.startswith(message)


def test_a_query_of_a_missing_store_creates_nothing(capsys, tmp_path):
    result = run(capsys, "query", "-e", "ASK {}", "--store", tmp_path / "nowhere")
    assert (result.code, result.err) == (
        2,
        f"{tmp_path / 'nowhere'}: no store here; run `treatykg build` first\n",
    )
    assert not (tmp_path / "nowhere").exists()


def test_list_shows_every_prepared_query(capsys):
    result = run(capsys, "query", "--list")
    names = [line.split()[0] for line in result.out.splitlines()]
    assert names == [query.name for query in list_queries()]


@pytest.mark.slow
def test_every_prepared_query_runs_against_the_article(capsys, tmp_path):
    store = copy_store(article_store(), tmp_path / "store")
    for query in list_queries():
        result = run(capsys, "query", query.name, "--store", store)
        assert result.code in (0, 1), (query.name, result.err)
        assert result.code == 0 or query.name.startswith("check-"), query.name
