"""One synthetic article: its text, sentence table and anchored spans, written as N-Triples lines."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from treatykg.core.iris import TKG

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"

# Markup for the spans of a sentence: "[name:words]" marks `words` as span `name`; spans nest.
_TOKENS = re.compile(r"\[([a-z][a-z0-9]*):|\]|[^\[\]]+|\[")
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def ref(iri: str) -> str:
    """An IRI as an N-Triples term."""
    return f"<{iri}>"


def string(value: str) -> str:
    """A plain (xsd:string) literal as an N-Triples term."""
    return '"' + value.translate(_ESCAPES) + '"'


def english(value: str) -> str:
    """An @en literal as an N-Triples term."""
    return string(value) + "@en"


def typed(lexical: str, datatype: str) -> str:
    """A typed literal (lexical form already canonical) as an N-Triples term."""
    return f"{string(lexical)}^^<{XSD}{datatype}>"


def parse_markup(markup: str) -> tuple[str, dict[str, tuple[int, int]]]:
    """The plain text of a marked-up sentence and its spans as code-point offsets into that text."""
    text: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    stack: list[tuple[str, int]] = []
    length = 0
    for token in _TOKENS.finditer(markup):  # whole runs of text at a time: the generator's hot loop
        name, words = token.group(1), token.group(0)
        if name:
            stack.append((name, length))
        elif words == "]":
            opened, start = stack.pop()
            spans[opened] = (start, length)
        else:
            text.append(words)
            length += len(words)
    if stack:
        raise ValueError(f"unclosed span {stack[-1][0]!r} in {markup!r}")
    return "".join(text), spans


@dataclass
class Row:
    """A row of the sentence table, with the absolute offsets of the spans marked in it."""

    iri: str
    offsets: dict[str, tuple[int, int]]


class Article:
    """A synthetic news article being written: text rows first, then the facts anchored to them."""

    def __init__(self, base: str, number: int, seed: int):
        self.base = base
        self.number = number
        self.seed = seed
        self.slug = f"article-{number:06d}"
        self.iri = f"{base}source/{self.slug}"
        self.text = ""
        self.lines: list[str] = []
        self.rows = 0
        self.counts = {"sentence": 0, "heading": 0, "boilerplate": 0}
        self.section: str | None = None
        self.spans: dict[tuple[int, int], str] = {}
        self.serial = 0

    def id(self, kind: str, label: str) -> str:
        """The IRI of a new event or proposition of this article, e.g. id/event/a000017-3-withdrawal."""
        self.serial += 1
        return f"{self.base}id/{kind}/a{self.number:06d}-{self.serial}-{label}"

    def add(self, subject: str, predicate: str, obj: str) -> None:
        """Write one triple (subject and predicate are IRIs, `obj` an N-Triples term)."""
        self.lines.append(f"<{subject}> <{predicate}> {obj} .\n")

    def lead(self, markup: str) -> Row:
        """A sentence of the lead paragraph (the article's first line, sentences joined by spaces)."""
        separator = " " if self.text else ""
        return self._row("sentence", markup, separator)

    def heading(self, markup: str) -> Row:
        """A section heading on a line of its own; the sentences after it belong to its section."""
        row = self._row("heading", markup, "\n")
        self.section = row.iri
        return row

    def bullet(self, markup: str) -> Row:
        """A bulleted sentence ("- " then the sentence) on a line of its own."""
        return self._row("sentence", markup, "\n- ")

    def boilerplate(self, text: str) -> None:
        """A non-content line, such as a link to more news."""
        self._row("boilerplate", text, "\n")

    def _row(self, kind: str, markup: str, separator: str) -> Row:
        """Append a row to the text and the sentence table."""
        plain, spans = parse_markup(markup)
        self.text += separator
        start = len(self.text)
        self.text += plain
        self.rows += 1
        self.counts[kind] += 1
        iri = f"{self.iri}/{kind}/{self.counts[kind]}"
        label = f"{kind} {self.counts[kind]} of synthetic article {self.number}"
        self.add(iri, RDF_TYPE, ref(TKG + kind.capitalize()))
        self.add(iri, RDFS_LABEL, english(label))
        self.add(iri, TKG + "position", typed(str(self.rows), "positiveInteger"))
        if kind == "sentence" and self.section and separator == "\n- ":
            self.add(iri, TKG + "inSection", ref(self.section))
        self._offsets(iri, start, start + len(plain), plain)
        return Row(iri, {name: (start + s, start + e) for name, (s, e) in spans.items()})

    def _offsets(self, iri: str, start: int, end: int, exact: str) -> None:
        """The anchor triples shared by table rows and spans: offsets, exact words, source."""
        self.add(iri, TKG + "start", typed(str(start), "nonNegativeInteger"))
        self.add(iri, TKG + "end", typed(str(end), "nonNegativeInteger"))
        self.add(iri, TKG + "exact", string(exact))
        self.add(iri, TKG + "inSource", ref(self.iri))

    def span(self, row: Row, name: str) -> str:
        """The IRI of the span `name` of `row`, written the first time it is asked for."""
        start, end = row.offsets[name]
        if (start, end) not in self.spans:
            iri = f"{self.iri}/span/{start}-{end}"
            exact = self.text[start:end]
            self.spans[(start, end)] = iri
            self.add(iri, RDF_TYPE, ref(TKG + "TextSpan"))
            self.add(iri, RDFS_LABEL, english(f"“{exact}”"))
            self._offsets(iri, start, end, exact)
            self.add(iri, TKG + "inSentence", ref(row.iri))
        return self.spans[(start, end)]

    def fact(self, iri: str, cls: str, label: str, anchors: list[str], props: list[tuple[str, str]]) -> None:
        """A fact-bearing node: its class, English label, properties, anchoring spans and source."""
        self.add(iri, RDF_TYPE, ref(TKG + cls))
        self.add(iri, RDFS_LABEL, english(label))
        for predicate, obj in props:
            self.add(iri, predicate, obj)
        for anchor in anchors:
            self.add(iri, TKG + "attestedBy", ref(anchor))
        self.add(iri, TKG + "source", ref(self.iri))

    def act(self, iri: str, cls: str, label: str, props: list[tuple[str, str]]) -> None:
        """An act as the sheet compiler mints it: only what identifies it (class, label, agent, object...)."""
        self.add(iri, RDF_TYPE, ref(TKG + cls))
        self.add(iri, RDFS_LABEL, english(label))
        for predicate, obj in props:
            self.add(iri, predicate, obj)

    def account(self, act: str, anchors: list[str], props: list[tuple[str, str]]) -> str:
        """This article's account of `act` (voice, span, qualifier, order claims, anchors), as compiled."""
        iri = f"{act}/account/{self.slug}"
        self.add(iri, RDF_TYPE, ref(TKG + "Account"))
        self.add(iri, TKG + "accountOf", ref(act))
        self.add(iri, TKG + "source", ref(self.iri))
        for anchor in anchors:
            self.add(iri, TKG + "attestedBy", ref(anchor))
        for predicate, obj in props:
            self.add(iri, predicate, obj)
        return iri

    def finish(self) -> list[str]:
        """The article's triples, the source node (its full text now known) first."""
        head = Article(self.base, self.number, self.seed)
        head.add(self.iri, RDF_TYPE, ref(TKG + "NewsArticle"))
        head.add(self.iri, RDFS_LABEL, english(f"Synthetic article {self.number} (seed {self.seed})"))
        head.add(
            self.iri,
            SKOS + "editorialNote",
            english(
                "Generated for benchmarks: the text, its names and its facts are invented, "
                "not reported by anyone."
            ),
        )
        head.add(self.iri, TKG + "fullText", string(self.text))
        head.add(self.iri, TKG + "textSha256", string(hashlib.sha256(self.text.encode("utf-8")).hexdigest()))
        return head.lines + self.lines
