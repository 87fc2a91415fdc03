"""Prepared queries as an API (/queries, /openapi.json), the query UI, and escaping of what clients write."""

from __future__ import annotations

import csv
import io
import json
import re

import pyoxigraph as ox
import pytest
from web_support import HTML

from treatykg.graph.query.prepared import list_queries

TOKEN = "ui-test-token"  # noqa: S105 - the scratch server's own token
# What cq-treaties-left answers for Russia on the packaged sources (the article and the curated note).
RUSSIA_ACTS = {
    "Russia formally withdraws from the CFE Treaty",
    "Russia officially denounces the CFE (May 2023)",
    "Russia revokes its ratification of the CTBT",
    "Russia suspends its participation in the CFE (2007)",
    "Russia’s “complete withdrawal” from the CFE (2015)",
}


@pytest.fixture(scope="module")
def test_config(test_config):
    """The shared settings, with a token that allows writes."""
    return {**test_config, "UPDATE_TOKEN": TOKEN}


def test_queries_lists_every_prepared_query_with_metadata(client):
    listed = client.get("/queries").get_json()["queries"]
    assert [q["name"] for q in listed] == [q.name for q in list_queries()]
    treaties = next(q for q in listed if q["name"] == "cq-treaties-left")
    assert treaties["summary"].startswith("Which treaties")
    assert treaties["parameters"] == [
        {
            "name": "state",
            "type": "iri",
            "required": False,
            "default": "https://w3id.org/treatykg/id/state/russia",
        }
    ]
    assert treaties["family"] == "solutions"
    assert "expected" in treaties
    page = client.get("/queries", headers=HTML)
    assert page.mimetype == "text/html"
    assert "cq-treaties-left" in page.text


def test_prepared_query_runs_with_defaults_and_parameters(client):
    default = client.get("/queries/cq-treaties-left").get_json()
    labels = {row["actLabel"]["value"] for row in default["results"]["bindings"]}
    assert labels == RUSSIA_ACTS
    nato = client.get(
        "/queries/cq-agent-involvement", query_string={"agent": "https://w3id.org/treatykg/id/state/russia"}
    ).get_json()
    assert {row["agent"]["value"] for row in nato["results"]["bindings"]} == {
        "https://w3id.org/treatykg/id/state/russia"
    }
    none = client.get(
        "/queries/cq-treaties-left", query_string={"state": "https://w3id.org/treatykg/id/state/moldova"}
    ).get_json()
    assert none["results"]["bindings"] == []


@pytest.mark.parametrize(
    ("accept", "format_name", "media_type"),
    [
        ("application/sparql-results+json", None, "application/sparql-results+json"),
        ("application/sparql-results+xml", None, "application/sparql-results+xml"),
        ("text/csv", None, "text/csv"),
        ("text/tab-separated-values", None, "text/tab-separated-values"),
        (None, "csv", "text/csv"),
        (None, "xml", "application/sparql-results+xml"),
    ],
)
def test_prepared_query_in_every_result_format(client, accept, format_name, media_type):
    response = client.get(
        "/queries/cq-treaties-left",
        headers={"Accept": accept} if accept else {},
        query_string={"format": format_name} if format_name else {},
    )
    assert response.status_code == 200
    assert response.mimetype == media_type
    if media_type == "text/csv":
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert {row["actLabel"] for row in rows} == RUSSIA_ACTS


def test_prepared_query_parameters_are_typed_and_validated(client):
    assert client.get("/queries/cq-treaties-left", query_string={"state": "not an iri"}).status_code == 400
    unknown = client.get("/queries/cq-treaties-left", query_string={"colour": "red"})
    assert unknown.status_code == 400
    assert "unknown parameter colour" in unknown.text
    injection = client.get("/queries/cq-treaties-left", query_string={"state": "http://x/> } SELECT * {"})
    assert injection.status_code == 400
    assert client.get("/queries/no-such-query").status_code == 404
    assert client.get("/queries/cq-treaties-left", headers={"Accept": "image/png"}).status_code == 406
    page = client.get("/queries/cq-treaties-left", query_string={"state": "nope"}, headers=HTML)
    assert page.status_code == 400
    assert "not a valid iri" in page.text


