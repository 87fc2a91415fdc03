"""Prepared queries as an API: /queries (the list), /queries/<name> (run, typed parameters), /openapi.json."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, request

from treatykg import __version__
from treatykg.core.errors import InputError
from treatykg.graph.query.prepared import PreparedQuery, inline_values, list_queries, load_query
from treatykg.server.extensions import run_query
from treatykg.server.ops import etag, not_modified, query_hash
from treatykg.server.protocol import negotiate
from treatykg.server.query.messages import QueryJob
from treatykg.server.web import pages as web
from treatykg.server.web import table, ui

bp = Blueprint("prepared", __name__)

# OpenAPI schema for each parameter type (graph/query/prepared.py PARAM_TYPES).
PARAM_SCHEMAS = {
    "iri": {"type": "string", "format": "uri"},
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "dateTime": {"type": "string", "format": "date-time"},
}
RESERVED = {"format"}  # query-string names that are not parameters


def describe(query: PreparedQuery) -> dict:
    """A prepared query's metadata, as /queries lists it."""
    return {
        "name": query.name,
        "url": f"{request.script_root}/queries/{query.name}",
        "summary": query.summary,
        **{key: value for key, value in sorted(query.metadata.items()) if key != "summary"},
        "parameters": [
            {"name": p.name, "type": p.type, "default": p.default, "required": p.default is None}
            for p in query.params
        ],
        "family": table.family_of(query.text),
    }


@bp.route("/queries")
def queries():
    """Every prepared query with its metadata: JSON, or a page for browsers."""
    if web.wants_html() or request.args.get("format") == "html":
        return web.page("queries.html", queries=list_queries())
    return jsonify({"queries": [describe(query) for query in list_queries()]})


def _prepared(name: str) -> PreparedQuery:
    """The prepared query, or 404."""
    try:
        return load_query(name)
    except InputError as error:
        abort(404, str(error))


@bp.route("/queries/<name>")
def run(name: str):
    """Run a prepared query with the parameters of the query string, in the negotiated format."""
    query = _prepared(name)
    values = {key: value for key, value in request.args.items() if key not in RESERVED}
    try:
        substitutions = query.bind(values)
    except ValueError as error:
        if web.wants_html():
            return ui.render_ui(query.text, query, values, table.Table(error=str(error), status=400), 400)
        abort(400, str(error))
    # One VALUES row opening the WHERE group: a query may compute with a parameter (status-on's day).
    text = inline_values(query.text, substitutions)
    family = table.family_of(query.text)
    format_name = request.args.get("format")
    if format_name == "html" or (not format_name and web.wants_html()):
        result = table.run(text)
        return ui.render_ui(query.text, query, values, result, result.status if result.error else 200)
    choice = negotiate.choose(family, request.headers.get("Accept"), format_name)
    if choice is None:
        offered = ", ".join(dict.fromkeys(media for media, _ in negotiate.FAMILIES[family][:6]))
        abort(406, f"{name} answers as {offered} (or text/html)")
    tag = etag(f"q-{name}-{query_hash(text)}-{choice.key}")
    if cached := not_modified(tag):
        return cached
    outcome = run_query(
        QueryJob(text, {family: (choice.key, choice.media_type)}, current_app.config["ROW_LIMIT"], union=True)
    )
    if outcome.status != 200:
        abort(outcome.status, outcome.message)
    content_type = outcome.content_type + (
        "; charset=utf-8" if outcome.content_type.startswith("text/") else ""
    )
    response = Response(outcome.body, content_type=content_type)
    response.vary.add("Accept")
    response.set_etag(tag)
    if outcome.truncated:
        response.headers["X-TreatyKG-Truncated"] = "true"
        response.headers["X-TreatyKG-Row-Limit"] = str(current_app.config["ROW_LIMIT"])
    return response


def _responses(family: str) -> dict:
    """The OpenAPI responses of a prepared query."""
    media = dict.fromkeys(media for media, _ in negotiate.FAMILIES[family])
    return {
        "200": {
            "description": "The result, in the format asked for (Accept or format=).",
            "content": {
                **{m: {"schema": {"type": "string"}} for m in media},
                "text/html": {"schema": {"type": "string"}},
            },
        },
        "400": {"description": "A parameter is unknown, missing or not of its type."},
        "404": {"description": "No prepared query has this name."},
        "406": {"description": "None of the formats asked for is served for this result."},
        "503": {"description": "The query ran out of time and was stopped."},
    }


def openapi_document(server_url: str) -> dict:
    """OpenAPI 3 description of /queries and of each prepared query with its typed parameters."""
    paths = {
        "/queries": {
            "get": {
                "operationId": "listQueries",
                "summary": "List the prepared queries with their metadata.",
                "responses": {
                    "200": {
                        "description": "The prepared queries.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/QueryList"}},
                            "text/html": {"schema": {"type": "string"}},
                        },
                    }
                },
            }
        },
    }
    format_parameter = {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "Overrides Accept: json, xml, csv, tsv (SELECT); turtle, jsonld, rdfxml, "
        "ntriples, trig, nquads (CONSTRUCT); html.",
        "schema": {"type": "string"},
    }
    for query in list_queries():
        family = table.family_of(query.text)
        parameters = [
            {
                "name": p.name,
                "in": "query",
                "required": p.default is None,
                "description": f"SPARQL variable ?{p.name} ({p.type}).",
                "schema": {
                    **PARAM_SCHEMAS[p.type],
                    **({"default": p.default} if p.default is not None else {}),
                },
            }
            for p in query.params
        ]
        operation = {
            "operationId": query.name.replace("-", "_"),
            "summary": query.summary,
            "parameters": [*parameters, format_parameter],
            "responses": _responses(family),
        }
        if "description" in query.metadata:
            operation["description"] = query.metadata["description"]
        paths[f"/queries/{query.name}"] = {"get": operation}
    parameter_schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "type": {"type": "string", "enum": sorted(PARAM_SCHEMAS)},
            "default": {"type": "string", "nullable": True},
            "required": {"type": "boolean"},
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "TreatyKG prepared queries",
            "version": __version__,
            "description": "Named SPARQL queries (competency questions and checks) run with typed "
            "parameters, answered in every SPARQL result format.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": {
                "QueryList": {
                    "type": "object",
                    "properties": {
                        "queries": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "name": {"type": "string"},
                                    "url": {"type": "string"},
                                    "summary": {"type": "string"},
                                    "family": {"type": "string", "enum": ["solutions", "boolean", "graph"]},
                                    "parameters": {"type": "array", "items": parameter_schema},
                                },
                            },
                        }
                    },
                }
            }
        },
    }


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI document."""
    return jsonify(openapi_document(request.url_root.rstrip("/")))
