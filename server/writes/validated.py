"""Validated writes over HTTP: a job for a query worker, the commit, the 422 answer with the SHACL report."""

from __future__ import annotations

import json

from flask import Flask, Response, abort, current_app, g, request
from rdflib import URIRef
from rdflib.term import Node
from rdflib.util import from_n3

from treatykg.graph.semantics.report import report_graph
from treatykg.graph.semantics.shapes import Report, ValidationResult
from treatykg.server.extensions import get_engine
from treatykg.server.protocol import negotiate
from treatykg.server.query.messages import (
    GraphStoreWrite,
    Rejection,
    ShaclResult,
    UpdateWrite,
    WriteAccount,
    WriteJob,
    decode,
)

REPORT_OFFERS = (("text/turtle", "turtle"), ("application/json", "json"), ("application/ld+json", "jsonld"))


def perform(change: UpdateWrite | GraphStoreWrite, label: str) -> WriteAccount:
    """Run a write job and commit it; aborts with the job's error status; the worker's account if it did."""
    config = current_app.config
    job = WriteJob(
        change,
        base=config["WRITE_BASE"],
        max_quads=config["WRITE_MAX_QUADS"],
        region_limit=config["WRITE_REGION_LIMIT"],
    )
    outcome, account = get_engine().validated_write(job, g.token_name, label, config["WRITE_TIMEOUT"])
    if outcome.status == 422:
        raise Rejected(decode(outcome.body, Rejection))
    if outcome.status == 503:
        abort(503, f"the write was stopped at its deadline and nothing was written: {outcome.message}")
    if outcome.status != 200 or account is None:
        abort(outcome.status, outcome.message)
    g.write_path = account.path
    return account


class Rejected(Exception):
    """A write with a SHACL Violation or an OWL 2 RL inconsistency."""

    def __init__(self, rejection: Rejection):
        super().__init__("the write does not conform")
        self.rejection = rejection


def _node(text: str) -> Node:
    """A term from its N-Triples syntax."""
    node = from_n3(text)
    if not isinstance(node, Node):
        raise ValueError(f"not an RDF term: {text}")
    return node


def _validation_result(result: ShaclResult) -> ValidationResult:
    """A worker's SHACL result as the validator gave it."""
    return ValidationResult(
        focus=_node(result.focusNode),
        path=result.resultPath,
        value=None if result.value is None else _node(result.value),
        component=URIRef(result.sourceConstraintComponent),
        severity=URIRef(result.resultSeverity),
        source_shape=_node(result.sourceShape),
        message=result.resultMessage,
    )


def rejected(error: Rejected) -> Response:
    """422 with the SHACL report, as Turtle (default), JSON or JSON-LD by Accept."""
    choice = negotiate.best_match(request.headers.get("Accept"), REPORT_OFFERS)
    key = choice.key if choice else "turtle"
    rejection = error.rejection
    if key == "json":
        body, media = json.dumps(rejection.document(), indent=2) + "\n", "application/json"
    else:
        report = Report(False, tuple(_validation_result(result) for result in rejection.results))
        graph = report_graph(report, inconsistencies=rejection.inconsistencies)
        body = graph.serialize(format="turtle" if key == "turtle" else "json-ld")
        media = "text/turtle; charset=utf-8" if key == "turtle" else "application/ld+json"
    response = Response(body, status=422, content_type=media)
    response.vary.add("Accept")
    return response


def init_app(app: Flask) -> None:
    """Register the 422 handler."""
    app.register_error_handler(Rejected, rejected)
