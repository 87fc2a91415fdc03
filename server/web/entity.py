"""What an entity page shows, gathered from a handful of queries: facts, types, events, claims and quotes."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from treatykg.core.iris import INFERRED_GRAPH, TKG
from treatykg.server.web import lookup, timeline, vocab
from treatykg.server.web import pages as web

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS_DESCRIPTION = "http://purl.org/dc/terms/description"
# Shown in the page's header or its own section rather than as plain facts.
HEADER = {
    RDF_TYPE,
    RDFS_LABEL,
    SKOS + "altLabel",
    SKOS + "editorialNote",
    SKOS + "definition",
    DCTERMS_DESCRIPTION,
    TKG + "attestedBy",
    TKG + "fullText",
}


@dataclass
class Link:
    """A node as a page shows it: label, where it links, and for events on whose word they rest."""

    term: ox.NamedNode | ox.BlankNode | ox.Literal
    label: str
    href: str | None = None
    status: str | None = None
    speakers: list[Link] = field(default_factory=list)
    when: str | None = None
    datatype: str | None = None
    language: str | None = None


@dataclass
class Value:
    """One fact's other end, asserted or only inferred, with the quote its subject rests on."""

    link: Link
    inferred: bool
    quotes: list[Quote] = field(default_factory=list)


@dataclass
class Group:
    """The facts of one property in one direction."""

    prop: Link
    direction: str  # "out": this -p-> value; "in": value -p-> this
    values: list[Value]

    @property
    def inferred(self) -> bool:
        """Whether every fact of the group is only inferred."""
        return all(value.inferred for value in self.values)


@dataclass
class Quote:
    """A span of a source in its sentence: the words before it, the span itself, the words after."""

    before: str
    exact: str
    after: str
    span: str
    sentence: str | None
    sentence_label: str
    source: str | None
    source_label: str


@dataclass
class Entity:
    """Everything an entity page shows."""

    this: Link
    asserted_types: list[Link]
    inferred_types: list[Link]
    alt_labels: list[str]
    notes: list[str]
    definitions: list[str]
    groups: list[Group]
    events: list[tuple[Link, list[str]]]
    quotes: list[Quote]
    triples: int
    full_text: str | None = None
    schema: dict = field(default_factory=dict)


