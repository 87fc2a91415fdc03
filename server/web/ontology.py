"""/ontology: HTML documentation of every class and property, or the ontology graph as RDF for Protégé."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, Response, request

from treatykg.core.iris import ONTOLOGY, ONTOLOGY_GRAPH, TKG
from treatykg.server.ops import etag, not_modified
from treatykg.server.web import entity, lookup, represent, vocab
from treatykg.server.web import pages as web
from treatykg.server.web.vocab import OWL, RDFS, SKOS

bp = Blueprint("ontology", __name__)

SECTIONS = (
    ("classes", "Classes", OWL + "Class"),
    ("object-properties", "Object properties", OWL + "ObjectProperty"),
    ("datatype-properties", "Datatype properties", OWL + "DatatypeProperty"),
    ("annotation-properties", "Annotation properties", OWL + "AnnotationProperty"),
    ("individuals", "Named individuals", OWL + "NamedIndividual"),
)
CHARACTERISTICS = (
    "FunctionalProperty",
    "InverseFunctionalProperty",
    "TransitiveProperty",
    "SymmetricProperty",
    "AsymmetricProperty",
    "ReflexiveProperty",
    "IrreflexiveProperty",
)


@dataclass
class Ref:
    """A link to a term: to its section here, or out to the vocabulary that defines it."""

    iri: str
    label: str
    href: str


@dataclass
class Doc:
    """One term's documentation."""

    iri: str
    anchor: str
    label: str
    curie: str
    kinds: list[str]
    definition: str | None
    alt_labels: list[str]
    examples: list[str]
    notes: list[str]
    relations: list[tuple[str, list[Ref]]] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)
    usage: str | None = None
    example_link: entity.Link | None = None


def _ref(iri: str, voc: vocab.Vocabulary) -> Ref:
    """A Ref for an IRI."""
    return Ref(iri, voc.label(iri) or web.curie(iri), web.local(iri))


def _one_of(term: vocab.Term, voc: vocab.Vocabulary) -> list[Ref]:
    """The individuals an enumerated class is equivalent to (owl:equivalentClass [ owl:oneOf (…) ])."""
    refs = []
    for value in term.values.get(OWL + "equivalentClass", []):
        if isinstance(value, ox.BlankNode):
            for head in voc.blank.get(value.value, {}).get(OWL + "oneOf", []):
                refs += [_ref(iri, voc) for iri in voc.lists.get(head.value, [])]
    return refs


def _doc(term: vocab.Term, voc: vocab.Vocabulary, usage, names: entity.Labeller) -> Doc:
    """Documentation of one term."""

    def strings(predicate: str) -> list[str]:
        return sorted(v.value for v in term.values.get(predicate, []) if isinstance(v, ox.Literal))

    doc = Doc(
        term.iri,
        term.iri.removeprefix(TKG),
        voc.label(term.iri) or web.curie(term.iri),
        web.curie(term.iri),
        sorted(web.curie(kind) for kind in term.kinds),
        term.first(SKOS + "definition"),
        strings(SKOS + "altLabel"),
        strings(SKOS + "example"),
        strings(SKOS + "editorialNote"),
    )
    refs = lambda iris: [_ref(iri, voc) for iri in iris]  # noqa: E731
    relations = [
        ("Subclass of", refs(term.iris(RDFS + "subClassOf"))),
        ("Superclass of", refs(sorted(voc.subclasses.get(term.iri, [])))),
        ("One of", _one_of(term, voc)),
        ("Disjoint with", refs(sorted(voc.disjoint.get(term.iri, ())))),
        ("Subproperty of", refs(term.iris(RDFS + "subPropertyOf"))),
        ("Domain", refs(term.iris(RDFS + "domain"))),
        ("Range", refs(term.iris(RDFS + "range"))),
        ("Inverse of", refs([voc.inverse[term.iri]] if term.iri in voc.inverse else [])),
        ("Type", refs(sorted(k for k in term.kinds if k.startswith(TKG)))),
    ]
    doc.relations = [(name, found) for name, found in relations if found]
    doc.characteristics = [name for name in CHARACTERISTICS if OWL + name in term.kinds]
    classes, properties = usage
    count, example = classes.get(term.iri) or properties.get(term.iri) or (0, None)
    if count:
        noun = "thing" if term.iri in classes else "triple"
        doc.usage = f"{count} {noun}{'s' if count != 1 else ''}"
        doc.example_link = names.link(ox.NamedNode(example))  # type: ignore[arg-type]  # a counted term has an example
    return doc


