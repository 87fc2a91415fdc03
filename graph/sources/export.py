"""A statement sheet regenerated from a source's compiled graph: the inverse of the compiler, so that the
exported sheet compiles (against the same entity sheet and known acts) to the same graph.

The sheet in the curation folder is the authoritative copy; this recovers it from a store. Every act and
proposition keeps its IRI (`iri:`), names are written as the entity sheet's labels where they are
unambiguous (else as IRIs), and quotes as the text's characters with the occurrence when they repeat.
Comments and the bullet/sentence distinction of rows are not in the graph: bullets are read back from the
text's `- ` line markers.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import yaml
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from treatykg.core.errors import InputError
from treatykg.core.iris import TKG, source_graph
from treatykg.core.terms import graph_from_quads
from treatykg.graph.build.sheets import known_acts
from treatykg.graph.sources.entities import Entities, load_entities
from treatykg.graph.sources.header import data_iri
from treatykg.graph.sources.schema import schema_file
from treatykg.graph.sources.text import occurrences
from treatykg.graph.sources.timespec import TimeWindow, parse_time
from treatykg.graph.sources.vocabulary import SOURCE_CLASSES

T = Namespace(TKG)
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
TEXT_NAME = "text.txt"
KINDS: dict[Node, str] = {T[cls]: kind for kind, cls in SOURCE_CLASSES.items()}
ROWS: dict[Node, str] = {T.Sentence: "sentence", T.Heading: "heading", T.Boilerplate: "boilerplate"}
METADATA = (("title", DCTERMS.title), ("publisher", DCTERMS.publisher), ("published", DCTERMS.issued))
METADATA_KEYS = ("title", "label", "publisher", "url", "published", "language")
# What the compiler writes on a minted act from a statement's own keys; any other IRI-valued ontology
# property came from `properties:`.
ACT_KEYS = {RDF.type, RDFS.label, T.agent, T.treaty, T.target, T.speaker, T.about, T.content, T.actingMember}
MENTION_KEYS = {RDF.type, RDFS.label, SKOS.altLabel, T.attestedBy, T.source, T.timeSpan}
VOICES: dict[Node, str] = {T.Hypothetical: "hypothetical"}


@dataclass(frozen=True)
class ExportedSheet:
    """A regenerated sheet: its YAML, and the source's text to keep beside it (as `text.txt`)."""

    slug: str
    sheet: str
    text: str


class _Dumper(yaml.SafeDumper):
    """Block style, no anchors or aliases (the sheet reader refuses them)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _local(iri: Node) -> str:
    """An ontology term's local name."""
    return str(iri).removeprefix(TKG)


def _time(node: Node | None) -> str | None:
    """A time as the sheet writes it, from its shared node `id/time/<slug>` (`A--B` is the interval A/B)."""
    if node is None:
        return None
    return str(node).rsplit("/time/", 1)[-1].replace("--", "/")


def _utc(value: Node | None) -> str:
    """A dateTime literal as the sheet writes it: UTC, `YYYY-MM-DDThh:mm:ssZ`."""
    moment = value.toPython() if isinstance(value, Literal) else None
    if not isinstance(moment, datetime.datetime):
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _one_or_many(values: list[str]) -> str | list[str]:
    """A name, or a list of names."""
    return values[0] if len(values) == 1 else values


