"""Content negotiation: the formats of each kind of result, Accept with q-values, the `format=` override."""

from __future__ import annotations

from dataclasses import dataclass

# Result families: what a SELECT (solutions), an ASK (boolean) or a CONSTRUCT/DESCRIBE (graph) can be
# written as. Each offer is (media type, format key); the first is the default, and equal q-values go to
# the earlier offer. Aliases (application/json, text/xml…) follow the canonical types so they only win
# when the client names them.
SOLUTIONS = (
    ("application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("application/json", "json"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
)
BOOLEAN = SOLUTIONS[:2] + SOLUTIONS[4:]  # CSV and TSV have no boolean form
GRAPH = (
    ("text/turtle", "turtle"),
    ("application/n-triples", "ntriples"),
    ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdfxml"),
    ("application/trig", "trig"),
    ("application/n-quads", "nquads"),
    ("application/x-turtle", "turtle"),
    ("text/plain", "ntriples"),
    ("application/json", "jsonld"),
    ("application/xml", "rdfxml"),
    ("text/xml", "rdfxml"),
)
DATASET = (("application/trig", "trig"), ("application/n-quads", "nquads"))
FAMILIES = {"solutions": SOLUTIONS, "boolean": BOOLEAN, "graph": GRAPH, "dataset": DATASET}

# The media type a format key is served as when `format=` picked it.
MEDIA_TYPES = {key: media for family in FAMILIES.values() for media, key in reversed(family)}

# `format=` names, per family; a full media type works too.
FORMAT_NAMES = {
    "solutions": {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv"},
    "boolean": {"json": "json", "srj": "json", "xml": "xml", "srx": "xml"},
    "graph": {
        "turtle": "turtle",
        "ttl": "turtle",
        "ntriples": "ntriples",
        "n-triples": "ntriples",
        "nt": "ntriples",
        "jsonld": "jsonld",
        "json-ld": "jsonld",
        "json": "jsonld",
        "rdfxml": "rdfxml",
        "rdf/xml": "rdfxml",
        "rdf": "rdfxml",
        "xml": "rdfxml",
        "owl": "rdfxml",
        "trig": "trig",
        "nquads": "nquads",
        "n-quads": "nquads",
        "nq": "nquads",
    },
    "dataset": {"trig": "trig", "nquads": "nquads", "n-quads": "nquads", "nq": "nquads"},
}

# Graph format keys that carry named graphs (a dataset dump needs one of these).
QUAD_FORMATS = frozenset({"trig", "nquads"})


@dataclass(frozen=True)
class Choice:
    """A negotiated format: the key the serializers know and the Content-Type to send."""

    key: str
    media_type: str


@dataclass(frozen=True)
class _Range:
    """One media range of an Accept header."""

    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """How exactly this range names `media_type`: 3 exact, 2 type/*, 1 */*, 0 not at all."""
        main, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type != main:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == sub else 0


def parse_accept(header: str | None) -> list[_Range]:
    """The media ranges of an Accept header with their q-values (malformed entries are skipped)."""
    ranges = []
    for item in (header or "").split(","):
        media, *params = (part.strip() for part in item.split(";"))
        main, slash, sub = media.lower().partition("/")
        if not slash or not main or not sub:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(_Range(main, sub, q))
    return ranges


def quality(ranges: list[_Range], media_type: str) -> float:
    """The q-value the client gives `media_type`: its most specific matching range's (RFC 9110 §12.5.1)."""
    best, best_q = 0, 0.0
    for item in ranges:
        specificity = item.specificity(media_type)
        if specificity > best:
            best, best_q = specificity, item.q
    return best_q


def best_match(accept: str | None, offers: tuple[tuple[str, str], ...]) -> Choice | None:
    """The offer the client prefers (q > 0), ties going to the server's order; None if none is acceptable."""
    ranges = parse_accept(accept)
    if not ranges:
        media, key = offers[0]
        return Choice(key, media)
    best, best_q = None, 0.0
    for media, key in offers:
        q = quality(ranges, media)
        if q > best_q:
            best, best_q = Choice(key, media), q
    return best


def choose(family: str, accept: str | None, format_param: str | None) -> Choice | None:
    """The format for a `family` result: by `format=` if given (None if it names none), else by Accept."""
    if format_param:
        name = format_param.strip().lower()
        key = FORMAT_NAMES[family].get(name) or dict(FAMILIES[family]).get(name)
        return Choice(key, MEDIA_TYPES[key]) if key else None
    return best_match(accept, FAMILIES[family])


def prefers_html(accept: str | None) -> bool:
    """Whether a browser is asking: text/html outranks every RDF and results type the client accepts."""
    ranges = parse_accept(accept)
    html = quality(ranges, "text/html")
    others = max((quality(ranges, media) for media, _ in SOLUTIONS + GRAPH), default=0.0)
    return (
        html > 0 and html >= others and any(item.type == "text" and item.subtype == "html" for item in ranges)
    )