def _render() -> bytes:
    """The documentation page (once per store version)."""
    voc = vocab.vocabulary()
    usage = vocab.usage()
    examples = lookup.iris(ox.NamedNode(example) for table in usage for _, example in table.values())
    names = entity.Labeller(examples)
    own = sorted(
        (t for t in voc.terms.values() if t.iri.startswith(TKG)),
        key=lambda t: (voc.label(t.iri) or t.iri).casefold(),
    )
    sections = []
    for anchor, title, kind in SECTIONS:
        docs = [_doc(term, voc, usage, names) for term in own if kind in term.kinds]
        sections.append((anchor, title, docs))
    external = sorted((t for t in voc.terms.values() if not t.iri.startswith(TKG)), key=lambda t: t.iri)
    header = voc.header
    meta = {}
    if header:
        for name, predicate in (
            ("title", "http://purl.org/dc/terms/title"),
            ("description", "http://purl.org/dc/terms/description"),
            ("version", OWL + "versionInfo"),
            ("creator", "http://purl.org/dc/terms/creator"),
            ("created", "http://purl.org/dc/terms/created"),
            ("modified", "http://purl.org/dc/terms/modified"),
            ("prefix", "http://purl.org/vocab/vann/preferredNamespacePrefix"),
            ("namespace", "http://purl.org/vocab/vann/preferredNamespaceUri"),
        ):
            meta[name] = header.first(predicate)
        meta["version_iri"] = next(iter(header.iris(OWL + "versionIRI")), None)
        meta["license"] = next(iter(header.iris("http://purl.org/dc/terms/license")), None)
    document = f"{request.script_root}/ontology"
    return web.render(
        "ontology.html",
        sections=sections,
        external=[_ref(t.iri, voc) for t in external],
        meta=meta,
        iri=ONTOLOGY,
        document=document,
        alternates=represent.alternates(document),
    ).encode("utf-8")


def version_iri() -> str | None:
    """The versionIRI of the ontology in the store."""
    header = vocab.vocabulary().header
    return next(iter(header.iris(OWL + "versionIRI")), None) if header else None


def serve(suffix_key: str | None) -> Response:
    """The ontology in the negotiated format."""
    key = represent.choose(suffix_key)
    document = f"{request.script_root}/ontology"
    tag = etag(f"ontology-{key}")
    if cached := not_modified(tag):
        return cached
    try:
        if key == "html":
            response = Response(
                vocab.per_version("ontology-html", _render), content_type="text/html; charset=utf-8"
            )
        else:
            response = represent.rdf(
                lookup.dump(ONTOLOGY_GRAPH, key, represent.MEDIA[key]), document, key, suffix_key is None
            )
    except lookup.LookupFailed as error:
        return web.error_page(error.status, "The ontology could not be served", str(error))
    response.set_etag(tag)
    return represent.headers(response, document, key, suffix_key is None)


@bp.route("/ontology")
@bp.route("/ontology<any('.html', '.ttl', '.jsonld', '.rdf', '.nt'):suffix>")
def ontology(suffix: str | None = None):
    """The ontology IRI, and its documents by suffix."""
    return serve(represent.SUFFIXES[suffix] if suffix else None)


@bp.route("/ontology/<version>")
def ontology_version(version: str):
    """The version IRI: the same documents, while the store holds that version."""
    base, suffix_key = represent.split_suffix(version)
    if version_iri() != f"{ONTOLOGY}/{base}":
        return web.error_page(
            404,
            "Not found",
            f"This server holds ontology version {version_iri()}, not {ONTOLOGY}/{base[:100]}.",
        )
    return serve(suffix_key)
