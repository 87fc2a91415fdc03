"""The entity sheet shared by all sources (states, organizations, people, treaties, their time-scoped
aliases) and the acts already known: what a sheet's names and act keys resolve to."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import cast

from rdflib import RDF, RDFS, Graph, Literal, URIRef

from treatykg.core import resources
from treatykg.core.iris import BASE, TKG
from treatykg.graph.sources.errors import SheetInvalid, SheetProblem
from treatykg.graph.sources.schema import check_schema
from treatykg.graph.sources.terms import OntologyTerms, ontology_terms
from treatykg.graph.sources.timespec import TimeError, TimeWindow, parse_date
from treatykg.graph.sources.yamlsafe import Mapping, Sequence, read_yaml

# An anaphor refers back to something named earlier: a pronoun, or a definite description with a common
# noun ("the alliance", "the pact"). It means different things in different texts, so it is never an alias.
_PRONOUNS = {"he", "she", "it", "they", "them", "we", "its", "their", "this", "that", "these", "those"}
_DEFINITE_DESCRIPTION = re.compile(r"^the\s+[a-z]")
ENTITY_CLASSES = (
    "State",
    "Organization",
    "Person",
    "Treaty",
    "AgentGroup",
    "HistoricalPeriod",
    "Role",
    "Post",
)


def entities_file() -> Path:
    """The packaged entity sheet (`graph/entities.yaml`)."""
    return resources.graph_dir() / "entities.yaml"


@dataclass(frozen=True)
class Name:
    """A label or alias of an entity, valid from `since` (inclusive) and before `before` (exclusive)."""

    iri: str
    since: datetime | None = None
    before: datetime | None = None

    def excluded_by(self, window: TimeWindow | None) -> bool:
        """Whether a statement at `window` lies wholly outside this name's validity."""
        if window is None:
            return False
        return (self.before is not None and window.earliest >= self.before) or (
            self.since is not None and window.latest < self.since
        )


@dataclass(frozen=True)
class Entity:
    """One entry of the entity sheet."""

    iri: str
    cls: str
    label: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class KnownAct:
    """An act already in the graph, matched by its key: class, agent, object, time window."""

    iri: str
    cls: str
    agent: str | None
    object: str | None
    window: tuple[datetime, datetime] | None
    # The sources that speak of it (on the act or its accounts): a sheet never joins its own earlier graph.
    sources: frozenset[str] = frozenset()


def _nowhere(iri: str) -> bool:
    """No IRI is held beyond what the entities learnt (a build: every graph compiled is learnt)."""
    return False


@dataclass
class Entities:
    """What names resolve to: the entity sheet's entries, the acts already known, the ontology's terms."""

    terms: OntologyTerms
    entities: dict[str, Entity] = field(default_factory=dict)
    names: dict[str, list[Name]] = field(default_factory=dict)
    acts: list[KnownAct] = field(default_factory=list)
    # Every IRI under id/ the added graphs describe (propositions too), which a minted IRI must avoid.
    described: set[str] = field(default_factory=set)
    # The IRI base entities, acts and sources live under (a synthetic base for generated data).
    base: str = BASE
    # Whether the store a sheet is added to describes an IRI beyond the acts learnt (a minted IRI avoids it).
    held: Callable[[str], bool] = _nowhere

    @property
    def id_base(self) -> str:
        """Where things are: <base>id/."""
        return self.base + "id/"

    def iris(self) -> set[str]:
        """Every IRI already taken (entities and acts), which a minted IRI must avoid."""
        return set(self.entities) | {act.iri for act in self.acts} | self.described

    def candidates(self, name: str, window: TimeWindow | None) -> list[str]:
        """The distinct IRIs `name` may mean at `window` (sorted)."""
        return sorted(
            {entry.iri for entry in self.names.get(name.casefold(), []) if not entry.excluded_by(window)}
        )

    def add_acts(self, graph: Graph) -> None:
        """Learn the acts of an RDF graph (any TreatyKG data): their class, agent, object and time window,
        from the act's own time span or its accounts'."""
        tkg = {
            name: URIRef(TKG + name)
            for name in ("agent", "treaty", "target", "timeSpan", "earliest", "latest", "source")
        }
        account_of = URIRef(TKG + "accountOf")
        self.described.update(str(node) for node in graph.subjects() if str(node).startswith(self.id_base))
        for subject, cls in graph.subject_objects(RDF.type):
            name = str(cls)[len(TKG) :] if str(cls).startswith(TKG) else None
            if name is None or not self.terms.is_a(name, "Event") or not isinstance(subject, URIRef):
                continue
            spans = list(graph.objects(subject, tkg["timeSpan"]))
            spans += [
                span
                for account in graph.subjects(account_of, subject)
                for span in graph.objects(account, tkg["timeSpan"])
            ]
            window = None
            for span in spans:
                earliest, latest = graph.value(span, tkg["earliest"]), graph.value(span, tkg["latest"])
                if isinstance(earliest, Literal) and isinstance(latest, Literal):
                    window = (earliest.toPython(), latest.toPython())
            agent = graph.value(subject, tkg["agent"])
            target = graph.value(subject, tkg["treaty"]) or graph.value(subject, tkg["target"])
            accounts = [subject, *graph.subjects(account_of, subject)]
            sources = frozenset(
                str(node) for holder in accounts for node in graph.objects(holder, tkg["source"])
            )
            self.acts.append(
                KnownAct(
                    str(subject),
                    name,
                    str(agent) if agent else None,
                    str(target) if target else None,
                    _naive(window),
                    sources,
                )
            )


