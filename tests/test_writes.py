"""Validated, atomic writes: the delta is exact, reasoned and validated.

A Violation is 422 and changes nothing.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from flask import Flask
from server_harness import AUTH, LiveServer

from treatykg.core.iris import INFERRED_GRAPH, WRITES_GRAPH
from treatykg.graph.store.check import check_store
from treatykg.server.query.messages import Rejection, ShaclResult, decode, encode
from treatykg.server.writes import validated
from treatykg.server.writes.delta import update_delta
from treatykg.server.writes.overlay import ox_graph, ox_term

pytestmark = pytest.mark.slow

E = "PREFIX e: <http://e/> "
SEED = """INSERT DATA { e:a e:p 1 . e:a e:p 2 . e:b e:q e:a . _:x e:p 3 . _:x e:r _:y .
  GRAPH e:g { e:a e:p 1 . e:c e:p "x"@en } GRAPH e:h { e:a e:q e:b } } ; CREATE GRAPH e:empty"""
# Each is run by Oxigraph itself and as a delta on a copy; the two stores must end up the same.
UPDATES = [
    "INSERT DATA { e:z e:p 5 }",
    "DELETE DATA { e:a e:p 1 }",
    "DELETE DATA { GRAPH e:g { e:a e:p 1 } }",
    "DELETE WHERE { ?s e:p ?o }",
    "DELETE WHERE { GRAPH ?g { ?s e:p ?o } }",
    "DELETE { ?s e:p ?o } INSERT { ?s e:p2 ?o } WHERE { ?s e:p ?o }",
    "WITH e:g DELETE { ?s ?p ?o } INSERT { ?s e:z ?o } WHERE { ?s ?p ?o }",
    "INSERT { GRAPH e:n { ?s e:copy ?o } } USING e:g WHERE { ?s ?p ?o }",
    "INSERT { GRAPH e:n { ?s e:copy ?o } } USING NAMED e:g WHERE { GRAPH ?g { ?s ?p ?o } }",
    "WITH e:g INSERT { ?s e:w ?o } USING e:h WHERE { ?s ?p ?o }",
    "INSERT { ?s e:new _:b . _:b e:v ?o } WHERE { ?s e:p ?o }",
    "CLEAR DEFAULT",
    "CLEAR ALL",
    "CLEAR NAMED",
    "DROP ALL",
    "DROP NAMED",
    "DROP GRAPH e:g",
    "DROP GRAPH e:nope",
    "DROP SILENT GRAPH e:nope",
    "CLEAR GRAPH e:nope",
    "CLEAR GRAPH e:empty",
    "DROP GRAPH e:empty",
    "CREATE GRAPH e:g",
    "CREATE GRAPH e:new",
    "CREATE SILENT GRAPH e:g",
    "ADD e:g TO e:h",
    "ADD DEFAULT TO e:h",
    "ADD e:g TO DEFAULT",
    "MOVE e:g TO e:h",
    "MOVE DEFAULT TO e:k",
    "COPY e:g TO e:h",
    "COPY e:g TO e:g",
    "COPY e:nope TO e:h",
    "ADD e:empty TO e:new2",
    "MOVE e:empty TO e:h",
    "INSERT DATA { e:a e:p 1 } ; DELETE DATA { e:a e:p 1 }",
    "DELETE DATA { e:a e:p 1 } ; INSERT DATA { e:a e:p 1 }",
    'INSERT DATA { e:a e:n "01"^^<http://www.w3.org/2001/XMLSchema#integer> }',
    'DELETE DATA { e:a e:p "01"^^<http://www.w3.org/2001/XMLSchema#integer> }',
    'INSERT DATA { e:a e:l "x"@EN }',
    'DELETE DATA { e:c e:p "x"@EN }',
    "DELETE { ?x e:r ?y } WHERE { ?x e:r ?y }",
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(isBlank(?s)) }",
    "INSERT { ?o e:inv ?s } WHERE { ?s e:q ?o } ; DELETE WHERE { ?s e:q ?o }",
    "INSERT { GRAPH ?g { ?s e:seen true } } WHERE { GRAPH ?g { ?s ?p ?o } }",
    "DELETE { GRAPH e:g { ?s ?p ?o } } WHERE { GRAPH e:h { ?s ?p ?o } }",
    "INSERT { ?s e:c ?n } WHERE { SELECT ?s (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?s }",
    "INSERT { ?s e:x ?o } WHERE { ?s e:p ?o OPTIONAL { ?s e:nothing ?z } FILTER(!BOUND(?z)) }",
    "INSERT DATA { GRAPH e:empty { e:a e:p 9 } }",
    "DELETE { ?s e:p ?o } INSERT { ?s e:p ?o } WHERE { ?s e:p ?o }",
    "INSERT { ?s e:u ?u } WHERE { ?s e:p ?o BIND(?o + 1 AS ?u) }",
    'INSERT { e:lit ?p ?o } WHERE { BIND("a" AS ?s) BIND(e:p AS ?p) BIND(?s AS ?o) }',
    "INSERT { ?s ?p ?o } WHERE { VALUES (?s ?p ?o) { (e:v1 e:p 1) (e:v2 e:p UNDEF) } }",
    "INSERT { ?s e:two ?o } WHERE { ?s e:p ?o FILTER(?o > 1) } ; DELETE WHERE { ?s e:two 2 }",
]


def seeded() -> ox.Store:
    """A small in-memory store with a default graph, named graphs, blank nodes and an empty graph."""
    store = ox.Store()
    store.update(E + SEED)
    return store


def apply_delta(store: ox.Store, delta) -> None:
    """Apply a delta the simple way (for comparison only)."""
    for s, p, o, g in delta.removed:
        store.remove(ox.Quad(ox_term(s), ox_term(p), ox_term(o), ox_graph(g)))
    for s, p, o, g in delta.added:
        store.add(ox.Quad(ox_term(s), ox_term(p), ox_term(o), ox_graph(g)))
    for g in delta.dropped:
        store.remove_graph(ox.NamedNode(g))
    for g in delta.created:
        store.add_graph(ox.NamedNode(g))


def canonical(store: ox.Store) -> tuple[list[str], list[str]]:
    """The store's quads with blank nodes blanked out, and its named graphs (enough to compare here)."""
    quads = sorted(re.sub(r"_:\w+", "_:B", str(quad)) for quad in store)
    return quads, sorted(str(g) for g in store.named_graphs())


