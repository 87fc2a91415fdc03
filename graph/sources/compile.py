"""The statement-sheet compiler: a sheet and its text become one source's RDF graph (the source, its
sentence table, the acts it joins or mints, an account per act) and a report of joins, mints and claims."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from treatykg.core.errors import InputError
from treatykg.core.iris import TKG, source_graph
from treatykg.graph.sources.entities import Entities, KnownAct, entities_graph, is_anaphor
from treatykg.graph.sources.errors import SheetInvalid, SheetProblem
from treatykg.graph.sources.header import add_header
from treatykg.graph.sources.schema import check_schema
from treatykg.graph.sources.segment import Entry
from treatykg.graph.sources.text import (
    differing_characters,
    lookalike_match,
    nearest,
    occurrences,
    read_text,
)
from treatykg.graph.sources.timespec import TimeError, TimeWindow, missing_in_words, parse_time
from treatykg.graph.sources.vocabulary import SOURCE_CLASSES, TABLE_CLASSES, act_slug, label_for
from treatykg.graph.sources.yamlsafe import Mapping, Sequence, read_yaml

T = Namespace(TKG)
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
TIME = Namespace("http://www.w3.org/2006/time#")
VOICES = {"reported": T.ReportedBySource, "hypothetical": T.Hypothetical}


@dataclass(frozen=True)
class Outcome:
    """One line of the report: a statement (or proposition) that joined a known node, minted one, or kept
    the IRI its sheet holds; or a claimed difference."""

    kind: str  # join | mint | keep | claim
    key: str
    iri: str
    line: int
    detail: str = ""

    def __str__(self) -> str:
        """`mint  key  IRI  (line N)`, the detail after."""
        detail = f"  {self.detail}" if self.detail else ""
        return f"{self.kind:<5} {self.key}  {self.iri}  (line {self.line}){detail}"


@dataclass
class Report:
    """What compiling a sheet did: the source's graph name, and the joins, mints and claims."""

    path: Path
    slug: str
    graph_name: str
    outcomes: list[Outcome] = field(default_factory=list)
    # The mappings that get an `iri:` key written back, with the IRI minted or joined by key.
    writebacks: list[tuple[Mapping, str]] = field(default_factory=list)
    triples: int = 0
    # The sheet's text as compiled: the write-back refuses a sheet edited in between.
    sheet_text: str = ""

    def of(self, kind: str) -> list[Outcome]:
        """The outcomes of one kind."""
        return [outcome for outcome in self.outcomes if outcome.kind == kind]

    def lines(self) -> list[str]:
        """The report, one line per outcome, then the totals."""
        counts = ", ".join(f"{len(self.of(kind))} {kind}(s)" for kind in ("join", "mint", "keep", "claim"))
        return [
            *map(str, self.outcomes),
            f"{self.path}: graph <{self.graph_name}>, {self.triples} triples; {counts}",
        ]


@dataclass
class _Statement:
    """A statement as the compiler works on it."""

    key: str
    data: Mapping
    line: int
    cls: str
    window: TimeWindow | None = None
    iri: str | None = None
    agent: str | None = None
    target: str | None = None
    claims: dict[str, str] = field(default_factory=dict)  # class | agent | object -> IRI
    spans: list[tuple[int, int, int]] = field(default_factory=list)  # (start, end, table row)


