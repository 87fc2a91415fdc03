"""Validated writes over HTTP: a job for a query worker, the commit, the 422 answer with the SHACL report."""

from __future__ import annotations

import json

from flask import Response, abort, current_app, g, request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.util import from_n3

from treatykg.server.extensions import get_engine
from treatykg.server.protocol import negotiate

REPORT_OFFERS = (("text/turtle", "turtle"), ("application/json", "json"), ("application/ld+json", "jsonld"))


def perform(job: dict, label: str) -> dict:
    """Run a write job and commit it; aborts with the job's error status; the worker's account if it did."""
    config = current_app.config
    job = {
        **job,
        "base": config["WRITE_BASE"],
        "max_quads": config["WRITE_MAX_QUADS"],
        "region_limit": config["WRITE_REGION_LIMIT"],
    }
    outcome, account = get_engine().validated_write(job, g.token_name, label, config["WRITE_TIMEOUT"])
    if outcome.status == 422:
        raise _Rejected(json.loads(outcome.body))
    if outcome.status == 503:
        abort(503, f"the write was stopped at its deadline and nothing was written: {outcome.message}")
    if outcome.status != 200:
        abort(outcome.status, outcome.message)
    g.write_path = account.get("path")
    return account


class _Rejected(Exception):
    """A write with a SHACL Violation or an OWL 2 RL inconsistency."""

    def __init__(self, document: dict):
        super().__init__("the write does not conform")
        self.document = document


def _report_graph(document: dict) -> Graph:
    """The SHACL validation report of a rejected write, as RDF."""
    graph = Graph()
    graph.bind("sh", SH)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(False)))
    for result in document["results"]:
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, from_n3(result["focusNode"])))
        graph.add((node, SH.resultSeverity, URIRef(result["resultSeverity"])))
        graph.add((node, SH.sourceConstraintComponent, URIRef(result["sourceConstraintComponent"])))
        graph.add((node, SH.sourceShape, from_n3(result["sourceShape"])))
        if (
            result["resultPath"]
            and result["resultPath"].startswith("<")
            and result["resultPath"].endswith(">")
        ):
            graph.add((node, SH.resultPath, URIRef(result["resultPath"][1:-1])))
        if result["value"]:
            graph.add((node, SH.value, from_n3(result["value"])))
        if result["resultMessage"]:
            graph.add((node, SH.resultMessage, Literal(result["resultMessage"])))
    for message in document["inconsistencies"]:
        graph.add((report, SH.resultMessage, Literal(f"OWL 2 RL inconsistency: {message}")))
    return graph


def rejected(error: _Rejected) -> Response:
    """422 with the SHACL report, as Turtle (default), JSON or JSON-LD by Accept."""
    choice = negotiate.best_match(request.headers.get("Accept"), REPORT_OFFERS)
    key = choice.key if choice else "turtle"
    if key == "json":
        body, media = json.dumps(error.document, indent=2) + "\n", "application/json"
    else:
        graph = _report_graph(error.document)
        body = graph.serialize(format="turtle" if key == "turtle" else "json-ld")
        media = "text/turtle; charset=utf-8" if key == "turtle" else "application/ld+json"
    response = Response(body, status=422, content_type=media)
    response.vary.add("Accept")
    return response


def init_app(app) -> None:
    """Register the 422 handler."""
    app.register_error_handler(_Rejected, rejected)