@pytest.mark.parametrize("update", UPDATES)
def test_delta_is_what_oxigraph_would_write(update: str) -> None:
    """The delta, applied, gives the store Oxigraph's own update gives; both fail, or neither."""
    reference, candidate = seeded(), seeded()
    try:
        reference.update(E + update)
        reference_failed = False
    except (OSError, RuntimeError, SyntaxError, ValueError):
        reference_failed = True
    try:
        apply_delta(candidate, update_delta(candidate, E + update))
        candidate_failed = False
    except ValueError:
        candidate_failed = True
    assert candidate_failed == reference_failed
    assert canonical(candidate) == canonical(reference)


def test_delta_leaves_the_store_alone() -> None:
    """Computing a delta reads the store only."""
    store = seeded()
    before = canonical(store)
    delta = update_delta(store, E + "CLEAR ALL ; INSERT DATA { e:new e:p 1 }")
    assert delta.removed
    assert delta.added
    assert canonical(store) == before


# -- over HTTP, on the article ----------------------------------------------------------------------------

TKG = "https://w3id.org/treatykg/ontology#"
ID = "https://w3id.org/treatykg/id/"
SRC = "https://w3id.org/treatykg/source/cfe-withdrawal-article"
ARTICLE_GRAPH = "https://w3id.org/treatykg/graph/source/cfe-withdrawal-article"
EVENT = f"{ID}event/2024-01-test-denunciation"
GOOD = f"""PREFIX tkg: <{TKG}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT DATA {{ GRAPH <https://example.org/http-writes> {{
  <{EVENT}> a tkg:Denunciation ; rdfs:label "A test denunciation"@en ;
    tkg:epistemicStatus tkg:ReportedBySource ; tkg:agent <{ID}state/russia> ; tkg:treaty <{ID}treaty/cfe> ;
    tkg:timeSpan <{ID}time/2023-05> ; tkg:attestedBy <{SRC}/span/1164-1204> ; tkg:source <{SRC}> .
}} }}"""
BAD = f"PREFIX tkg: <{TKG}> INSERT DATA {{ <{ID}event/2024-02-no-provenance> a tkg:Denunciation }}"


@pytest.fixture(scope="module")
def article(tmp_path_factory: pytest.TempPathFactory):
    """A server over the built article."""
    with LiveServer(tmp_path_factory.mktemp("writes-store"), BUILD_IF_EMPTY=True) as live:
        yield live


def ask(server: LiveServer, query: str) -> bool:
    """An ASK over the union."""
    reply = server.request("GET", f"/sparql?query={quote(query)}", headers={"Accept": "application/json"})
    assert reply.status == 200, reply.text
    return json.loads(reply.body)["boolean"]


