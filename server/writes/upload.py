"""Parse RDF sent to the server, safely: no parser may fetch anything or expand entities without bound.

RDF/XML goes through rdflib (expat), after an expat pass that refuses external and parameter entities,
external DTDs and entities whose text refers to other entities (the "billion laughs" nesting); expat's own
amplification limit (2.4+) bounds what is left. pyoxigraph's RDF/XML parser is never used: it expands
nested entities without limit. JSON-LD goes through pyoxigraph, which has no document loader and so
refuses a remote @context instead of fetching it.
"""

from __future__ import annotations

from typing import NoReturn
from xml.parsers import expat

import pyoxigraph as ox
import rdflib

# Media types accepted in request bodies, and the pyoxigraph format of each (None: rdflib's RDF/XML).
FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/rdf+xml": None,
}


class BadPayload(ValueError):
    """The body is not RDF the server will read (syntax error, or unsafe XML)."""


def _refuse(reason: str) -> NoReturn:
    """Stop the expat screen."""
    raise BadPayload(f"RDF/XML refused: {reason}")


def screen_xml(body: bytes) -> None:
    """Refuse XML that declares external or parameter entities, an external DTD, or nested entities."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def doctype(name, system_id, public_id, has_internal_subset):
        if system_id or public_id:
            _refuse(f"the DOCTYPE names an external DTD ({system_id or public_id})")

    def entity(name, is_parameter, value, base, system_id, public_id, notation):
        if is_parameter:
            _refuse(f"parameter entity %{name}; is declared")
        if value is None or system_id or public_id or notation:
            _refuse(f"entity &{name}; is external")
        if "&" in value or "%" in value:
            _refuse(f"entity &{name}; refers to other entities (nested entities are not expanded)")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity

    def external(*args: object) -> int:
        _refuse("an external entity is referenced")

    parser.ExternalEntityRefHandler = external
    try:
        parser.Parse(body, True)
    except expat.ExpatError as error:
        raise BadPayload(f"not well-formed XML: {error}") from None


def _rdf_xml(body: bytes, base_iri: str) -> list[ox.Quad]:
    """Triples of an RDF/XML document, via the screen and rdflib."""
    screen_xml(body)
    graph = rdflib.Graph()
    try:
        graph.parse(data=body, format="xml", publicID=base_iri)
    except Exception as error:
        raise BadPayload(f"RDF/XML syntax error: {error}") from None
    try:
        # rdflib's RDF/XML parser lets malformed IRIs through; its serializer or Oxigraph then rejects them.
        return list(ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))
    except Exception as error:
        raise BadPayload(f"RDF/XML holds an invalid IRI or literal: {error}") from None


def parse(body: bytes, media_type: str, base_iri: str) -> list[ox.Quad]:
    """The quads of a request body in `media_type` (triple formats give default-graph quads)."""
    if media_type not in FORMATS:
        raise KeyError(media_type)
    rdf_format = FORMATS[media_type]
    if rdf_format is None:
        return _rdf_xml(body, base_iri)
    try:
        return list(ox.parse(body, format=rdf_format, base_iri=base_iri))
    except (SyntaxError, ValueError, OSError) as error:
        raise BadPayload(f"{rdf_format.name} syntax error: {error}") from None
