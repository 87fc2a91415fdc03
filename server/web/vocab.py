"""The ontology as the pages need it (labels, inverses, hierarchy, usage), computed once per store version."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import pyoxigraph as ox
from flask import current_app

from treatykg.server.extensions import get_engine
from treatykg.server.web import lookup

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"

_lock = threading.Lock()
T = TypeVar("T")


def per_version(name: str, build: Callable[[], T]) -> T:
    """`build()`'s value, computed once per store version (the store only changes by a commit)."""
    cache = current_app.extensions.setdefault("treatykg.page_cache", {})
    tag = get_engine().version.etag
    with _lock:
        hit = cache.get(name)
        if hit and hit[0] == tag:
            return hit[1]
    value = build()
    with _lock:
        cache[name] = (tag, value)
    return value


@dataclass
class Term:
    """A class, property or individual the ontology declares."""

    iri: str
    kinds: set[str] = field(default_factory=set)  # owl:Class, owl:ObjectProperty, ...
    values: dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def first(self, predicate: str) -> str | None:
        """The first literal value of a predicate (English preferred)."""
        literals = [v for v in self.values.get(predicate, []) if isinstance(v, ox.Literal)]
        literals.sort(key=lambda v: (v.language not in ("en", None), v.value))
        return literals[0].value if literals else None

    def iris(self, predicate: str) -> list[str]:
        """The IRI values of a predicate, sorted."""
        return sorted(v.value for v in self.values.get(predicate, []) if isinstance(v, ox.NamedNode))


@dataclass
class Vocabulary:
    """The ontology graph, indexed."""

    terms: dict[str, Term]
    lists: dict[str, list[str]]  # blank node -> the IRIs of the RDF list it heads
    disjoint: dict[str, set[str]]
    inverse: dict[str, str]
    subclasses: dict[str, list[str]]
    header: Term | None
    blank: dict[str, dict[str, list]]  # blank node -> its predicates and values (class expressions, lists)

    def label(self, iri: str) -> str | None:
        """The term's rdfs:label, if the ontology gives one."""
        term = self.terms.get(iri)
        return term.first(RDFS + "label") if term else None


def _rdf_list(head: str, triples: dict[str, dict[str, list]]) -> list[str]:
    """The IRIs of an RDF list held in blank nodes."""
    items: list[str] = []
    node: str | None = head
    seen: set[str] = set()
    while node and node not in seen:
        seen.add(node)
        values = triples.get(node, {})
        items += [v.value for v in values.get(RDF + "first", []) if isinstance(v, ox.NamedNode)]
        rest = values.get(RDF + "rest", [])
        node = rest[0].value if rest and isinstance(rest[0], ox.BlankNode) else None
    return items


def _build() -> Vocabulary:
    """Index the ontology graph's triples."""
    by_subject: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    blank: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for row in lookup.select("ontology-graph", limit=1_000_000):
        subject = row["s"]
        target = blank if isinstance(subject, ox.BlankNode) else by_subject
        target[subject.value][row["p"].value].append(row["o"])
    terms, header = {}, None
    for iri, values in by_subject.items():
        term = Term(iri, values=values)
        term.kinds = {v.value for v in values.get(RDF + "type", []) if isinstance(v, ox.NamedNode)}
        if OWL + "Ontology" in term.kinds:
            header = term
        else:
            terms[iri] = term
    lists = {node: _rdf_list(node, blank) for node in blank if RDF + "first" in blank[node]}
    disjoint: dict[str, set[str]] = defaultdict(set)
    for values in blank.values():
        for members in values.get(OWL + "members", []):
            group = lists.get(members.value, [])
            if OWL + "AllDisjointClasses" in {v.value for v in values.get(RDF + "type", [])}:
                for iri in group:
                    disjoint[iri].update(other for other in group if other != iri)
    inverse = {}
    subclasses: dict[str, list[str]] = defaultdict(list)
    for iri, term in terms.items():
        for other in term.iris(OWL + "inverseOf"):
            inverse[iri], inverse[other] = other, iri
        for parent in term.iris(RDFS + "subClassOf"):
            subclasses[parent].append(iri)
    return Vocabulary(terms, lists, disjoint, inverse, subclasses, header, blank)


def vocabulary() -> Vocabulary:
    """The ontology of the current store version."""
    return per_version("vocabulary", _build)


def usage() -> tuple[dict[str, tuple[int, str]], dict[str, tuple[int, str]]]:
    """How the data uses each class and property: (count, an example subject), from the asserted graphs."""

    def build():
        classes = {
            row["class"].value: (int(row["count"].value), row["example"].value)
            for row in lookup.select("ontology-class-usage", limit=1_000_000)
        }
        properties = {
            row["property"].value: (int(row["count"].value), row["example"].value)
            for row in lookup.select("ontology-property-usage", limit=1_000_000)
        }
        return classes, properties

    return per_version("usage", build)
