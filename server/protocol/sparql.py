"""The SPARQL 1.1 Protocol: queries at /sparql (GET, POST form, POST direct), updates at /update.

A GET on /sparql without a query answers the Service Description. A browser asking for HTML (a GET whose
Accept ranks text/html first, without `format=`) gets the view registered as
`app.extensions["treatykg.sparql_html"]` (the query UI), when one is, with or without a query.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, g, request
from werkzeug.datastructures import MultiDict

from treatykg.server.auth import require_token, writes_enabled
from treatykg.server.extensions import get_describer, get_engine, run_query
from treatykg.server.ops import etag, not_modified, query_hash
from treatykg.server.protocol import negotiate
from treatykg.server.query import guard
from treatykg.server.query.messages import QueryJob, UpdateWrite
from treatykg.server.writes import validated as writes

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
FORM_FAMILIES = {"SELECT": "solutions", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
SERVICE_DESCRIPTION_OFFERS = tuple(
    (media, key) for media, key in negotiate.GRAPH if key in ("turtle", "rdfxml", "jsonld", "ntriples")
)


def body_media_type() -> str:
    """The request's media type (lower case, no parameters); 415 if it names a charset other than UTF-8."""
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        abort(415, f"the body must be UTF-8, not {charset}")
    return request.mimetype


def body_text() -> str:
    """The request body as UTF-8 text; 400 if it is not."""
    try:
        return request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError as error:
        abort(400, f"the body is not valid UTF-8: {error}")


def _operation(name: str, direct_type: str, other: str) -> tuple[str, MultiDict]:
    """The one query or update text of the request and the parameters that go with it."""
    if request.method in ("GET", "HEAD"):
        params = request.args
    else:
        media_type = body_media_type()
        if media_type == FORM:
            params = MultiDict(list(request.args.items(multi=True)) + list(request.form.items(multi=True)))
        elif media_type == direct_type:
            params = MultiDict(request.args)
            params.setlist(name, [body_text(), *request.args.getlist(name)])
        else:
            abort(415, f"send the {name} as {FORM} or {direct_type}, not {media_type or 'no Content-Type'}")
    if other in params:
        abort(
            400,
            f"this endpoint takes a {name}; send the {other} to /{other if other == 'update' else 'sparql'}",
        )
    texts = params.getlist(name)
    if len(texts) != 1:
        abort(400, f"exactly one {name} is needed, not {len(texts)}")
    g.query_hash = query_hash(texts[0])
    return texts[0], params


def _dataset(
    params: MultiDict, screened: guard.Screened
) -> tuple[bool, tuple[str, ...] | None, tuple[str, ...] | None]:
    """The job's dataset (union, default graph, named graphs): the protocol's graphs if given, else the
    query's FROM, else the union of graphs."""
    default, named = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
    if default or named:
        # SPARQL 1.1 Protocol §2.1.4: these replace any FROM / FROM NAMED; graphs are looked up in the
        # store only (an absent one is empty), never fetched.
        return False, tuple(default), tuple(named)
    return not screened.has_dataset, None, None


def _answer(outcome, tag: str | None) -> Response:
    """The HTTP response for a job's outcome."""
    if outcome.status != 200:
        abort(outcome.status, outcome.message)
    content_type = outcome.content_type
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    response = Response(outcome.body, content_type=content_type)
    response.vary.add("Accept")
    if tag:
        response.set_etag(tag)
    if outcome.truncated:
        response.headers["X-TreatyKG-Truncated"] = "true"
        response.headers["X-TreatyKG-Row-Limit"] = str(current_app.config["ROW_LIMIT"])
    return response


def service_description() -> Response:
    """The Service Description, as Turtle, RDF/XML, JSON-LD or N-Triples by Accept / format=."""
    if request.args.get("format"):
        choice = negotiate.choose("graph", None, request.args["format"])
    else:
        choice = negotiate.best_match(request.headers.get("Accept"), SERVICE_DESCRIPTION_OFFERS)
    if choice is None or choice.key not in ("turtle", "rdfxml", "jsonld", "ntriples"):
        abort(
            406,
            "the service description is served as text/turtle, application/rdf+xml, "
            "application/ld+json or application/n-triples",
        )
    engine, describer = get_engine(), get_describer()
    endpoint = request.base_url
    tag = etag(f"sd-{choice.key}-{query_hash(endpoint)}")
    if cached := not_modified(tag):
        return cached
    dataset, _ = engine.read_store(lambda store: describer.dataset(store, engine.version))
    body = describer.describe(endpoint, dataset, writes_enabled(), choice.key)
    response = Response(
        body,
        content_type=choice.media_type + ("; charset=utf-8" if choice.media_type.startswith("text/") else ""),
    )
    response.vary.add("Accept")
    response.set_etag(tag)
    return response


@bp.route("/sparql", methods=["GET", "POST"])
def query():
    """SPARQL 1.1 Protocol query operation (§2.1)."""
    html_view = current_app.extensions.get("treatykg.sparql_html")
    browsing = request.method in ("GET", "HEAD") and "format" not in request.args
    if html_view and browsing and negotiate.prefers_html(request.headers.get("Accept")):
        return html_view()
    if request.method in ("GET", "HEAD") and "query" not in request.args:
        if "update" in request.args:
            abort(400, "updates are POSTed to /update, never sent with GET")
        return service_description()
    text, params = _operation("query", QUERY, "update")
    try:
        screened = guard.screen_query(text)
    except guard.Refused as error:
        abort(400, str(error))
    accept, format_param = request.headers.get("Accept"), params.get("format")
    formats = {
        family: negotiate.choose(family, accept, format_param) for family in ("solutions", "boolean", "graph")
    }
    family = FORM_FAMILIES.get(screened.form or "")
    choice = formats[family] if family else None
    if (family and choice is None) or not any(formats.values()):
        wanted = ", ".join(media for media, _ in negotiate.FAMILIES[family or "solutions"][:6])
        abort(406, f"cannot answer in the format asked for; this query's results come as {wanted}")
    tag = None
    if request.method in ("GET", "HEAD") and choice:
        tag = etag(f"{choice.key}")
        if cached := not_modified(tag):
            return cached
    union, default_graph, named_graphs = _dataset(params, screened)
    job = QueryJob(
        text,
        {name: (choice.key, choice.media_type) if choice else None for name, choice in formats.items()},
        current_app.config["ROW_LIMIT"],
        base_iri=request.base_url,
        union=union,
        default_graph=default_graph,
        named_graphs=named_graphs,
    )
    return _answer(run_query(job), tag)


@bp.route("/update", methods=["POST"])
def update():
    """SPARQL 1.1 Protocol update operation (§2.2), with a token."""
    require_token()
    text, params = _operation("update", UPDATE, "query")
    try:
        guard.screen_update(text)
        text = guard.with_using(
            text, params.getlist("using-graph-uri"), params.getlist("using-named-graph-uri")
        )
    except guard.Refused as error:
        abort(400, str(error))
    writes.perform(UpdateWrite(text, request.base_url), "SPARQL Update")
    return Response(status=204)