class _Compiler:
    """One compilation: collects problems instead of stopping at the first."""

    def __init__(self, path: Path, entities: Entities):
        self.path = path
        self.entities = entities
        self.problems: list[SheetProblem] = []
        self.graph = Graph()
        for prefix, namespace in (
            ("tkg", T),
            ("prov", PROV),
            ("dcterms", DCTERMS),
            ("skos", SKOS),
            ("time", TIME),
        ):
            self.graph.bind(prefix, namespace)
        self.taken = entities.iris()
        self.shared = entities_graph(entities)  # the entities graph the build stores beside this one
        self.keys: dict[str, str] = {}  # statement or proposition key -> IRI

    def problem(self, line: int, message: str, statement: str | None = None) -> None:
        """Record one located problem."""
        self.problems.append(SheetProblem(str(self.path), line, message, statement))

    def run(self) -> tuple[Graph, Report]:
        """Compile the sheet; SheetInvalid with every problem if any."""
        try:
            sheet_text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(f"cannot read the sheet: {error}", self.path) from None
        document = read_yaml(self.path, sheet_text)
        check_schema(document, "sheet", self.path)
        document = cast(Mapping, document)
        source = document["source"]
        source = cast(Mapping, source)
        self.slug = str(source["slug"])
        self.source = URIRef(f"{self.entities.base}source/{self.slug}")
        # The acts only this source speaks of are its own earlier graph (the packaged one, say): compiling
        # it again keeps their IRIs instead of joining them as another source's acts.
        self.acts = [
            act for act in self.entities.acts if not (act.sources and act.sources <= {str(self.source)})
        ]
        self.report = Report(self.path, self.slug, source_graph(self.slug), sheet_text=sheet_text)
        text = self._text(source)
        self.readable = text is not None
        self.text = text or ""
        self.table = self._table(document["sentences"]) if self.readable else []
        statements = self._statements(document.get("statements") or Sequence())
        if self.readable:
            self._source_triples(source)
            for statement in statements:
                self._emit(statement)
            self._mentions(document.get("mentions") or Sequence())
        if self.problems:
            raise SheetInvalid(self.problems)
        dataset = document.get("dataset")
        if isinstance(dataset, Mapping):
            add_header(
                self.graph,
                self.slug,
                self.source,
                str(dataset["label"]),
                str(dataset["description"]),
                str(dataset["license"]),
            )
        self.report.triples = len(self.graph)
        return self.graph, self.report

    # --- the source and its sentence table ---------------------------------------------------------

    def _text(self, source: Mapping) -> str | None:
        """The source's text, its SHA-256 checked against the sheet's."""
        name = str(source.get("text") or "text.txt")
        text_path = self.path.parent / name
        try:
            shipped = read_text(text_path)
        except OSError as error:
            self.problem(
                source.key_lines.get("text", source.line),
                f"cannot read the text {text_path}: {error.strerror}",
            )
            return None
        except UnicodeDecodeError as error:
            self.problem(source.line, f"the text {text_path} is not UTF-8 (byte {error.start})")
            return None
        if shipped.sha256 != source["sha256"]:
            self.problem(
                source.key_lines["sha256"],
                f"the text {text_path} has SHA-256 {shipped.sha256}, the sheet says {source['sha256']}",
            )
        return shipped.text

    def _table(self, rows: object) -> list[Entry]:
        """The sentence table located in the text, row after row."""
        rows = cast(Sequence, rows)
        table: list[Entry] = []
        cursor = 0
        for index, row in enumerate(rows):
            row = cast(Mapping, row)
            ((kind, text),) = row.items()
            start = self.text.find(str(text), cursor)
            if start == -1:
                at, found = nearest(self.text[cursor:], str(text))
                self.problem(
                    rows.item_lines[index],
                    f"{kind} {index + 1} of the sentence table is not in the text after offset {cursor}; "
                    f"nearest: {found!r} at offset {cursor + at}",
                )
                continue
            table.append(Entry(str(kind), str(text), start, start + len(str(text))))
            cursor = start + len(str(text))
        return table

    def _table_iri(self, index: int) -> URIRef:
        """The IRI of row `index`: source/<slug>/sentence|heading|boilerplate/<n> (bullets are sentences)."""
        kind = _row_kind(self.table[index].kind)
        number = sum(1 for entry in self.table[: index + 1] if _row_kind(entry.kind) == kind)
        return URIRef(f"{self.source}/{kind}/{number}")

    def _source_triples(self, source: Mapping) -> None:
        """The source node and its sentence table."""
        add = self.graph.add
        add((self.source, RDF.type, T[SOURCE_CLASSES[str(source["kind"])]]))
        label = source.get("label") or source.get("title") or self.slug
        add((self.source, RDFS.label, Literal(str(label), lang="en")))
        metadata = {
            "title": DCTERMS.title,
            "publisher": DCTERMS.publisher,
            "published": DCTERMS.issued,
            "language": DCTERMS.language,
        }
        for key, predicate in metadata.items():
            if source.get(key):
                add((self.source, predicate, Literal(str(source[key]))))
        if source.get("rights"):
            # The rights statement is the project's own sentence, written in English.
            add((self.source, DCTERMS.rights, Literal(str(source["rights"]), lang="en")))
        if source.get("url"):
            add((self.source, T.url, Literal(str(source["url"]), datatype=XSD.anyURI)))
        for item in source.get("editorial") or []:
            # A bare key gets the standard note; `{key: note}` says why in the curator's words.
            ((key, note),) = item.items() if isinstance(item, Mapping) else ((item, None),)
            note = note or f"The {key} is editorial: the source's text does not give it."
            add((self.source, SKOS.editorialNote, Literal(str(note), lang="en")))
        for reference in source.get("references") or []:
            reference = cast(Mapping, reference)
            node = URIRef(f"{self.source}/reference/{reference['key']}")
            add((self.source, T.citesReference, node))
            add((node, RDF.type, T.Reference))
            add((node, DCTERMS.title, Literal(str(reference["title"]))))
            add((node, DCTERMS.publisher, Literal(str(reference["publisher"]))))
            add((node, DCTERMS.date, Literal(str(reference["date"]))))
            if reference.get("url"):
                add((node, T.url, Literal(str(reference["url"]), datatype=XSD.anyURI)))
        add((self.source, T.fullText, Literal(self.text)))
        add((self.source, T.textSha256, Literal(str(source["sha256"]))))
        section: URIRef | None = None
        name = str(source.get("table_label") or self.slug)
        for index, entry in enumerate(self.table):
            node = self._table_iri(index)
            add((node, RDF.type, T[TABLE_CLASSES[entry.kind]]))
            kind = "boilerplate line" if entry.kind == "boilerplate" else _row_kind(entry.kind)
            add((node, RDFS.label, Literal(f"{kind} {node.rsplit('/', 1)[-1]} of {name}", lang="en")))
            add((node, T.position, Literal(index + 1, datatype=XSD.positiveInteger)))
            add((node, T.start, Literal(entry.start, datatype=XSD.nonNegativeInteger)))
            add((node, T.end, Literal(entry.end, datatype=XSD.nonNegativeInteger)))
            add((node, T.exact, Literal(entry.text)))
            add((node, T.inSource, self.source))
            if entry.kind == "heading":
                section = node
            elif section is not None and entry.kind != "boilerplate":
                add((node, T.inSection, section))

    # --- statements: keys, classes, times, IRIs ----------------------------------------------------

    def _statements(self, rows: Sequence) -> list[_Statement]:
        """Every statement checked and given its IRI (kept, joined or minted), in sheet order."""
        statements: list[_Statement] = []
        for index, row in enumerate(rows):
            row = cast(Mapping, row)
            key, cls = str(row["key"]), str(row["class"])
            statement = _Statement(key, row, rows.item_lines[index], cls)
            if key in self.keys:
                self.problem(statement.line, "the key is used twice in this sheet", key)
                continue
            if cls not in self.entities.terms.classes:
                self.problem(row.key_lines["class"], f"unknown class {cls!r} (not in the ontology)", key)
            elif not self.entities.terms.is_a(cls, "Event"):
                self.problem(row.key_lines["class"], f"class {cls!r} is not an event class (tkg:Event)", key)
            if row.get("time"):
                try:
                    statement.window = parse_time(str(row["time"]))
                except TimeError as error:
                    self.problem(row.key_lines["time"], str(error), key)
            for name in row.get("properties") or {}:
                if name not in self.entities.terms.properties:
                    line = row["properties"].key_lines[name]
                    self.problem(line, f"unknown property {name!r} (not in the ontology)", key)
            if self.readable:
                statement.spans = self._quotes(row, key)
                self._check_time(statement)
            statement.iri = self._identify(statement)
            if statement.iri is not None:
                self.keys[key] = statement.iri
            for position, proposition in enumerate(row.get("content") or []):
                proposition = cast(Mapping, proposition)
                self._identify_proposition(proposition, row["content"].item_lines[position], key)
            statements.append(statement)
        return statements

    def _identify(self, statement: _Statement) -> str | None:
        """The act's IRI: the one the sheet gives, the one known act its key matches, or a new one."""
        row, key = statement.data, statement.key
        agent = statement.agent = self._name(row, "agent", statement)
        target = statement.target = self._name(row, "object", statement)
        if row.get("iri"):
            iri = str(row["iri"])
            known = [act for act in self.acts if act.iri == iri]
            self.report.outcomes.append(Outcome("join" if known else "keep", key, iri, statement.line))
            if known:
                self._compare(statement, known[0])
            return iri
        if agent is None and target is None:
            return self._mint(statement, agent, target)
        window = statement.window
        matches = [
            act
            for act in self.acts
            if self.entities.terms.is_a(act.cls, statement.cls)  # a key's class matches its subclasses' acts
            and act.agent == agent
            and act.object == target
            and (
                window is None
                or act.window is None
                or (window.earliest <= act.window[1] and act.window[0] <= window.latest)
            )
        ]
        if len(matches) > 1:
            listed = ", ".join(sorted(act.iri for act in matches))
            self.problem(
                statement.line,
                f"the act key ({statement.cls}, agent, object, time) matches several acts: "
                f"{listed}; give the one meant as `iri:`",
                key,
            )
            return None
        if matches:
            self.report.outcomes.append(Outcome("join", key, matches[0].iri, statement.line))
            # Written back like a mint: a later act with the same key must not make this sheet ambiguous.
            self.report.writebacks.append((row, matches[0].iri))
            return matches[0].iri
        return self._mint(statement, agent, target)

    def _compare(self, statement: _Statement, act: KnownAct) -> None:
        """Class, agent or object the statement gives that differ from the joined act's: claims."""
        if statement.cls != act.cls:
            self._claim(statement, "class", TKG + statement.cls)
        for what, given, value in (
            ("agent", statement.agent, act.agent),
            ("object", statement.target, act.object),
        ):
            if given is not None and given != value:
                self._claim(statement, what, given)

    def _claim(self, statement: _Statement, what: str, value: str) -> None:
        """Record a claimed difference (emitted on the account)."""
        statement.claims[what] = value
        self.report.outcomes.append(Outcome("claim", statement.key, value, statement.line, f"claimed {what}"))

    def _mint(self, statement: _Statement, agent: str | None, target: str | None) -> str:
        """A new readable IRI under id/event/, unique among the known and this sheet's."""
        row = statement.data
        slug = (
            str(row["slug"])
            if row.get("slug")
            else act_slug(statement.key, statement.cls, statement.window, agent, target)
        )
        iri = self._unique(f"{self.entities.id_base}event/{slug}")
        self.report.outcomes.append(Outcome("mint", statement.key, iri, statement.line))
        self.report.writebacks.append((row, iri))
        return iri

    def _identify_proposition(self, proposition: Mapping, line: int, statement: str) -> None:
        """A proposition's IRI: kept from the sheet or minted from its key under id/proposition/."""
        key = str(proposition["key"])
        if key in self.keys:
            self.problem(line, f"the key {key!r} is used twice in this sheet", statement)
            return
        if proposition.get("iri"):
            iri = str(proposition["iri"])
            self.report.outcomes.append(Outcome("keep", key, iri, line))
        else:
            iri = self._unique(f"{self.entities.id_base}proposition/{key}")
            self.report.outcomes.append(Outcome("mint", key, iri, line))
            self.report.writebacks.append((proposition, iri))
        self.keys[key] = iri

    def _unique(self, iri: str) -> str:
        """`iri`, or `iri-2`, `iri-3`… when it is taken."""
        candidate, number = iri, 2
        while candidate in self.taken or self.entities.held(candidate):
            candidate, number = f"{iri}-{number}", number + 1
        self.taken.add(candidate)
        return candidate

    # --- mentions: the entities the source names and what it says of them ----------------------------

    def _mentions(self, rows: Sequence) -> None:
        """Each mentioned entity: its class and label (from the entity sheet), the names the source calls it
        (skos:altLabel), its anchors and tkg:source, its time, and other properties the source gives."""
        add = self.graph.add
        seen: set[str] = set()
        for index, row in enumerate(rows):
            row = cast(Mapping, row)
            name, line = str(row["name"]), rows.item_lines[index]
            mention = _Statement(f"mention {name}", row, line, "")
            if row.get("time"):
                try:
                    mention.window = parse_time(str(row["time"]))
                except TimeError as error:
                    self.problem(row.key_lines["time"], str(error), mention.key)
            iri = self._resolve(name, row.key_lines["name"], mention)
            if iri is None:
                continue
            if iri not in self.entities.entities:
                self.problem(line, f"{iri} is not an entity of the entity sheet", mention.key)
                continue
            if iri in seen:
                self.problem(
                    line, f"{iri} is mentioned twice; give all its quotes in one mention", mention.key
                )
                continue
            seen.add(iri)
            # Its class and label are the entity sheet's, in the entities graph: repeating them here would
            # repeat every answer that reads them over the union of the graphs.
            node = URIRef(iri)
            for position, alt in enumerate(row.get("alt_labels") or []):
                self._alt_label(node, str(alt), row["alt_labels"].item_lines[position], mention)
            mention.spans = self._quotes(row, mention.key)
            for span in mention.spans:
                add((node, T.attestedBy, self._span_iri(span)))
            if "quote" in row or "quotes" in row:
                add((node, T.source, self.source))
            if mention.window is not None:
                self._check_time(mention)
                add((node, T.timeSpan, self._time_iri(mention.window)))
            for prop, value in (row.get("properties") or {}).items():
                prop_line = row["properties"].key_lines[prop]
                if prop not in self.entities.terms.properties:
                    self.problem(prop_line, f"unknown property {prop!r} (not in the ontology)", mention.key)
                    continue
                for target in self._names(value, prop_line, mention):
                    add((node, T[prop], URIRef(target)))

    def _alt_label(self, node: URIRef, alt: str, line: int, mention: _Statement) -> None:
        """Another name the source uses for an entity: it occurs in the text and is never an anaphor."""
        if is_anaphor(alt):
            self.problem(line, f"{alt!r} is an anaphor, never a name of {node}", mention.key)
        elif alt not in self.text:
            self.problem(line, f"the name {alt!r} is not in the text", mention.key)
        elif (node, SKOS.altLabel, Literal(alt, lang="en")) not in self.shared:
            # A name the entity sheet gives at every time is already in the entities graph.
            self.graph.add((node, SKOS.altLabel, Literal(alt, lang="en")))

    # --- names -------------------------------------------------------------------------------------

    def _name(self, row: Mapping, field_name: str, statement: _Statement) -> str | None:
        """The IRI of one name field of a statement (None if absent or unresolved; problems recorded)."""
        if not row.get(field_name):
            return None
        return self._resolve(str(row[field_name]), row.key_lines[field_name], statement)

    def _resolve(self, name: str, line: int, statement: _Statement) -> str | None:
        """A statement key, an IRI, or an entity's label or alias (scoped by the statement's time)."""
        if name in self.keys:
            return self.keys[name]
        if re.match(r"^https?://", name):
            known = name in self.entities.entities or name in self.entities.described
            if not known and name not in self.keys.values():
                self.problem(
                    line,
                    f"IRI {name} is not in the entity sheet, the known acts or this sheet",
                    statement.key,
                )
                return None
            return name
        candidates = self.entities.candidates(name, statement.window)
        if not candidates:
            self.problem(
                line,
                f"unknown name {name!r}: not a label or alias in the entity sheet, nor a statement "
                "key of this sheet (agent and object name only an earlier statement)",
                statement.key,
            )
            return None
        if len(candidates) > 1:
            when = f"at {statement.window.label()}" if statement.window else "without a time"
            self.problem(
                line,
                f"the name {name!r} {when} matches several entities: {', '.join(candidates)}; give the IRI",
                statement.key,
            )
            return None
        return candidates[0]

    def _names(self, value: object, line: int, statement: _Statement) -> list[str]:
        """The IRIs of a name or list of names."""
        names = value if isinstance(value, list) else [value]
        return [iri for name in names if (iri := self._resolve(str(name), line, statement)) is not None]

    # --- quotes ------------------------------------------------------------------------------------

    def _quotes(self, row: Mapping, key: str) -> list[tuple[int, int, int]]:
        """Each quote of a statement or proposition located: (start, end, table row)."""
        quotes: list[tuple[object, int]] = []
        if "quote" in row:
            quotes.append((row["quote"], row.key_lines["quote"]))
        if "quotes" in row:
            items = row["quotes"]
            quotes += [(item, items.item_lines[index]) for index, item in enumerate(items)]
        spans = []
        for quote, line in quotes:
            span = self._locate(quote, line, key)
            if span is not None:
                spans.append(span)
        return spans

    def _locate(self, quote: object, line: int, key: str) -> tuple[int, int, int] | None:
        """Where one quote sits: its span and the table row holding it; a problem if not exactly one place."""
        occurrence = None
        if isinstance(quote, Mapping):
            occurrence = int(str(quote["occurrence"])) if quote.get("occurrence") else None
            quote = quote["text"]
        quote = "" if quote is None else str(quote)
        if not quote.strip():
            self.problem(line, "the quote is empty", key)
            return None
        found = occurrences(self.text, quote)
        if not found:
            lookalike = lookalike_match(self.text, quote)
            if lookalike is not None:
                at, actual = lookalike
                self.problem(
                    line,
                    f"the quote is typed with look-alike characters: {differing_characters(quote, actual)}; "
                    f"the text at offset {at} reads {actual!r}",
                    key,
                )
            else:
                at, actual = nearest(self.text, quote)
                self.problem(
                    line, f"the quote is not in the text; nearest match at offset {at}: {actual!r}", key
                )
            return None
        if occurrence is None and len(found) > 1:
            offsets = ", ".join(map(str, found))
            self.problem(
                line,
                f"the quote occurs {len(found)} times (at offsets {offsets}); "
                "say which with `occurrence: N` (1 = the first)",
                key,
            )
            return None
        if occurrence is not None and occurrence > len(found):
            self.problem(
                line, f"occurrence {occurrence} asked, but the quote occurs {len(found)} time(s)", key
            )
            return None
        start = found[(occurrence or 1) - 1]
        end = start + len(quote)
        rows = [index for index, entry in enumerate(self.table) if entry.start <= start and end <= entry.end]
        if not rows:
            touched = [
                f"{entry.kind} {index + 1}"
                for index, entry in enumerate(self.table)
                if entry.start < end and start < entry.end
            ]
            where = " and ".join(touched) if touched else "no row of the sentence table"
            self.problem(line, f"the quote [{start}, {end}) spans {where}; a quote lies inside one row", key)
            return None
        return start, end, rows[0]

    def _check_time(self, statement: _Statement) -> None:
        """The time's digits must occur in the statement's quotes or the rows that hold them."""
        if statement.window is None or not statement.spans:
            return
        words = " ".join(self.text[start:end] for start, end, _ in statement.spans)
        words += " " + " ".join(self.table[row].text for _, _, row in statement.spans)
        missing = missing_in_words(statement.window, words)
        if missing:
            self.problem(
                statement.data.key_lines["time"],
                f"time {statement.window.slug!r} is not given by the text: "
                f"neither the quotes nor their sentences give {' or '.join(missing)}",
                statement.key,
            )

    # --- emitting ----------------------------------------------------------------------------------

    def _span_iri(self, span: tuple[int, int, int]) -> URIRef:
        """The TextSpan node of a located quote (created once)."""
        start, end, row = span
        node = URIRef(f"{self.source}/span/{start}-{end}")
        if (node, RDF.type, T.TextSpan) not in self.graph:
            exact = self.text[start:end]
            for triple in (
                (node, RDF.type, T.TextSpan),
                (node, RDFS.label, Literal(f"“{exact}”", lang="en")),
                (node, T.start, Literal(start, datatype=XSD.nonNegativeInteger)),
                (node, T.end, Literal(end, datatype=XSD.nonNegativeInteger)),
                (node, T.exact, Literal(exact)),
                (node, T.inSentence, self._table_iri(row)),
                (node, T.inSource, self.source),
            ):
                self.graph.add(triple)
        return node

    def _time_iri(self, window: TimeWindow) -> URIRef:
        """The shared TimeSpan node of a time as given (id/time/<slug>)."""
        node = URIRef(f"{self.entities.id_base}time/{window.slug}")
        add = self.graph.add
        add((node, RDF.type, T.TimeSpan))
        add((node, RDFS.label, Literal(window.label(), lang="en")))
        add(
            (node, T.earliest, Literal(window.earliest.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime))
        )
        add((node, T.latest, Literal(window.latest.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)))
        add((node, T.precision, TIME[window.precision]))
        return node

    def _emit(self, statement: _Statement) -> None:
        """The act (when minted), its account in this source, its propositions and decision."""
        if statement.iri is None:
            return
        row, add = statement.data, self.graph.add
        act = URIRef(statement.iri)
        minted = any(
            outcome.kind in ("mint", "keep") and outcome.key == statement.key
            for outcome in self.report.outcomes
        )
        agent, target = statement.agent, statement.target
        if minted:
            add((act, RDF.type, T[statement.cls]))
            speaker = self._name(row, "speaker", statement)
            label = (
                str(row["label"])
                if row.get("label")
                else label_for(
                    statement.cls, self._label(agent or speaker), self._label(target), statement.window
                )
            )
            add((act, RDFS.label, Literal(label, lang="en")))
            if agent:
                add((act, T.agent, URIRef(agent)))
            if target:
                is_treaty = target in self.entities.entities and self.entities.terms.is_a(
                    self.entities.entities[target].cls, "Treaty"
                )
                add((act, T.treaty if is_treaty else T.target, URIRef(target)))
            if speaker:
                add((act, T.speaker, URIRef(speaker)))
            for iri in self._names(
                row.get("about") or [], row.key_lines.get("about", statement.line), statement
            ):
                add((act, T.about, URIRef(iri)))
            for name, value in (row.get("properties") or {}).items():
                for iri in self._names(value, row["properties"].key_lines[name], statement):
                    add((act, T[name], URIRef(iri)))
        # A joined act keeps what identifies it: the members this source names are its account's claim.
        member = T.actingMember if minted else T.claimedMember
        subject = act if minted else URIRef(f"{act}/account/{self.slug}")
        for iri in self._names(
            row.get("members") or [], row.key_lines.get("members", statement.line), statement
        ):
            add((subject, member, URIRef(iri)))
        for position, proposition in enumerate(row.get("content") or []):
            node = URIRef(self.keys[str(proposition["key"])])
            if minted:
                add((act, T.content, node))
            self._proposition(proposition, node, row["content"].item_lines[position], statement)
        self._account(statement, act)

    def _label(self, iri: str | None) -> str | None:
        """An entity's label, or the last segment of an IRI."""
        if iri is None:
            return None
        entity = self.entities.entities.get(iri)
        return entity.label if entity else iri.rsplit("/", 1)[-1]

    def _proposition(self, proposition: Mapping, node: URIRef, line: int, statement: _Statement) -> None:
        """A speech act's content: a proposition with its own quotes, never asserted as a fact."""
        add = self.graph.add
        add((node, RDF.type, T.Proposition))
        add((node, RDFS.label, Literal(str(proposition["label"]), lang="en")))
        for field_name, predicate in (("about", T.about), ("describes", T.describes)):
            if proposition.get(field_name):
                for iri in self._names(proposition[field_name], proposition.key_lines[field_name], statement):
                    add((node, predicate, URIRef(iri)))
        for span in self._quotes(proposition, statement.key):
            add((node, T.attestedBy, self._span_iri(span)))
        add((node, T.source, self.source))

    def _account(self, statement: _Statement, act: URIRef) -> None:
        """What this source says about the act: voice, time, qualifier, order, anchors, claims, decision."""
        row, add = statement.data, self.graph.add
        account = URIRef(f"{act}/account/{self.slug}")
        add((account, RDF.type, T.Account))
        add((account, T.accountOf, act))
        add((account, T.source, self.source))
        for span in statement.spans:
            add((account, T.attestedBy, self._span_iri(span)))
        voice = row.get("voice") or "reported"
        if isinstance(voice, Mapping):
            add((account, T.epistemicStatus, T.AttributedToSpeaker))
            speaker = self._resolve(str(voice["attributed"]), voice.key_lines["attributed"], statement)
            if speaker:
                add((account, T.accordingTo, URIRef(speaker)))
        else:
            add((account, T.epistemicStatus, VOICES[str(voice)]))
        if statement.window is not None:
            add((account, T.timeSpan, self._time_iri(statement.window)))
        if row.get("qualifier"):
            add((account, T.temporalQualifier, Literal(str(row["qualifier"]))))
        for iri in self._names(row.get("after") or [], row.key_lines.get("after", statement.line), statement):
            add((account, T.claimsAfter, URIRef(iri)))
        for what, value in (row.get("claims") or {}).items():
            line = row["claims"].key_lines[what]
            if what == "class" and value not in self.entities.terms.classes:
                self.problem(line, f"unknown class {value!r} (not in the ontology)", statement.key)
            elif what == "class":
                self._claim(statement, what, TKG + str(value))
            elif (resolved := self._resolve(str(value), line, statement)) is not None:
                self._claim(statement, what, resolved)
        predicates = {"class": T.claimedClass, "agent": T.claimedAgent, "object": T.claimedObject}
        for what, value in statement.claims.items():
            add((account, predicates[what], URIRef(value)))
        if row.get("decision"):
            self._decision(row["decision"], account, statement)

    def _decision(self, decision: Mapping, account: URIRef, statement: _Statement) -> None:
        """A curator's ranking of this account, with who and when (PROV-O)."""
        add = self.graph.add
        node = URIRef(f"{account}/decision")
        add((node, RDF.type, T.Decision))
        add((node, T.decisionOn, account))
        add((node, T.rank, T.Preferred if decision["rank"] == "prefer" else T.Deprecated))
        add((node, T.reason, Literal(str(decision["reason"]), datatype=XSD.string)))
        curator = str(decision["curator"])
        if not re.match(r"^https?://", curator):
            slug = re.sub(r"[^a-z0-9]+", "-", curator.casefold()).strip("-")
            curator_iri = URIRef(f"{self.entities.id_base}person/{slug}")
            add((curator_iri, RDF.type, PROV.Agent))
            add((curator_iri, RDFS.label, Literal(curator, lang="en")))
        else:
            curator_iri = URIRef(curator)
        add((node, PROV.wasAssociatedWith, curator_iri))
        add((node, PROV.endedAtTime, Literal(str(decision["at"]), datatype=XSD.dateTime)))


def _row_kind(kind: str) -> str:
    """The IRI segment of a sentence-table row's kind: bullets are sentences."""
    return "sentence" if kind == "bullet" else kind


def compile_sheet(path: Path, entities: Entities) -> tuple[Graph, Report]:
    """Compile the sheet at `path` against the entity sheet and known acts: the source's graph (to be named
    report.graph_name) and the report; SheetInvalid listing every problem, located."""
    return _Compiler(Path(path), entities).run()
