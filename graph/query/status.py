"""A state's status towards a treaty, read from the derived status graph with the prepared queries
status-on, status-history and status-claims; names resolved through the entity sheet."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox

from treatykg.core.errors import InputError
from treatykg.core.iris import SOURCE, TKG
from treatykg.core.terms import solutions
from treatykg.graph.query.prepared import load_query
from treatykg.graph.sources.entities import Entities, load_entities
from treatykg.graph.store.protocol import Store

BOUNDS = ("startEarliest", "startLatest", "endEarliest", "endLatest")
Row = Mapping[str, ox.NamedNode | ox.Literal | ox.BlankNode]
# Runs a query's text over the union of all graphs: the rows, each with its bound variables.
Runner = Callable[[str], list[Row]]
TIME = "http://www.w3.org/2006/time#unit"


@dataclass
class Support:
    """An act a status rests on: its label, its time as reconciled (None: undated) and its sources."""

    act: str
    label: str
    when: str | None = None
    sources: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """As a JSON object."""
        return {"act": self.act, "label": self.label, "when": self.when, "sources": self.sources}


@dataclass
class Interval:
    """A status over an interval with its honest bounds (None: unbounded), or the unknown of no record."""

    status: str
    label: str
    iri: str | None = None
    bounds: dict[str, str] = field(default_factory=dict)
    precision: str | None = None
    supports: list[Support] = field(default_factory=list)

    def to_json(self) -> dict:
        """As a JSON object."""
        return {
            "interval": self.iri,
            "status": self.status,
            "label": self.label,
            **{name: self.bounds.get(name) for name in BOUNDS},
            "precision": self.precision,
            "supportedBy": [support.to_json() for support in self.supports],
        }

    def span(self) -> str:
        """`from 1992-11-09 until 2007-12-12..2007-12-13` in days (a window where a bound is not one day)."""
        start = _window(self.bounds.get("startEarliest"), self.bounds.get("startLatest"))
        end = _window(self.bounds.get("endEarliest"), self.bounds.get("endLatest"))
        words = f"from {start}" if start else "from the first record"
        return words + (f" until {end}" if end else "")


@dataclass
class Claim:
    """An account that never changes a status: attributed, hypothetical or deprecated."""

    act: str
    label: str
    account: str
    voice: str
    source: str
    speaker: str | None = None
    rank: str | None = None
    when: str | None = None

    def to_json(self) -> dict:
        """As a JSON object."""
        return {
            "act": self.act,
            "label": self.label,
            "account": self.account,
            "voice": self.voice,
            "speaker": self.speaker,
            "rank": self.rank,
            "when": self.when,
            "source": self.source,
        }

    def line(self) -> str:
        """One line: the act, when, whose claim, which source."""
        who = f"{self.voice}" + (f" ({self.speaker})" if self.speaker else "")
        who += f", {self.rank}" if self.rank else ""
        when = " (undated)" if self.when is None else "" if self.when in self.label else f" ({self.when})"
        return f"{self.label}{when}: {who}, {self.source.removeprefix(SOURCE)}"


@dataclass
class Answer:
    """A status answer: the state, the treaty, the day asked (None: the whole history), the intervals and the
    claims beside them."""

    state: str
    treaty: str
    on: date | None
    intervals: list[Interval]
    claims: list[Claim]

    def to_json(self) -> dict:
        """As a JSON object."""
        return {
            "state": self.state,
            "treaty": self.treaty,
            "on": self.on.isoformat() if self.on else None,
            "intervals": [interval.to_json() for interval in self.intervals],
            "claims": [claim.to_json() for claim in self.claims],
        }

    def lines(self, names: dict[str, str] | None = None) -> list[str]:
        """The answer in words: one block per interval, then the claims."""
        names = names or {}
        head = f"{names.get(self.state, self.state)} and {names.get(self.treaty, self.treaty)}"
        rows = [head + (f" on {self.on.isoformat()}" if self.on else ": the whole history")]
        for interval in self.intervals:
            precision = f" [{interval.precision.removeprefix(TIME).lower()}]" if interval.precision else ""
            rows.append(f"  {interval.label}: {interval.span()}{precision}")
            for support in interval.supports:
                sources = ", ".join(source.removeprefix(SOURCE) for source in support.sources)
                rows.append(f"    rests on: {support.label}{_when(support)} — {sources}")
        if self.claims:
            rows.append("  claims beside the answer (they change no status):")
            rows += [f"    {claim.line()}" for claim in self.claims]
        return rows


def _window(earliest: str | None, latest: str | None) -> str | None:
    """A bound in days: one day, `first..last`, `no later than last` or `first or later`."""
    first, last = (value[:10] if value else None for value in (earliest, latest))
    if first is None and last is None:
        return None
    if first is None:
        return f"no later than {last}"
    if last is None:
        return f"{first} or later"
    return first if first == last else f"{first}..{last}"


def _when(support: Support) -> str:
    """` (its time)` unless its label says it; ` (undated)` for an undated act."""
    if support.when is None:
        return " (undated)"
    return "" if support.when in support.label else f" ({support.when})"


def _text(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str | None:
    return term.value if term is not None else None


def store_runner(handle: Store) -> Runner:
    """A Runner over a store (embedded or remote)."""

    def run(text: str) -> list[Row]:
        results = solutions(handle.query_union(text))
        names = [variable.value for variable in results.variables]
        return [{name: row[name] for name in names if row[name] is not None} for row in results]

    return run


def _run(run: Runner, name: str, values: dict[str, str]) -> list[Row]:
    """The prepared query `name` with its parameters bound (a VALUES row opening its WHERE group)."""
    return run(load_query(name).bound_text(values))


def _intervals(rows: list[Row]) -> list[Interval]:
    """Intervals from status-on or status-history rows (one row per act and source)."""
    found: dict[str, Interval] = {}
    for row in rows:
        status = row["status"]
        interval = row.get("interval")
        key = interval.value if interval is not None else ""
        current = found.get(key)
        if current is None:
            current = Interval(
                status.value.removeprefix(TKG),
                _text(row.get("statusLabel")) or status.value,
                interval.value if interval is not None else None,
                {name: row[name].value for name in BOUNDS if name in row},
                _text(row.get("precision")),
            )
            found[key] = current
        act = row.get("act")
        if act is None:
            continue
        support = next((s for s in current.supports if s.act == act.value), None)
        if support is None:
            support = Support(act.value, _text(row.get("actLabel")) or act.value, _text(row.get("when")))
            current.supports.append(support)
        source = _text(row.get("source"))
        if source and source not in support.sources:
            support.sources.append(source)
    return list(found.values())


def claims(run: Runner, state: str, treaty: str) -> list[Claim]:
    """The claims about the state's acts on the treaty that change no status."""
    found = []
    for row in _run(run, "status-claims", {"state": state, "treaty": treaty}):
        found.append(
            Claim(
                row["act"].value,
                _text(row.get("actLabel")) or row["act"].value,
                row["account"].value,
                row["voiceLabel"].value,
                row["source"].value,
                _text(row.get("speakerLabel")),
                _text(row.get("rankLabel")),
                _text(row.get("when")),
            )
        )
    return found


