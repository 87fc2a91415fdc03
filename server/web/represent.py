"""Which representation of a resource to send (suffix, format=, Accept), and the headers that say so."""

from __future__ import annotations

from flask import Response, abort, request

from treatykg.server.protocol import negotiate
from treatykg.server.query.interface import Outcome
from treatykg.server.web.pages import wants_html

# The suffixes a resource's documents have, in the order the Link header lists them.
SUFFIXES = {".html": "html", ".ttl": "turtle", ".jsonld": "jsonld", ".rdf": "rdfxml", ".nt": "ntriples"}
MEDIA = {
    "html": "text/html",
    **{
        key: negotiate.MEDIA_TYPES[key]
        for key in ("turtle", "jsonld", "rdfxml", "ntriples", "trig", "nquads")
    },
}
SUFFIX_OF = {key: suffix for suffix, key in SUFFIXES.items()}


def split_suffix(path: str) -> tuple[str, str | None]:
    """A path without its format suffix, and the format the suffix names (None if it has none)."""
    for suffix, key in SUFFIXES.items():
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)], key
    return path, None


def choose(suffix_key: str | None) -> str:
    """The format: the suffix's, else `format=`, else HTML for browsers, else the best RDF by Accept."""
    if suffix_key:
        return suffix_key
    name = request.args.get("format")
    if name:
        if name.lower() in ("html", "text/html"):
            return "html"
        choice = negotiate.choose("graph", None, name)
        if choice is None:
            abort(400, f"unknown format {name!r}: html, turtle, jsonld, rdfxml, ntriples, trig or nquads")
        return choice.key
    if wants_html():
        return "html"
    choice = negotiate.choose("graph", request.headers.get("Accept"), None)
    if choice is None:
        abort(
            406,
            "this resource is served as text/html, text/turtle, application/ld+json, "
            "application/rdf+xml or application/n-triples",
        )
    return choice.key


def headers(response: Response, document: str, key: str, negotiated: bool) -> Response:
    """Vary, the Link alternates and, for a negotiated answer, the Content-Location of the document sent."""
    response.vary.add("Accept")
    links = [
        f'<{document}{suffix}>; rel="alternate"; type="{MEDIA[other]}"'
        for suffix, other in SUFFIXES.items()
        if other != key
    ]
    response.headers["Link"] = ", ".join(links)
    if negotiated and key in SUFFIX_OF:
        response.headers["Content-Location"] = document + SUFFIX_OF[key]
    return response


def rdf(outcome: Outcome, document: str, key: str, negotiated: bool) -> Response:
    """An RDF document from a worker's answer."""
    content_type = outcome.content_type + (
        "; charset=utf-8" if outcome.content_type.startswith("text/") else ""
    )
    response = Response(outcome.body, content_type=content_type)
    if outcome.truncated:
        response.headers["X-TreatyKG-Truncated"] = "true"
    return headers(response, document, key, negotiated)


def alternates(document: str) -> list[tuple[str, str]]:
    """(media type, URL) of every RDF document of a resource, for the page's <link rel=alternate>."""
    return [(MEDIA[key], document + suffix) for suffix, key in SUFFIXES.items() if key != "html"]
