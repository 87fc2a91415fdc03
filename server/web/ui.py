"""The query UI at / (and /sparql for browsers): a SPARQL editor, the prepared queries, results as a table."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, request

from treatykg.core.errors import InputError
from treatykg.graph.query.prepared import list_queries, load_query
from treatykg.server.protocol import negotiate
from treatykg.server.web import pages as web
from treatykg.server.web import table

bp = Blueprint("ui", __name__)

EXAMPLE = """PREFIX tkg: <https://w3id.org/treatykg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?event ?label ?status WHERE {
  ?event tkg:epistemicStatus ?status ;
         rdfs:label ?label .
}
ORDER BY ?label
"""
# Download links carry the query in the URL; past this length a browser or proxy may refuse them.
MAX_LINK_QUERY = 6000


def downloads(base: str, params: dict, family: str) -> list[tuple[str, str]]:
    """(format name, URL) for every format a result of `family` has."""
    keys = dict.fromkeys(key for _, key in negotiate.FAMILIES[family])
    return [(key, f"{base}?{urlencode({**params, 'format': key})}") for key in keys]


def render_ui(
    text: str | None,
    prepared=None,
    values: dict | None = None,
    result: table.Table | None = None,
    status: int = 200,
):
    """The UI page."""
    family = result.family if result else "solutions"
    links = []
    if result and not result.error:
        if prepared is not None:
            links = downloads(f"{request.script_root}/queries/{prepared.name}", values or {}, family)
        elif text and len(text) <= MAX_LINK_QUERY:
            links = downloads(f"{request.script_root}/sparql", {"query": text}, family)
    return web.page(
        "query.html",
        status,
        text=text if text is not None else EXAMPLE,
        queries=list_queries(),
        prepared=prepared,
        values=values or {},
        result=result,
        downloads=links,
    )


@bp.route("/", methods=["GET", "POST"])
def index():
    """The editor; with a query (GET or form POST) also its results."""
    text = request.values.get("query")
    name = request.values.get("prepared")
    if name and text is None:
        try:
            prepared = load_query(name)
        except InputError as error:
            return web.error_page(404, "No such prepared query", str(error))
        return render_ui(prepared.text, prepared, {p.name: p.default or "" for p in prepared.params})
    if not text or not text.strip():
        return render_ui(text)
    result = table.run(text)
    return render_ui(text, result=result, status=result.status if result.error else 200)


def sparql_page():
    """GET /sparql from a browser: the same UI (the SPARQL blueprint calls this)."""
    return index()