def natural(text: str) -> list:
    """A sort key that puts "sentence 2" before "sentence 10"."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text.casefold())]


def literal_link(term: ox.Literal) -> Link:
    """A literal as shown: its value, with a language tag or a compact datatype."""
    datatype = (
        None if term.language or term.datatype.value.endswith("#string") else web.curie(term.datatype.value)
    )
    return Link(term, term.value, datatype=datatype, language=term.language)


def quote_of(row: dict) -> Quote:
    """A Quote from an attestations.rq row, the span cut out of its sentence by code-point offsets."""
    exact = row["exact"].value
    text = row["sentenceText"].value if "sentenceText" in row else exact
    offset = int(row["start"].value) - int(row["sentenceStart"].value) if "sentenceStart" in row else 0
    if (
        text[offset : offset + len(exact)] != exact
    ):  # offsets that disagree with the text: find the words instead
        offset = max(text.find(exact), 0)
    if text[offset : offset + len(exact)] != exact:
        text, offset = exact, 0
    return Quote(
        text[:offset],
        exact,
        text[offset + len(exact) :],
        row["span"].value,
        row["sentence"].value if "sentence" in row else None,
        row["sentenceLabel"].value if "sentenceLabel" in row else "sentence",
        row["source"].value if "source" in row else None,
        row["sourceLabel"].value if "sourceLabel" in row else "source",
    )


def attestations(nodes: list[ox.NamedNode]) -> dict[str, list[Quote]]:
    """The quotes each node rests on."""
    quotes: dict[str, list[Quote]] = defaultdict(list)
    if nodes:
        for row in lookup.select("attestations", {"node": nodes}):
            quotes[row["node"].value].append(quote_of(row))
    return quotes


class Labeller:
    """Links for IRIs: labels from the data, else the ontology, else a compact name; events with status."""

    def __init__(self, nodes: list[ox.NamedNode]):
        self.vocabulary = vocab.vocabulary()
        self.labels: dict[str, str] = {}
        if nodes:
            for row in lookup.select("labels", {"node": nodes}):
                label = row["label"]
                english = isinstance(label, ox.Literal) and label.language == "en"
                if row["node"].value not in self.labels or english:
                    self.labels[row["node"].value] = label.value
        self.events = {e.iri: e for e in timeline.ordered(node.value for node in nodes)}
        speakers = lookup.iris(
            ox.NamedNode(s) for e in self.events.values() for s in e.speakers if s not in self.labels
        )
        if speakers:
            for row in lookup.select("labels", {"node": speakers}):
                self.labels.setdefault(row["node"].value, row["label"].value)

    def label(self, iri: str) -> str:
        """The best label for an IRI."""
        return self.labels.get(iri) or self.vocabulary.label(iri) or web.curie(iri)

    def link(self, term) -> Link:
        """A Link for any term."""
        if isinstance(term, ox.Literal):
            return literal_link(term)
        if isinstance(term, ox.BlankNode):
            return Link(term, "(an anonymous node)")
        event = self.events.get(term.value)
        link = Link(term, self.label(term.value), web.local(term.value))
        if event:
            link.status, link.when = event.status, event.when
            link.speakers = [Link(ox.NamedNode(s), self.label(s), web.local(s)) for s in event.speakers]
        return link


def gather(iri: str) -> Entity | None:
    """The entity page's content for an IRI, or None if the graph says nothing about it."""
    this = ox.NamedNode(iri)
    rows = lookup.select("resource-quads", {"this": this})
    if not rows:
        return None
    asserted: set[tuple[lookup.Term, str, lookup.Term]] = set()
    inferred: set[tuple[lookup.Term, str, lookup.Term]] = set()
    for row in rows:
        triple = (row["s"], row["p"].value, row["o"])
        (inferred if row["g"].value == INFERRED_GRAPH else asserted).add(triple)
    inferred -= asserted
    nodes = lookup.iris(
        [this]
        + [t[0] for t in asserted | inferred]
        + [t[2] for t in asserted | inferred]
        + [ox.NamedNode(t[1]) for t in asserted | inferred]
    )
    names = Labeller(nodes)
    vocabulary = names.vocabulary

    # A fact is read from this side when its property has an inverse: "Russia agent in X" for "X agent R.".
    facts: dict[tuple[str, str], dict] = defaultdict(dict)
    header: dict[str, list] = defaultdict(list)
    for triple in sorted(asserted | inferred, key=lambda t: (t[1], str(t[0]), str(t[2]))):
        subject, predicate, obj = triple
        is_inferred = triple in inferred
        if subject == this:
            if predicate in HEADER:
                header[predicate].append((obj, is_inferred))
                continue
            key, other = (predicate, "out"), obj
        elif predicate in vocabulary.inverse:
            key, other = (vocabulary.inverse[predicate], "out"), subject
        else:
            key, other = (predicate, "in"), subject
        if key[0] in HEADER:
            continue  # "span attests this" is the page's quotes, already shown
        # A fact rests on the quotes of its asserting subject: the n-ary event node, not the agent it names.
        was_inferred, from_other = facts[key].get(other, (True, False))
        facts[key][other] = (
            was_inferred and is_inferred,
            from_other or (subject != this and not is_inferred),
        )
    quotes = attestations([n for n in nodes if n.value.startswith(web.PREFIXES["treatykg"])])
    groups = []

    # Asserted facts first, outgoing before incoming; groups holding only inferred facts come last.
    def order(item):
        (_, direction), values = item
        return all(flag for flag, _ in values.values()), direction == "in", names.label(item[0][0]).casefold()

    for (predicate, direction), values in sorted(facts.items(), key=order):
        prop = Link(ox.NamedNode(predicate), names.label(predicate), web.local(predicate))
        shown = [
            Value(names.link(other), flag, quotes.get(other.value, []) if from_other else [])
            for other, (flag, from_other) in values.items()
        ]
        shown.sort(key=lambda v: (v.inferred, natural(v.link.label)))
        groups.append(Group(prop, direction, shown))

    types = header.get(RDF_TYPE, [])
    label_values = [o for o, _ in header.get(RDFS_LABEL, []) if isinstance(o, ox.Literal)]
    label = names.labels.get(iri) or (
        label_values[0].value if label_values else vocabulary.label(iri) or web.curie(iri)
    )
    link = names.link(this)
    link.label = label
    neighbour_events = [e for e in timeline.ordered(n.value for n in nodes) if e.iri != iri]
    roles = defaultdict(list)
    for group in groups:
        for value in group.values:
            if isinstance(value.link.term, ox.NamedNode) and not value.inferred:
                roles[value.link.term.value].append(
                    group.prop.label + (" (of)" if group.direction == "in" else "")
                )
    full_text = next(
        (o.value for o, _ in header.get(TKG + "fullText", []) if isinstance(o, ox.Literal)), None
    )
    return Entity(
        this=link,
        asserted_types=[names.link(o) for o, flag in types if not flag],
        inferred_types=sorted(
            (names.link(o) for o, flag in types if flag), key=lambda link: link.label.casefold()
        ),
        alt_labels=sorted(o.value for o, _ in header.get(SKOS + "altLabel", [])),
        notes=[o.value for o, _ in header.get(SKOS + "editorialNote", [])],
        definitions=[
            o.value for key in (SKOS + "definition", DCTERMS_DESCRIPTION) for o, _ in header.get(key, [])
        ],
        groups=groups,
        events=[
            (names.link(ox.NamedNode(e.iri)), sorted(set(roles.get(e.iri, [])))) for e in neighbour_events
        ],
        quotes=quotes.get(iri, []),
        triples=len(asserted) + len(inferred),
        full_text=full_text,
    )