def test_a_violation_is_422_with_the_report_and_changes_nothing(article: LiveServer) -> None:
    """A Denunciation without the provenance the shapes demand: 422, the SHACL report, the same version."""
    version = article.engine.version.version
    reply = article.update(BAD)
    assert reply.status == 422
    assert reply.media_type == "text/turtle"
    assert "sh:Violation" in reply.text
    assert "2024-02-no-provenance" in reply.text
    as_json = article.request(
        "POST",
        "/update",
        BAD,
        {"Content-Type": "application/sparql-update", "Accept": "application/json", **AUTH},
    )
    assert as_json.status == 422
    document = json.loads(as_json.body)
    assert document["conforms"] is False
    assert any(r["resultSeverity"].endswith("#Violation") for r in document["results"])
    assert article.engine.version.version == version
    assert not ask(article, f"ASK {{ <{ID}event/2024-02-no-provenance> ?p ?o }}")


SH = "http://www.w3.org/ns/shacl#"
REJECTION = Rejection(
    conforms=False,
    inconsistencies=(f"<{ID}event/x> is both a Signing and a Withdrawal",),
    results=(
        ShaclResult(
            focusNode=f"<{ID}event/2024-02-no-provenance>",
            resultPath=f"<{TKG}source>",
            value='"1990"^^<http://www.w3.org/2001/XMLSchema#gYear>',
            sourceConstraintComponent=f"{SH}MinCountConstraintComponent",
            resultSeverity=f"{SH}Violation",
            sourceShape=f"<{TKG}EventShape>",
            resultMessage="An event rests on a source",
        ),
    ),
)
REJECTION_TURTLE = f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

[] a sh:ValidationReport ;
    sh:conforms false ;
    sh:result [ a sh:ValidationResult ;
            sh:focusNode <{ID}event/2024-02-no-provenance> ;
            sh:resultMessage "An event rests on a source" ;
            sh:resultPath <{TKG}source> ;
            sh:resultSeverity sh:Violation ;
            sh:sourceConstraintComponent sh:MinCountConstraintComponent ;
            sh:sourceShape <{TKG}EventShape> ;
            sh:value "1990"^^xsd:gYear ] ;
    sh:resultMessage "OWL 2 RL inconsistency: <{ID}event/x> is both a Signing and a Withdrawal" .

"""
REJECTION_JSON = f"""{{
  "conforms": false,
  "inconsistencies": [
    "<{ID}event/x> is both a Signing and a Withdrawal"
  ],
  "results": [
    {{
      "focusNode": "<{ID}event/2024-02-no-provenance>",
      "resultPath": "<{TKG}source>",
      "value": "\\"1990\\"^^<http://www.w3.org/2001/XMLSchema#gYear>",
      "sourceConstraintComponent": "{SH}MinCountConstraintComponent",
      "resultSeverity": "{SH}Violation",
      "sourceShape": "<{TKG}EventShape>",
      "resultMessage": "An event rests on a source"
    }}
  ]
}}
"""


@pytest.mark.parametrize(
    ("accept", "expected"), [("text/turtle", REJECTION_TURTLE), ("application/json", REJECTION_JSON)]
)
def test_the_422_body_holds_the_exact_report(accept: str, expected: str) -> None:
    """A worker's rejection, through the wire, is answered with these exact bytes (Turtle and JSON)."""
    rejection = decode(encode(REJECTION), Rejection)
    assert rejection == REJECTION
    with Flask(__name__).test_request_context(headers={"Accept": accept}):
        response = validated.rejected(validated.Rejected(rejection))
    assert response.status_code == 422
    assert response.get_data(as_text=True) == expected


def test_a_conforming_write_commits_with_inferences_and_provenance(article: LiveServer) -> None:
    """204; the next query sees the fact, its OWL 2 RL consequences, and who wrote it, when."""
    version = article.engine.version.version
    reply = article.update(GOOD)
    assert reply.status == 204, reply.text
    assert article.engine.version.version == version + 1
    assert ask(article, f"ASK {{ <{EVENT}> a <{TKG}Denunciation> }}")
    # tkg:agent has the inverse tkg:agentIn and the domain tkg:Event: both inferred, in the inferred graph.
    assert ask(
        article, f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ <{ID}state/russia> <{TKG}agentIn> <{EVENT}> }} }}"
    )
    assert ask(article, f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ <{EVENT}> a <{TKG}Event> }} }}")
    assert ask(
        article,
        f"""PREFIX prov: <http://www.w3.org/ns/prov#> ASK {{ GRAPH <{WRITES_GRAPH}> {{
            ?write a prov:Activity ; prov:endedAtTime ?when ; prov:wasAssociatedWith ?who ;
                   prov:generated <https://example.org/http-writes> .
            ?who <http://www.w3.org/2000/01/rdf-schema#label> "default" }} }}""",
    )


