"""The pages' own SPARQL (web/rq/*.rq), run in the engine's workers and read back as pyoxigraph terms."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from flask import current_app

from treatykg.graph.query.prepared import inline_values
from treatykg.server.extensions import get_engine
from treatykg.server.query.interface import Outcome
from treatykg.server.query.messages import DumpJob, Job, QueryJob

RQ_DIR = Path(__file__).with_name("rq")
Term = ox.NamedNode | ox.Literal | ox.BlankNode
JSON_RESULTS = ("json", "application/sparql-results+json")


class LookupFailed(Exception):
    """A page's query did not answer (timeout, worker failure); carries the HTTP status to pass on."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@cache
def rq(name: str) -> str:
    """The text of `server/web/rq/<name>.rq`."""
    return (RQ_DIR / f"{name}.rq").read_text(encoding="utf-8")


def term_from_json(value: dict) -> Term:
    """A SPARQL JSON results term as a pyoxigraph term."""
    kind = value["type"]
    if kind == "uri":
        return ox.NamedNode(value["value"])
    if kind == "bnode":
        return ox.BlankNode(value["value"])
    if "xml:lang" in value:
        return ox.Literal(value["value"], language=value["xml:lang"])
    if "datatype" in value:
        return ox.Literal(value["value"], datatype=ox.NamedNode(value["datatype"]))
    return ox.Literal(value["value"])


def run(job: Job, timeout: float | None = None) -> Outcome:
    """A job in a worker (under the query deadline unless `timeout` says); LookupFailed unless it answered."""
    outcome = get_engine().run(job, timeout)
    if outcome.status != 200:
        raise LookupFailed(outcome.status, outcome.message)
    return outcome


def select_text(
    text: str, bindings: Mapping | None = None, limit: int | None = None
) -> list[dict[str, Term]]:
    """The rows of a SELECT query (over the union of all graphs), each a dict of bound variables."""
    outcome = run(
        QueryJob(
            inline_values(text, bindings or {}),
            {"solutions": JSON_RESULTS},
            limit or current_app.config["ROW_LIMIT"],
            union=True,
        )
    )
    document = json.loads(outcome.body)
    rows = document["results"]["bindings"]
    return [{name: term_from_json(value) for name, value in row.items()} for row in rows]


def select(name: str, bindings: Mapping | None = None, limit: int | None = None) -> list[dict[str, Term]]:
    """The rows of `server/web/rq/<name>.rq`."""
    return select_text(rq(name), bindings, limit)


def graph(name: str, bindings: Mapping, key: str, media_type: str) -> Outcome:
    """A CONSTRUCT of `web/rq/<name>.rq`, written by the worker in RDF format `key` (row cap applies)."""
    return run(
        QueryJob(
            inline_values(rq(name), bindings),
            {"graph": (key, media_type)},
            current_app.config["ROW_LIMIT"],
            union=True,
        )
    )


def dump(graph_name: str | None, key: str, media_type: str) -> Outcome:
    """One named graph (or the whole dataset, None) of the snapshot in format `key`."""
    return run(DumpJob(graph_name, (key, media_type)))


def iris(terms: Iterable) -> list[ox.NamedNode]:
    """The distinct IRIs among `terms`, sorted (a stable VALUES list)."""
    return sorted({term for term in terms if isinstance(term, ox.NamedNode)}, key=lambda term: term.value)
