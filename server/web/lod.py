"""Dereferencing /id/…, /source/…, /data/… and /graph/…: an HTML page or RDF by content negotiation."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, request

from treatykg.core.iris import BASE, GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, SOURCE, TKG
from treatykg.server.extensions import get_engine
from treatykg.server.ops import etag, not_modified
from treatykg.server.query.results import RDF_FORMATS
from treatykg.server.web import entity, lookup, represent, schema, status, timeline
from treatykg.server.web import pages as web

bp = Blueprint("lod", __name__)

MAX_PATH = 512  # characters after the kind: longer paths are no IRI this graph mints (414)
# A path segment as the graph's IRIs have them; dot segments, controls and spaces are no IRI of ours.
SEGMENT = re.compile(r"[\w\-.~!$&'()*+,;=:@%]+\Z")
SPAN_TYPES = {TKG + name for name in ("TextSpan", "Sentence", "Heading", "Boilerplate")}
# The pages that draw a treaty status strip.
STATUS_TYPES = {TKG + "State", TKG + "Treaty"}


def resource_iri(kind: str, rest: str) -> str | Response:
    """The w3id IRI a local path stands for, or an error response for a path no IRI of ours can have."""
    if len(rest) > MAX_PATH:
        return web.error_page(
            414, "IRI too long", f"no TreatyKG IRI is longer than {MAX_PATH} characters after its kind"
        )
    segments = rest.split("/")
    if any(segment in ("", ".", "..") or not SEGMENT.match(segment) for segment in segments):
        return not_found(f"{kind}/{rest}")
    iri = BASE + kind + "/" + quote(rest, safe="/:@!$&'()*+,;=-._~%")
    try:
        ox.NamedNode(iri)
    except ValueError:
        return not_found(f"{kind}/{rest}")
    return iri


def not_found(path: str) -> Response:
    """404 with a search box holding the words of the path."""
    words = " ".join(re.split(r"[/_\-.]+", path.rsplit("/", 1)[-1]))[:80]
    return web.error_page(404, "Not found", f"The graph says nothing about {BASE}{path[:200]}.", search=words)


def _exists(iri: str) -> bool:
    """Whether the graph has any triple with the IRI as subject or object."""
    return bool(lookup.select("exists", {"this": ox.NamedNode(iri)}, limit=1))


def _tag(iri: str, key: str) -> str:
    """The ETag of one representation of a resource at the store version."""
    return etag(f"r{hashlib.sha256(iri.encode()).hexdigest()[:16]}-{key}")


def serve_resource(kind: str, path: str) -> Response:
    """Any resource of ours: HTML page or RDF description."""
    rest, suffix_key = represent.split_suffix(path)
    iri = resource_iri(kind, rest)
    if isinstance(iri, Response):
        return iri
    key = represent.choose(suffix_key)
    document = f"{request.script_root}/{kind}/{quote(rest, safe='/:@!$&()*+,;=-._~%')}"
    tag = _tag(iri, key)
    if cached := not_modified(tag):
        return cached
    try:
        if key == "html":
            response = _html(iri, document)
        elif not _exists(iri):
            response = not_found(f"{kind}/{rest}")
        else:
            outcome = lookup.graph(
                "resource-describe", {"this": ox.NamedNode(iri)}, key, represent.MEDIA[key]
            )
            response = represent.rdf(outcome, document, key, suffix_key is None)
    except lookup.LookupFailed as error:
        return web.error_page(error.status, "The page could not be made", str(error))
    if response.status_code == 200:
        response.set_etag(tag)
        represent.headers(response, document, key, suffix_key is None)
    return response


def _html(iri: str, document: str) -> Response:
    """The entity page."""
    found = entity.gather(iri)
    if found is None:
        return not_found(iri[len(BASE) :])
    type_iris = {link.term.value for link in found.asserted_types + found.inferred_types}
    extra: dict[str, Any] = {}
    if type_iris & SPAN_TYPES:
        extra["context"] = _span_context(iri)
        extra["supports"] = _supports(iri)
    if found.full_text is not None:
        extra["parts"] = lookup.select("source-text", {"this": ox.NamedNode(iri)})
    if type_iris & STATUS_TYPES:
        extra["status_strip"] = status.strip(iri)
    extra["conflicts"] = _conflicts(iri)
    return web.page(
        "entity.html",
        e=found,
        document=document,
        iri=iri,
        alternates=represent.alternates(document),
        jsonld=schema.describe(found, request.url_root.rstrip("/") + document, timeline.events().get(iri)),
        **extra,
    )


@dataclass
class SourceSays:
    """One source's side of a conflict: the source and the quotes its account rests on."""

    source: str
    quotes: list[str] = field(default_factory=list)