def test_a_deletion_retracts_the_inferences_it_supported(article: LiveServer) -> None:
    """Deleting tkg:agent (a Warning, not a Violation, when missing) retracts the inferred tkg:agentIn."""
    if not ask(article, f"ASK {{ <{EVENT}> ?p ?o }}"):
        assert article.update(GOOD).status == 204
    reply = article.update(
        f"DELETE DATA {{ GRAPH <https://example.org/http-writes> "
        f"{{ <{EVENT}> <{TKG}agent> <{ID}state/russia> }} }}"
    )
    assert reply.status == 204, reply.text
    assert not ask(article, f"ASK {{ <{ID}state/russia> <{TKG}agentIn> <{EVENT}> }}")
    assert ask(article, f"ASK {{ <{ID}state/russia> <{TKG}agentIn> ?other }}")  # the article's own stay


def test_after_writes_the_store_checks_clean(article: LiveServer) -> None:
    """Counts match the commit record; the inferred graph is exactly the owlrl closure; the data conforms."""
    article.update(GOOD)
    assert (
        article.update(
            f"DELETE WHERE {{ GRAPH <https://example.org/http-writes> {{ <{EVENT}> ?p ?o }} }}"
        ).status
        == 204
    )
    report = article.engine.exclusive(check_store)
    assert report.ok, report.problems


def test_writes_to_the_inferred_graph_are_the_reasoners(article: LiveServer) -> None:
    """A client's triple in the inferred graph is not kept: that graph is what reasoning gives."""
    reply = article.update(
        f"INSERT DATA {{ GRAPH <{INFERRED_GRAPH}> {{ <http://e/x> <http://e/p> <http://e/y> }} }}"
    )
    assert reply.status == 204
    assert not ask(article, "ASK { <http://e/x> <http://e/p> <http://e/y> }")


def test_graph_store_put_is_validated_too(article: LiveServer) -> None:
    """A GSP PUT of a non-conforming graph is 422; a conforming one is 201, then 204."""
    bad = f"<{ID}event/2024-03-bare> a <{TKG}Denunciation> ."
    path = "/store?graph=" + quote("https://example.org/gsp-graph")
    headers = {"Content-Type": "text/turtle", **AUTH}
    assert article.request("PUT", path, bad, headers).status == 422
    assert article.request("PUT", path, "<http://e/s> <http://e/p> 1 .", headers).status == 201
    assert article.request("PUT", path, "<http://e/s> <http://e/p> 2 .", headers).status == 204
    assert article.request("DELETE", path, headers=AUTH).status == 204
    assert article.request("DELETE", path, headers=AUTH).status == 404


def test_random_deletions_and_reinsertions_keep_the_inferred_graph_exact(article: LiveServer) -> None:
    """Random article triples deleted then put back, one write each: after them, the inferred graph is
    still exactly the owlrl closure (the region path's result equals a full recomputation)."""
    import random

    rng = random.Random(8)  # noqa: S311 - a reproducible sample
    store = article.engine.handle.store
    triples = [
        q
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(ARTICLE_GRAPH))
        if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
    ]
    chosen = rng.sample(triples, 4)
    paths = []
    for quad in chosen:
        text = f"{quad.subject} {quad.predicate} {quad.object}"
        for verb in ("DELETE", "INSERT"):
            reply = article.update(f"{verb} DATA {{ GRAPH <{ARTICLE_GRAPH}> {{ {text} }} }}")
            assert reply.status in (204, 422), reply.text
            paths.append(reply.status)
    assert 204 in paths
    report = article.engine.exclusive(check_store)
    assert report.ok, report.problems


def test_a_write_is_reasoned_by_the_fast_rules_or_by_owlrl_beyond_them() -> None:
    """The write check's closure is the fast rules' (equal to owlrl's after the build's filter); with an
    axiom the rules lack, owlrl's, the reference (the rules refuse rather than under-infer)."""
    from rdflib import OWL, RDF, RDFS, Graph, Namespace

    from treatykg.server.writes import entailment

    ex = Namespace("http://example.org/")
    tbox = Graph()
    tbox.add((ex.Dog, RDFS.subClassOf, ex.Animal))
    tbox.add((ex.owner, OWL.inverseOf, ex.owns))
    data = [(ex.rex, RDF.type, ex.Dog), (ex.rex, ex.owner, ex.ann)]
    expected = {(ex.rex, RDF.type, ex.Animal), (ex.ann, ex.owns, ex.rex)}
    assert entailment._closure(tbox, data) == (expected, [])
    assert entailment._owlrl_closure(tbox, data) == (expected, [])
    tbox.add((ex.Pet, OWL.unionOf, RDF.nil))  # no fast rule implements owl:unionOf
    inferred, errors = entailment._closure(tbox, data)
    assert expected <= inferred
    assert (inferred, errors) == entailment._owlrl_closure(tbox, data)
