"""Prepared queries: the `#+ key: value` header, typed parameters, and binding them as RDF terms."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from treatykg.core.errors import InputError
from treatykg.core.resources import query_files
from treatykg.graph.query.prepared import Parameter, list_queries, load_query, parse_query

XSD = "http://www.w3.org/2001/XMLSchema#"

TEXT = """\
#+ summary: Which treaties has a state left?
#+ description: The treaty acts by which the state stepped back,
#+   continued on a second line.
#+ param: state iri https://w3id.org/treatykg/id/state/russia
#+ param: since date 1990-01-01
#+ param: limit integer
#+ param: label string the Russian Federation
#+ expected: Three acts.
SELECT ?state ?since ?limit ?label WHERE { }
"""


def test_the_header_gives_metadata_and_parameters():
    query = parse_query(TEXT, "cq-example")
    assert query.metadata == {
        "summary": "Which treaties has a state left?",
        "description": "The treaty acts by which the state stepped back, continued on a second line.",
        "expected": "Three acts.",
    }
    assert query.summary == "Which treaties has a state left?"
    assert query.params == (
        Parameter("state", "iri", "https://w3id.org/treatykg/id/state/russia"),
        Parameter("since", "date", "1990-01-01"),
        Parameter("limit", "integer", None),
        Parameter("label", "string", "the Russian Federation"),
    )
    assert query.text == TEXT


def test_bind_gives_typed_terms_with_defaults():
    query = parse_query(TEXT, "cq-example")
    assert query.bind({"limit": "007", "since": "2023-05-01"}) == {
        ox.Variable("state"): ox.NamedNode("https://w3id.org/treatykg/id/state/russia"),
        ox.Variable("since"): ox.Literal("2023-05-01", datatype=ox.NamedNode(XSD + "date")),
        ox.Variable("limit"): ox.Literal("7", datatype=ox.NamedNode(XSD + "integer")),
        ox.Variable("label"): ox.Literal("the Russian Federation"),
    }


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "cq-example: parameter limit (integer) is required"),
        ({"limit": "ten"}, "parameter limit: 'ten' is not a valid integer"),
        ({"limit": "1", "since": "May 2023"}, "parameter since: 'May 2023' is not a valid date"),
        ({"limit": "1", "state": "russia"}, "parameter state: 'russia' is not a valid iri"),
        (
            {"limit": "1", "country": "x"},
            "cq-example: unknown parameter country (parameters: state, since, limit, label)",
        ),
    ],
)
def test_bad_values_are_refused_by_name(values, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        parse_query(TEXT, "cq-example").bind(values)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("#+ summary text without a colon", "q:1: not a `#+ key: value` line"),
        ("#+ param: state", "q:1: a parameter needs a name and a type"),
        ("#+ param: state place", "q:1: unknown parameter type 'place'"),
        ("#+ param: state integer many", "parameter state: 'many' is not a valid integer"),
        ("#+ param: 1st iri", "q:1: '1st' is not a SPARQL variable name"),
        ("#+ summary: a\n#+ summary: b", "q:2: summary given twice"),
    ],
)
def test_malformed_headers_are_refused_with_their_line(header, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        parse_query(header + "\nSELECT * {}", "q")


def test_every_packaged_query_parses_with_a_summary():
    queries = list_queries()  # parsing also checks each parameter's default against its type
    assert [query.name for query in queries] == [path.stem for path in query_files()]
    assert all(query.summary for query in queries)


def test_an_unknown_prepared_query_lists_the_known_ones():
    with pytest.raises(InputError) as missing:
        load_query("cq-no-such-question")
    assert str(missing.value).startswith("no prepared query 'cq-no-such-question' (prepared queries: ")
    with pytest.raises(InputError, match=re.escape("no prepared query '../etc/passwd'")):
        load_query("../etc/passwd")