class _Exporter:
    """One export: the source graph read back into the sheet's sections."""

    def __init__(self, graph: Graph, slug: str, known: Graph, entities: Entities):
        self.graph, self.slug, self.known, self.entities = graph, slug, known, entities
        self.source = URIRef(f"{entities.base}source/{slug}")
        text = graph.value(self.source, T.fullText)
        if not isinstance(text, Literal):
            raise InputError(f"the store holds no source {slug!r} with its text (tkg:fullText)")
        self.text = str(text)
        self.keys: dict[Node, str] = {}

    # --- names and quotes --------------------------------------------------------------------------

    def name(self, iri: Node, window: TimeWindow | None) -> str:
        """A statement key of this sheet, an entity's label when it names only that entity, or the IRI."""
        if iri in self.keys:
            return self.keys[iri]
        entity = self.entities.entities.get(str(iri))
        if entity is not None and self.entities.candidates(entity.label, window) == [str(iri)]:
            return entity.label
        return str(iri)

    def names(self, values: Iterable[Node], window: TimeWindow | None) -> list[str]:
        """Names, sorted as written."""
        return sorted(self.name(value, window) for value in values)

    def quotes(self, node: Node, predicate: URIRef = T.attestedBy) -> list[str | dict[str, str]]:
        """The quotes a node's anchors hold, in text order, with the occurrence where a quote repeats."""
        spans: list[tuple[int, str]] = []
        for span in self.graph.objects(node, predicate):
            begin, words = self.graph.value(span, T.start), self.graph.value(span, T.exact)
            if isinstance(begin, Literal) and isinstance(words, Literal):
                spans.append((int(begin), str(words)))
        quotes: list[str | dict[str, str]] = []
        for start, exact in sorted(spans):
            found = occurrences(self.text, exact)
            if len(found) == 1:
                quotes.append(exact)
            else:
                quotes.append({"text": exact, "occurrence": str(found.index(start) + 1)})
        return quotes

    def first_offset(self, node: Node) -> int:
        """Where a node's first anchor starts (the end of the text if it has none)."""
        starts = [self.graph.value(span, T.start) for span in self.graph.objects(node, T.attestedBy)]
        return min((int(s) for s in starts if isinstance(s, Literal)), default=len(self.text))

    def put_quotes(self, entry: dict[str, Any], node: Node) -> None:
        """`quote:` for one quote, `quotes:` for several."""
        quotes = self.quotes(node)
        if len(quotes) == 1:
            entry["quote"] = quotes[0]
        elif quotes:
            entry["quotes"] = quotes

    def properties(self, node: Node, skip: set[URIRef], window: TimeWindow | None) -> dict[str, Any]:
        """The other ontology properties of a node with IRI values, by local name."""
        found: dict[str, list[Node]] = {}
        for predicate, value in self.graph.predicate_objects(node):
            if predicate in skip or not str(predicate).startswith(TKG) or not isinstance(value, URIRef):
                continue
            found.setdefault(_local(predicate), []).append(value)
        return {key: _one_or_many(self.names(values, window)) for key, values in sorted(found.items())}

    # --- sections ----------------------------------------------------------------------------------

    def source_section(self) -> dict[str, Any]:
        """slug, kind, text, SHA-256, metadata, editorial notes, references."""
        graph, source = self.graph, self.source
        kind = next((KINDS[c] for c in graph.objects(source, RDF.type) if c in KINDS), None)
        if kind is None:
            raise InputError(f"the source {self.slug!r} has no source class (tkg:NewsArticle …)")
        section: dict[str, Any] = {
            "slug": self.slug,
            "kind": kind,
            "text": TEXT_NAME,
            "sha256": str(graph.value(source, T.textSha256)),
        }
        for key, predicate in METADATA:
            if (value := graph.value(source, predicate)) is not None:
                section[key] = str(value)
        label = str(graph.value(source, RDFS.label))
        if label != section.get("title", self.slug):
            section["label"] = label
        row_label = next(
            (
                str(graph.value(row, RDFS.label))
                for row in graph.subjects(T.inSource, source)
                if (row, T.position, None) in graph
            ),
            "",
        )
        table_label = row_label.partition(" of ")[2]
        if table_label and table_label != self.slug:
            section["table_label"] = table_label
        for key, value in (
            ("language", graph.value(source, DCTERMS.language)),
            ("url", graph.value(source, T.url)),
        ):
            if value is not None:
                section[key] = str(value)
        if (rights := graph.value(source, DCTERMS.rights)) is not None:
            section["rights"] = str(rights)
        notes = sorted(str(note) for note in graph.objects(source, SKOS.editorialNote))
        if notes:
            section["editorial"] = [self.editorial(note) for note in notes]
        references = sorted(graph.objects(source, T.citesReference), key=str)
        if references:
            section["references"] = [self.reference(node) for node in references]
        return section

    def editorial(self, note: str) -> str | dict[str, str]:
        """A bare key for the standard note, else `{key: note}` (the key the note names, `label` if none)."""
        for key in METADATA_KEYS:
            if note == f"The {key} is editorial: the source's text does not give it.":
                return key
        key = next((k for k in METADATA_KEYS if f"The {k} " in note or f"the {k} " in note), "label")
        return {key: note}

    def reference(self, node: Node) -> dict[str, str]:
        """A cited reference: key, title, publisher, date, url."""
        entry = {"key": str(node).rsplit("/", 1)[-1]}
        for key, predicate in (
            ("title", DCTERMS.title),
            ("publisher", DCTERMS.publisher),
            ("date", DCTERMS.date),
        ):
            entry[key] = str(self.graph.value(node, predicate))
        if (url := self.graph.value(node, T.url)) is not None:
            entry["url"] = str(url)
        return entry

    def dataset_section(self) -> dict[str, str] | None:
        """The data document's label, description and licence, if the graph has the header."""
        document = data_iri(self.slug)
        if (document, RDF.type, OWL.Ontology) not in self.graph:
            return None
        return {
            "label": str(self.graph.value(document, RDFS.label)),
            "description": str(self.graph.value(document, DCTERMS.description)),
            "license": str(self.graph.value(document, DCTERMS.license)),
        }

    def sentences(self) -> list[dict[str, str]]:
        """The sentence table in order; a sentence on a `- ` line is a bullet."""
        rows = []
        for row in self.graph.subjects(T.inSource, self.source):
            place, begin = self.graph.value(row, T.position), self.graph.value(row, T.start)
            if isinstance(place, Literal) and isinstance(begin, Literal):
                rows.append((int(place), int(begin), row))
        table = []
        for _, start, row in sorted(rows):
            kind = next(ROWS[c] for c in self.graph.objects(row, RDF.type) if c in ROWS)
            line = self.text[self.text.rfind("\n", 0, start) + 1 : start]
            if kind == "sentence" and line.lstrip().startswith("- "):
                kind = "bullet"
            table.append({kind: str(self.graph.value(row, T.exact))})
        return table

    def mentions(self) -> list[dict[str, Any]]:
        """The entity sheet's entities this graph describes, in the order the text first names them."""
        nodes = {
            node
            for node in self.graph.subjects(RDF.type)
            if str(node) in self.entities.entities and node not in self.keys
        }
        entries = []
        for node in sorted(nodes, key=lambda n: (self.first_offset(n), str(n))):
            window = self.window(self.graph.value(node, T.timeSpan))
            entry: dict[str, Any] = {"name": self.name(node, window)}
            alt_labels = sorted(str(label) for label in self.graph.objects(node, SKOS.altLabel))
            if alt_labels:
                entry["alt_labels"] = alt_labels
            if window is not None:
                entry["time"] = _time(self.graph.value(node, T.timeSpan))
            properties = self.properties(node, MENTION_KEYS, window)
            if properties:
                entry["properties"] = properties
            self.put_quotes(entry, node)
            entries.append(entry)
        return entries

    def window(self, node: Node | None) -> TimeWindow | None:
        """The time window of a time node."""
        text = _time(node)
        return parse_time(text) if text else None

    def statements(self) -> list[dict[str, Any]]:
        """One statement per account of this source, acts before the statements that name them as agent
        or object, else in the order of their quotes."""
        accounts = sorted(
            self.graph.subjects(T.accountOf, None), key=lambda a: (self.first_offset(a), str(a))
        )
        acts: dict[Node, Node] = {
            account: act
            for account in accounts
            if (act := self.graph.value(account, T.accountOf)) is not None
        }
        taken: set[str] = set()
        for act in acts.values():
            self.keys[act] = self.key(act, taken)
        for act in acts.values():
            for proposition in self.graph.objects(act, T.content):
                self.keys[proposition] = self.key(proposition, taken)
        ordered: list[Node] = []
        pending = list(accounts)
        while pending:
            for account in pending:
                act = acts[account]
                needs = {
                    self.graph.value(act, T.agent),
                    self.graph.value(act, T.treaty),
                    self.graph.value(act, T.target),
                }
                blocked = {acts[a] for a in pending if a != account} & needs
                if not blocked:
                    break
            else:
                account = pending[0]
            pending.remove(account)
            ordered.append(account)
        return [self.statement(account, acts[account]) for account in ordered]

    def key(self, iri: Node, taken: set[str]) -> str:
        """A sheet key from the IRI's last segment, unique in the sheet."""
        base = str(iri).rstrip("/").rsplit("/", 1)[-1].lower()
        key, number = base, 2
        while key in taken:
            key, number = f"{base}-{number}", number + 1
        taken.add(key)
        return key

    def statement(self, account: Node, act: Node) -> dict[str, Any]:
        """A statement from the act (when this source minted it) and this source's account of it."""
        graph = self.graph
        window = self.window(graph.value(account, T.timeSpan))
        classes = [c for c in graph.objects(act, RDF.type) if str(c).startswith(TKG)]
        minted = bool(classes)
        known = classes or [c for c in self.known.objects(act, RDF.type) if str(c).startswith(TKG)]
        claimed = graph.value(account, T.claimedClass)
        cls = known[0] if known else claimed
        if cls is None:
            raise InputError(f"the class of {act} is neither in the source's graph nor in the store")
        entry: dict[str, Any] = {"key": self.keys[act], "iri": str(act), "class": _local(cls)}
        if minted:
            entry["label"] = str(graph.value(act, RDFS.label))
            for key, predicate in (("agent", T.agent), ("speaker", T.speaker)):
                if (value := graph.value(act, predicate)) is not None:
                    entry[key] = self.name(value, window)
            treaty, target = graph.value(act, T.treaty), graph.value(act, T.target)
            target_is_treaty = target is not None and self.is_treaty(target)
            if treaty is not None or (target is not None and not target_is_treaty):
                entry["object"] = self.name(treaty if treaty is not None else target, window)  # type: ignore[arg-type]  # one of the two is set
            if about := list(graph.objects(act, T.about)):
                entry["about"] = _one_or_many(self.names(about, window))
            properties = self.properties(act, ACT_KEYS, window)
            if target is not None and (treaty is not None or target_is_treaty):
                properties["target"] = self.name(target, window)
            if properties:
                entry["properties"] = dict(sorted(properties.items()))
            content = sorted(graph.objects(act, T.content), key=lambda p: (self.first_offset(p), str(p)))
            if content:
                entry["content"] = [self.proposition(node, window) for node in content]
        if members := list(graph.objects(act, T.actingMember)):
            entry["members"] = _one_or_many(self.names(members, window))
        if window is not None:
            entry["time"] = _time(graph.value(account, T.timeSpan))
        if (qualifier := graph.value(account, T.temporalQualifier)) is not None:
            entry["qualifier"] = str(qualifier)
        if after := list(graph.objects(account, T.claimsAfter)):
            entry["after"] = _one_or_many(self.names(after, window))
        voice = graph.value(account, T.epistemicStatus)
        if voice == T.AttributedToSpeaker:
            entry["voice"] = {"attributed": self.name(graph.value(account, T.accordingTo), window)}  # type: ignore[arg-type]  # an attributed account names its speaker
        elif voice in VOICES:
            entry["voice"] = VOICES[voice]
        claims: dict[str, str] = {}
        if claimed is not None:
            claims["class"] = _local(claimed)
        for key, predicate in (("agent", T.claimedAgent), ("object", T.claimedObject)):
            if (value := graph.value(account, predicate)) is not None:
                claims[key] = self.name(value, window)
        if claims:
            entry["claims"] = claims
        decision = URIRef(f"{account}/decision")
        if (decision, RDF.type, T.Decision) in graph:
            entry["decision"] = self.decision(decision)
        self.put_quotes(entry, account)
        return entry

    def is_treaty(self, iri: Node) -> bool:
        """Whether the entity sheet makes `iri` a treaty."""
        entity = self.entities.entities.get(str(iri))
        return entity is not None and self.entities.terms.is_a(entity.cls, "Treaty")

    def proposition(self, node: Node, window: TimeWindow | None) -> dict[str, Any]:
        """A speech act's content: key, IRI, label, what it is about and describes, its quotes."""
        entry: dict[str, Any] = {
            "key": self.keys[node],
            "iri": str(node),
            "label": str(self.graph.value(node, RDFS.label)),
        }
        for key, predicate in (("about", T.about), ("describes", T.describes)):
            if values := list(self.graph.objects(node, predicate)):
                entry[key] = _one_or_many(self.names(values, window))
        self.put_quotes(entry, node)
        return entry

    def decision(self, node: Node) -> dict[str, str]:
        """A curator's ranking: rank, reason, who (a minted person by name, else the IRI), when."""
        curator = self.graph.value(node, PROV.wasAssociatedWith)
        minted = str(curator).startswith(f"{self.entities.id_base}person/")
        name = self.graph.value(curator, RDFS.label) if minted else None
        return {
            "rank": "prefer" if self.graph.value(node, T.rank) == T.Preferred else "deprecate",
            "reason": str(self.graph.value(node, T.reason)),
            "curator": str(name if name is not None else curator),
            "at": _utc(self.graph.value(node, PROV.endedAtTime)),
        }