def status_on(run: Runner, state: str, treaty: str, on: date) -> Answer:
    """The status of `state` towards `treaty` on the day `on` (unknown where no source relates them)."""
    rows = _run(run, "status-on", {"state": state, "treaty": treaty, "on": on.isoformat()})
    return Answer(state, treaty, on, _intervals(rows), claims(run, state, treaty))


def history(run: Runner, state: str, treaty: str) -> Answer:
    """Every status interval of `state` towards `treaty`, in order (none: unknown throughout)."""
    rows = _run(run, "status-history", {"state": state, "treaty": treaty})
    return Answer(state, treaty, None, _intervals(rows), claims(run, state, treaty))


def resolve(name: str, kind: str, entities: Entities | None = None) -> str:
    """The IRI of the entity of class `kind` (State, Treaty) that `name` names: an IRI, a label, an alias or
    the IRI's last segment, in any case; InputError listing the candidates if none or several match."""
    if name.startswith(("http://", "https://")):
        return name
    entities = entities or load_entities()
    of_kind = [entity for entity in entities.entities.values() if entities.terms.is_a(entity.cls, kind)]
    wanted = name.casefold()
    matches = sorted(
        {
            entity.iri
            for entity in of_kind
            if wanted
            in {entity.label.casefold(), entity.iri.rsplit("/", 1)[-1].casefold()}
            | {alias.casefold() for alias in entity.aliases}
        }
    )
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise InputError(f"{name!r} names several {kind.lower()}s: " + ", ".join(matches))
    names = {entity.iri.rsplit("/", 1)[-1]: entity for entity in of_kind}
    close = difflib.get_close_matches(wanted, list(names), n=5, cutoff=0.5)
    listed = close or sorted(names)
    raise InputError(
        f"no {kind.lower()} is named {name!r} in the entity sheet; "
        + ("did you mean " if close else "known: ")
        + ", ".join(listed)
        + " (or give an IRI)"
    )


def labels(entities: Entities | None = None) -> dict[str, str]:
    """The entity sheet's labels by IRI."""
    entities = entities or load_entities()
    return {iri: entity.label for iri, entity in entities.entities.items()}