def test_openapi_describes_the_routes_and_their_parameters(client):
    document = client.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert "/queries" in document["paths"]
    for query in list_queries():
        operation = document["paths"][f"/queries/{query.name}"]["get"]
        names = [p["name"] for p in operation["parameters"]]
        assert names == [p.name for p in query.params] + ["format"]
        assert "200" in operation["responses"]
        assert "400" in operation["responses"]
    state = document["paths"]["/queries/cq-treaties-left"]["get"]["parameters"][0]
    assert state["schema"] == {
        "type": "string",
        "format": "uri",
        "default": "https://w3id.org/treatykg/id/state/russia",
    }
    # Every $ref resolves.
    for ref in re.findall(r'"\$ref": "#/([^"]+)"', json.dumps(document)):
        node = document
        for part in ref.split("/"):
            node = node[part]


def test_query_ui_runs_queries_and_links_iris(client):
    page = client.get("/", headers=HTML)
    assert page.status_code == 200
    assert "<textarea" in page.text
    assert "cq-treaties-left" in page.text
    assert client.get("/sparql", headers=HTML).text == page.text
    result = client.post(
        "/",
        data={"query": "SELECT ?s WHERE { ?s a <https://w3id.org/treatykg/ontology#State> }"},
        headers=HTML,
    )
    assert result.status_code == 200
    assert 'class="data results-table"' in result.text
    assert 'href="/id/state/russia">Russia</a>' in result.text
    assert "/sparql?query=" in result.text
    assert "format=csv" in result.text
    graph = client.post(
        "/",
        data={"query": "CONSTRUCT WHERE { ?s a <https://w3id.org/treatykg/ontology#State> }"},
        headers=HTML,
    )
    assert "format=turtle" in graph.text
    assert "<th>subject</th>" in graph.text
    ask = client.post("/", data={"query": "ASK { ?s ?p ?o }"}, headers=HTML)
    assert '<p class="boolean">true</p>' in ask.text
    bad = client.post("/", data={"query": "SELEKT nothing"}, headers=HTML)
    assert bad.status_code == 400
    assert 'class="error"' in bad.text
    remote = client.post(
        "/", data={"query": "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"}, headers=HTML
    )
    assert remote.status_code == 400
    assert "SERVICE is not allowed" in remote.text


def test_prepared_query_in_the_ui(client):
    page = client.get("/?prepared=cq-treaties-left", headers=HTML).text
    assert 'name="state"' in page
    assert 'value="https://w3id.org/treatykg/id/state/russia"' in page
    result = client.get("/queries/cq-treaties-left?format=html", headers=HTML).text
    assert all(label in result for label in ("Russia officially denounces the CFE (May 2023)",))
    assert "/queries/cq-treaties-left?format=tsv" in result


@pytest.mark.slow
def test_labels_written_by_clients_are_escaped(client):
    label = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    update = (
        "INSERT DATA { GRAPH <https://w3id.org/treatykg/graph/xss> { "
        "<https://w3id.org/treatykg/id/test/xss> <http://www.w3.org/2000/01/rdf-schema#label> "
        f"{ox.Literal(label, language='en')} . "
        "<https://w3id.org/treatykg/id/state/russia> <http://www.w3.org/2004/02/skos/core#note> "
        "<https://w3id.org/treatykg/id/test/xss> } }"
    )
    written = client.post(
        "/update",
        data=update,
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert written.status_code == 204, written.text
    for path in ("/id/test/xss", "/id/state/russia", "/search?q=script", "/graph/xss"):
        page = client.get(path, headers=HTML).text
        assert "<script>alert" not in page, path
        assert "<img src=x" not in page, path
    page = client.get("/id/test/xss", headers=HTML).text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert "</script" not in block
    assert json.loads(block)["name"] == label
    russia = client.get("/id/state/russia", headers=HTML).text
    assert "&lt;script&gt;" in russia