def export_sheet(graph: Graph, slug: str, known: Graph, entities: Entities) -> ExportedSheet:
    """The sheet of source `slug` from its compiled graph; `known` holds the store's acts (the class of an
    act this source joined), `entities` the entity sheet the names are written against."""
    exporter = _Exporter(graph, slug, known, entities)
    document: dict[str, Any] = {"source": exporter.source_section()}
    if (dataset := exporter.dataset_section()) is not None:
        document["dataset"] = dataset
    document["sentences"] = exporter.sentences()
    statements = exporter.statements()
    mentions = exporter.mentions()
    if mentions:
        document["mentions"] = mentions
    document["statements"] = statements
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096)
    header = (
        f"# yaml-language-server: $schema={schema_file('sheet').as_uri()}\n"
        f"# The sheet of source {slug}, exported from a store by `treatykg sheet export`: the sheet in the\n"
        "# curation folder is the authoritative copy (this one has no comments).\n"
    )
    return ExportedSheet(slug, header + body, exporter.text)


def export_from_store(store: ox.Store, slug: str) -> ExportedSheet:
    """The sheet of source `slug` from the store's graph of it, against the packaged entity sheet and the
    store's acts; InputError if the store holds no such source."""
    quads = store.quads_for_pattern(None, None, None, ox.NamedNode(source_graph(slug)))
    graph = graph_from_quads(quads)
    if not len(graph):
        raise InputError(f"the store holds no source {slug!r} (no graph {source_graph(slug)})")
    return export_sheet(graph, slug, known_acts(store), load_entities())