@dataclass
class ConflictShown:
    """A conflict about the page's act: its kind and each involved source's quotes."""

    kind: str
    sides: list[SourceSays] = field(default_factory=list)


def _conflicts(iri: str) -> list[ConflictShown]:
    """The conflicts the reconciled view records about the act `iri`, with both (or all) sources' quotes."""
    found: dict[str, ConflictShown] = {}
    for row in lookup.select("act-conflicts", {"this": ox.NamedNode(iri)}):
        kind = row["kindLabel"].value if "kindLabel" in row else row["kind"].value.rsplit("#", 1)[-1]
        conflict = found.setdefault(row["conflict"].value, ConflictShown(kind))
        source = row["source"].value
        if not conflict.sides or conflict.sides[-1].source != source:
            conflict.sides.append(SourceSays(source))
        if "quote" in row:
            conflict.sides[-1].quotes.append(row["quote"].value)
    return list(found.values())


def _span_context(iri: str) -> list[entity.Quote]:
    """The sentence around a span, the span highlighted (a sentence is its own span)."""
    rows = lookup.select("span-context", {"this": ox.NamedNode(iri)})
    if not rows:
        return []
    row = rows[0]
    for other in rows:
        if "inner" in other and other["inner"].value == iri:
            row = other
    exact = row["innerExact"] if "inner" in row and row["inner"].value == iri else row["sentenceText"]
    start = row["innerStart"] if "inner" in row and row["inner"].value == iri else row["sentenceStart"]
    return [
        entity.quote_of(
            {
                "exact": exact,
                "start": start,
                "span": ox.NamedNode(iri),
                "sentence": row["sentence"],
                "sentenceText": row["sentenceText"],
                "sentenceStart": row["sentenceStart"],
            }
        )
    ]


def _supports(iri: str) -> list[entity.Link]:
    """What rests on a sentence or span: the nodes attested by it or by spans inside it."""
    nodes = lookup.iris(row["node"] for row in lookup.select("sentence-support", {"this": ox.NamedNode(iri)}))
    names = entity.Labeller(nodes)
    return sorted((names.link(node) for node in nodes), key=lambda link: link.label.casefold())


@bp.route("/id/<path:path>")
def thing(path: str):
    """A thing: state, treaty, event, proposition, time span…"""
    return serve_resource("id", path)


@bp.route("/source/<path:path>")
def source(path: str):
    """A source, one of its sentences or headings, or a span of its text."""
    return serve_resource("source", path)


@bp.route("/data/<path:path>")
def data(path: str):
    """A data file's own header (its owl:Ontology node, which imports the ontology)."""
    return serve_resource("data", path)


GRAPH_LABELS = {
    ONTOLOGY_GRAPH: ("The TreatyKG ontology", "The ontology as built from ontology/treatykg.ttl."),
    INFERRED_GRAPH: (
        "Inferred triples (OWL 2 RL)",
        "Every triple the OWL 2 RL reasoner derived from the "
        "asserted graphs; kept apart so asserted and inferred stay distinguishable.",
    ),
}


