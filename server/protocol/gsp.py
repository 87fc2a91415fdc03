"""The SPARQL 1.1 Graph Store HTTP Protocol at /store (indirect identification: ?graph=IRI or ?default).

GET and HEAD are for everyone (from the read view); PUT, POST and DELETE need a token; each becomes a
concrete delta that is reasoned, validated and committed in one transaction (server/writes/validated.py).
Without a parameter, GET serves the whole dataset and POST adds quads (TriG, N-Quads). `?default` is the
store's real default graph, not the union queries see.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, abort, request

from treatykg.server.auth import require_token
from treatykg.server.extensions import get_engine
from treatykg.server.ops import etag, not_modified
from treatykg.server.protocol import negotiate
from treatykg.server.protocol.sparql import body_media_type
from treatykg.server.query.messages import DumpJob, GraphStoreWrite
from treatykg.server.writes import upload
from treatykg.server.writes import validated as writes

bp = Blueprint("gsp", __name__)


def _target() -> str | None:
    """'default', a graph IRI, or None for the whole dataset; 400 for both or a bad IRI."""
    has_default, graph = "default" in request.args, request.args.get("graph")
    if has_default and graph:
        abort(400, "name either ?default or ?graph=IRI, not both")
    if has_default:
        return "default"
    if graph is None:
        return None
    try:
        return ox.NamedNode(graph).value
    except ValueError as error:
        abort(400, f"?graph must be an absolute IRI: {error}")


def _read_body(target: str | None) -> list[ox.Quad]:
    """The request body's quads; 415 for a type the server does not read, 400 for bad RDF."""
    media_type = body_media_type()
    if media_type not in upload.FORMATS:
        abort(415, f"send RDF as one of {', '.join(upload.FORMATS)}, not {media_type or 'no Content-Type'}")
    base = request.url if target in (None, "default") else target
    try:
        return upload.parse(request.get_data(), media_type, base)
    except upload.BadPayload as error:
        abort(400, str(error))


def _get(target: str | None) -> Response:
    """A graph, the default graph or the whole dataset, negotiated."""
    family = "dataset" if target is None else "graph"
    choice = negotiate.choose(family, request.headers.get("Accept"), request.args.get("format"))
    if choice is None:
        wanted = ", ".join(media for media, _ in negotiate.FAMILIES[family][:6])
        abort(406, f"this is served as {wanted}")
    tag = etag(f"store-{choice.key}-{target}")
    if cached := not_modified(tag):
        return cached
    outcome = get_engine().run(DumpJob(target, (choice.key, choice.media_type)))
    if outcome.status != 200:
        abort(outcome.status, outcome.message)
    content_type = choice.media_type + ("; charset=utf-8" if choice.media_type.startswith("text/") else "")
    response = Response(outcome.body, content_type=content_type)
    response.vary.add("Accept")
    response.set_etag(tag)
    return response


def _write(target: str | None) -> Response:
    """PUT (replace), POST (add) or DELETE, as one update; 201 when it created the graph."""
    require_token()
    if request.method == "DELETE":
        if target is None:
            abort(
                400,
                "DELETE needs ?graph=IRI or ?default (to empty the whole store, POST CLEAR ALL to /update)",
            )
        quads = []
    else:
        if request.method == "PUT" and target is None:
            abort(400, "PUT needs ?graph=IRI or ?default; POST adds named graphs to the dataset")
        quads = _read_body(target)
    if target is not None:
        for quad in quads:
            if not isinstance(quad.graph_name, ox.DefaultGraph):
                abort(
                    400, "a graph upload must hold triples only; send named graphs to /store without ?graph"
                )
    data: bytes = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)  # type: ignore[assignment]  # no output given: the bytes
    body = data.decode("utf-8") if quads else ""
    job = GraphStoreWrite(request.method, target, body)
    label = f"Graph Store {request.method}" + (f" <{target}>" if target not in (None, "default") else "")
    account = writes.perform(job, label)
    if request.method == "DELETE" and account.existed is False:
        abort(404, f"no graph named <{target}> in the store")
    return Response(status=201 if account.existed is False else 204)


@bp.route("/store", methods=["GET", "PUT", "POST", "DELETE"])
def graph_store():
    """Graph Store Protocol operations on the graph the query string names."""
    target = _target()
    return _get(target) if request.method in ("GET", "HEAD") else _write(target)
