"""/search: labels and alternative labels, case- and accent-insensitive, indexed once per version."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, jsonify, request

from treatykg.core.iris import TKG
from treatykg.server.web import lookup, vocab
from treatykg.server.web import pages as web

bp = Blueprint("search", __name__)

MAX_QUERY = 200
MAX_RESULTS = 50
# Typographic variants a person does not type: curly quotes and apostrophes, dashes.
_FOLD = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2010": "-"}
)
SPAN_KINDS = {TKG + "TextSpan", TKG + "Sentence", TKG + "Heading", TKG + "Boilerplate"}


def fold(text: str) -> str:
    """Text for matching: no accents, no case, plain quotes and dashes, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"\s+", " ", plain.casefold()).strip()


@dataclass
class Entry:
    """One labelled IRI."""

    iri: str
    label: str
    names: set[str] = field(default_factory=set)  # folded labels and alternative labels
    kinds: set[str] = field(default_factory=set)

    @property
    def is_text(self) -> bool:
        """Spans and sentences: their label is a quote, so they rank after the things they mention."""
        return bool(self.kinds & SPAN_KINDS)


def _index() -> list[Entry]:
    """Every labelled IRI with its folded names."""
    entries: dict[str, Entry] = {}
    alternatives = defaultdict(set)
    for row in lookup.select("search-labels", limit=10_000_000):
        iri = row["node"].value
        entry = entries.get(iri)
        if "label" in row:
            if entry is None:
                entry = entries[iri] = Entry(iri, row["label"].value)
            elif isinstance(row["label"], ox.Literal) and row["label"].language == "en":
                entry.label = row["label"].value
            entry.names.add(fold(row["label"].value))
        if "alt" in row:
            alternatives[iri].add(fold(row["alt"].value))
        if entry is not None and "type" in row:
            entry.kinds.add(row["type"].value)
    for iri, names in alternatives.items():
        if iri in entries:
            entries[iri].names |= names
    return list(entries.values())


def search(query: str, limit: int = MAX_RESULTS) -> list[tuple[Entry, str]]:
    """Entries whose label or alternative label contains every word of the query, best first."""
    words = fold(query[:MAX_QUERY]).split()
    if not words:
        return []
    phrase = " ".join(words)
    scored = []
    for entry in vocab.per_version("search-index", _index):
        if not any(all(word in name for word in words) for name in entry.names):
            continue
        exact = phrase in entry.names
        prefix = any(name.startswith(phrase) for name in entry.names)
        scored.append(
            ((entry.is_text, not exact, not prefix, len(entry.label), entry.label.casefold()), entry)
        )
    scored.sort(key=lambda item: item[0])
    voc = vocab.vocabulary()
    results = []
    for _, entry in scored[:limit]:
        kinds = sorted(voc.label(kind) or web.curie(kind) for kind in entry.kinds if kind.startswith(TKG))
        results.append((entry, ", ".join(kinds)))
    return results


@bp.route("/search")
def search_page():
    """Search results as a page (or JSON with format=json)."""
    query = request.args.get("q", "")
    try:
        results = search(query) if query.strip() else []
    except lookup.LookupFailed as error:
        return web.error_page(error.status, "Search failed", str(error))
    if request.args.get("format") == "json":
        return jsonify(
            [
                {"iri": entry.iri, "label": entry.label, "kind": kind, "page": web.local(entry.iri)}
                for entry, kind in results
            ]
        )
    return web.page("search.html", query=query[:MAX_QUERY], results=results)
