"""What every HTML page shares: local links for w3id IRIs, compact names, the CSP, error pages."""

from __future__ import annotations

from urllib.parse import quote

import pyoxigraph as ox
from flask import Flask, Response, render_template, request

from treatykg.core.iris import BASE, ONTOLOGY
from treatykg.core.iris import PREFIXES as IRI_PREFIXES
from treatykg.server.protocol import negotiate

# Every HTML answer: nothing but this host's own files, no inline script or style, no framing.
CSP = (
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'; "
    "img-src 'self' data:"
)

# The project's prefix table (one source: treatykg.core.iris), plus the base itself for readable local IRIs.
PREFIXES = {**IRI_PREFIXES, "treatykg": BASE}


def local(iri: str) -> str:
    """The link for an IRI in HTML: this host's page for a w3id TreatyKG IRI, the IRI itself otherwise."""
    if not iri.startswith(BASE):
        return iri
    rest = iri[len(BASE) :]
    if rest.startswith("ontology#"):
        return f"{request.script_root}/ontology#{rest[len('ontology#') :]}"
    if iri.startswith(ONTOLOGY + "/"):
        return f"{request.script_root}/ontology"  # the version IRI: the ontology page serves the current one
    return f"{request.script_root}/{quote(rest, safe=':/@!$&()*+,;=-._~%#')}"


def curie(iri: str) -> str:
    """A compact name (tkg:State, treatykg:id/state/russia) for an IRI, or the IRI itself."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def term_text(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """A term as a person reads it: the IRI's compact name or the literal's value."""
    if isinstance(term, ox.NamedNode):
        return curie(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def wants_html() -> bool:
    """Whether this request is a browser's (text/html outranks every RDF type it accepts)."""
    return negotiate.prefers_html(request.headers.get("Accept"))


def render(template: str, **context: object) -> str:
    """A template rendered (Jinja escapes every value it prints)."""
    return render_template(template, **context)


def page(template: str, status: int = 200, **context: object) -> Response:
    """A rendered HTML page."""
    return Response(render(template, **context), status=status, content_type="text/html; charset=utf-8")


def error_page(status: int, title: str, message: str, search: str = "") -> Response:
    """An error as a page with a search box for browsers, as one line of text for everyone else."""
    if wants_html():
        return page("error.html", status, title=title, message=message, search=search)
    return Response(f"{status} {title}: {message}\n", status=status, content_type="text/plain; charset=utf-8")


def _secure_html(response: Response) -> Response:
    """The CSP and friends on every HTML answer, whichever blueprint made it."""
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


def init_app(app: Flask) -> None:
    """The pages' template filters and globals, and the CSP on every HTML answer."""
    app.jinja_env.filters.update(local=local, curie=curie, term_text=term_text)
    app.jinja_env.globals.update(local=local, curie=curie)
    app.after_request(_secure_html)