def _naive(window: tuple[object, object] | None) -> tuple[datetime, datetime] | None:
    """UTC datetimes without their zone, as the time module compares them."""
    if window is None or not all(isinstance(bound, datetime) for bound in window):
        return None
    earliest, latest = cast(tuple[datetime, datetime], window)
    return earliest.replace(tzinfo=None), latest.replace(tzinfo=None)


def is_anaphor(alias: str) -> bool:
    """Whether an alias is a pronoun or a definite description with a common noun ("the alliance")."""
    text = alias.strip()
    return text.casefold() in _PRONOUNS or _DEFINITE_DESCRIPTION.match(text) is not None


def load_entities(path: Path | None = None, ontology: Path | None = None, base: str = BASE) -> Entities:
    """The entity sheet at `path` (default: the packaged one), its IRIs under `base`; SheetInvalid listing
    every problem."""
    path = path or entities_file()
    document = read_yaml(path)
    check_schema(document, "entities", path)
    document = cast(Mapping, document)
    terms = ontology_terms(ontology)
    found = Entities(terms, base=base)
    problems: list[SheetProblem] = []
    entries = document.get("entities") or Sequence()
    for index, entry in enumerate(entries):
        entry = cast(Mapping, entry)
        line = entries.item_lines[index]
        iri, cls, label = str(entry["iri"]), str(entry["class"]), str(entry["label"])
        if cls not in terms.classes:
            problems.append(
                SheetProblem(
                    str(path), entry.key_lines["class"], f"unknown class {cls!r} (not in the ontology)"
                )
            )
        if not iri.startswith(found.id_base):
            problems.append(
                SheetProblem(str(path), entry.key_lines["iri"], f"IRI {iri} is not under {found.id_base}")
            )
        if iri in found.entities:
            problems.append(SheetProblem(str(path), line, f"IRI {iri} is listed twice"))
        aliases: list[str] = []
        found.names.setdefault(label.casefold(), []).append(Name(iri))
        raw_aliases = entry.get("aliases") or Sequence()
        for position, alias in enumerate(raw_aliases):
            alias_line = raw_aliases.item_lines[position]
            name, since, before = (
                (alias, None, None)
                if isinstance(alias, str)
                else (str(alias["name"]), alias.get("from"), alias.get("before"))
            )
            if is_anaphor(name):
                problems.append(
                    SheetProblem(
                        str(path), alias_line, f"alias {name!r} of {label} is an anaphor, never an alias"
                    )
                )
                continue
            try:
                scope = Name(iri, _bound(since), _bound(before))
            except TimeError as error:
                problems.append(SheetProblem(str(path), alias_line, str(error)))
                continue
            aliases.append(name)
            found.names.setdefault(name.casefold(), []).append(scope)
        found.entities[iri] = Entity(iri, cls, label, tuple(aliases))
    if problems:
        raise SheetInvalid(problems)
    return found


def _bound(text: object) -> datetime | None:
    """The first instant of a scope bound written as a date."""
    return None if text is None else parse_date(str(text)).earliest


def entities_graph(entities: Entities) -> Graph:
    """The entity sheet as RDF (the shared entities graph): each entry's class, English label and the aliases
    that hold at every time (a time-scoped alias only resolves names in sheets)."""
    graph, alt_label = Graph(), URIRef("http://www.w3.org/2004/02/skos/core#altLabel")
    for entity in entities.entities.values():
        node = URIRef(entity.iri)
        graph.add((node, RDF.type, URIRef(TKG + entity.cls)))
        graph.add((node, RDFS.label, Literal(entity.label, lang="en")))
        for alias in entity.aliases:
            names = [name for name in entities.names[alias.casefold()] if name.iri == entity.iri]
            if any(name.since is None and name.before is None for name in names):
                graph.add((node, alt_label, Literal(alias, lang="en")))
    return graph