def graph_label(iri: str) -> tuple[str, str]:
    """A named graph's label and description: what the build made it from, or who wrote it."""
    if iri in GRAPH_LABELS:
        return GRAPH_LABELS[iri]
    if iri.startswith(GRAPH + "source/"):
        slug = iri[len(GRAPH + "source/") :]
        return (
            f"Asserted facts of the source {slug}",
            f"The facts of {SOURCE}{slug}, each anchored to its text.",
        )
    if iri in get_engine().version.build_graphs:
        return f"Data graph {iri[len(GRAPH) :]}", "A curated data file the build loads (graph/*.ttl)."
    return f"Graph {web.curie(iri)}", "A graph written over HTTP (SPARQL Update or the Graph Store Protocol)."


def graph_triples(iri: str, count: int) -> list[ox.Triple]:
    """The graph's description: a named graph of the dataset, its size and what it holds."""
    node, label = ox.NamedNode(iri), graph_label(iri)
    void, sd = "http://rdfs.org/ns/void#", "http://www.w3.org/ns/sparql-service-description#"
    triples = [
        ox.Triple(node, ox.NamedNode(entity.RDF_TYPE), ox.NamedNode(sd + "NamedGraph")),
        ox.Triple(node, ox.NamedNode(entity.RDF_TYPE), ox.NamedNode(void + "Dataset")),
        ox.Triple(node, ox.NamedNode(sd + "name"), node),
        ox.Triple(node, ox.NamedNode(entity.RDFS_LABEL), ox.Literal(label[0], language="en")),
        ox.Triple(node, ox.NamedNode(entity.DCTERMS_DESCRIPTION), ox.Literal(label[1], language="en")),
        ox.Triple(
            node,
            ox.NamedNode(void + "triples"),
            ox.Literal(str(count), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ),
        ox.Triple(ox.NamedNode(BASE + "dataset"), ox.NamedNode(void + "subset"), node),
    ]
    if iri.startswith(GRAPH + "source/"):
        triples.append(
            ox.Triple(
                node,
                ox.NamedNode("http://purl.org/dc/terms/source"),
                ox.NamedNode(SOURCE + iri[len(GRAPH + "source/") :]),
            )
        )
    return triples


@bp.route("/graph/<path:path>")
def named_graph(path: str):
    """A named graph's description (its content comes from the Graph Store Protocol at /store)."""
    rest, suffix_key = represent.split_suffix(path)
    iri = resource_iri("graph", rest)
    if isinstance(iri, Response):
        return iri
    counts = get_engine().version.graph_quads
    if iri not in counts:
        return not_found(f"graph/{rest}")
    key = represent.choose(suffix_key)
    document = f"{request.script_root}/graph/{quote(rest, safe='/:@!$&()*+,;=-._~%')}"
    triples = graph_triples(iri, counts[iri])
    if key == "html":
        try:
            rows = lookup.select("graph-subjects", {"g": ox.NamedNode(iri)})
            names = entity.Labeller(lookup.iris(row["s"] for row in rows))
        except lookup.LookupFailed as error:
            return web.error_page(error.status, "The page could not be made", str(error))
        subjects = sorted((names.link(row["s"]) for row in rows), key=lambda link: link.label.casefold())
        label, description = graph_label(iri)
        response = web.page(
            "graph.html",
            iri=iri,
            label=label,
            description=description,
            count=counts[iri],
            subjects=subjects,
            document=document,
            alternates=represent.alternates(document),
            store=f"{request.script_root}/store?graph={quote(iri, safe='')}",
        )
    else:
        prefixes = dict(web.PREFIXES) if key in ("turtle", "trig") else None
        body = ox.serialize(triples, format=RDF_FORMATS[key], prefixes=prefixes)
        response = Response(
            body,
            content_type=represent.MEDIA[key] + ("; charset=utf-8" if key in ("turtle", "ntriples") else ""),
        )
    return represent.headers(response, document, key, suffix_key is None)
