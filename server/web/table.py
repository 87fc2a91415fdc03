"""Query results as an HTML table: run in a worker, IRIs labelled and linked to their pages."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import current_app

from treatykg.server.extensions import run_query
from treatykg.server.query import guard
from treatykg.server.query.messages import QueryJob
from treatykg.server.web import entity, lookup
from treatykg.server.web import pages as web

LABELLED = 2000
FAMILIES = {"SELECT": "solutions", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
# What the page asks the worker for: JSON solutions, N-Triples graphs (both read back here).
WANTED = {
    "solutions": ("json", "application/sparql-results+json"),
    "boolean": ("json", "application/json"),
    "graph": ("ntriples", "application/n-triples"),
}


@dataclass
class Table:
    """A result ready for the template."""

    family: str = "solutions"
    columns: list[str] = field(default_factory=list)
    rows: list[list[entity.Link | None]] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False
    error: str | None = None
    status: int = 200


def family_of(text: str) -> str:
    """The result family of a query (solutions if the screen cannot tell); guard.Refused for SERVICE, LOAD."""
    return FAMILIES.get(guard.screen_query(text).form or "SELECT", "solutions")


def run(text: str) -> Table:
    """Run a query for the page; errors (bad query, refused, timeout) become the table's message."""
    try:
        family = family_of(text)
    except guard.Refused as error:
        return Table(error=str(error), status=400)
    outcome = run_query(QueryJob(text, {family: WANTED[family]}, current_app.config["ROW_LIMIT"], union=True))
    if outcome.status != 200:
        return Table(family, error=outcome.message, status=outcome.status)
    table = Table(family, truncated=outcome.truncated)
    if family == "boolean":
        table.boolean = json.loads(outcome.body)["boolean"]
        return table
    if family == "graph":
        table.columns = ["subject", "predicate", "object"]
        raw = [
            [t.subject, t.predicate, t.object] for t in ox.parse(outcome.body, format=ox.RdfFormat.N_TRIPLES)
        ]
    else:
        document = json.loads(outcome.body)
        table.columns = document["head"]["vars"]
        raw = [
            [lookup.term_from_json(row[name]) if name in row else None for name in table.columns]
            for row in document["results"]["bindings"]
        ]
    try:
        # Labels for the first IRIs only: a huge result stays one bounded lookup.
        names = entity.Labeller(lookup.iris(term for row in raw for term in row)[:LABELLED])
    except lookup.LookupFailed:
        names = None  # labels are a nicety: the results still show, by compact name
    table.rows = [
        [None if term is None else (names.link(term) if names else _plain(term)) for term in row]
        for row in raw
    ]
    return table


def _plain(term) -> entity.Link:
    """A link without a label lookup."""
    if isinstance(term, ox.Literal):
        return entity.literal_link(term)
    return entity.Link(
        term, web.term_text(term), web.local(term.value) if isinstance(term, ox.NamedNode) else None
    )
