"""Treaty status over time: per (state, treaty) the status intervals the reconciled, reported treaty acts
establish, with honest bounds, precision and the acts and accounts they rest on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

import pyoxigraph as ox
from rdflib import Graph

from treatykg.core.iris import ID, RECONCILED_GRAPH, STATUS_GRAPH
from treatykg.graph.derive.graphs import GraphName, derive_from_graphs, replace_graph
from treatykg.graph.derive.reconcile import RDF_TYPE, RDFS_LABEL, XSD_DATETIME, source_graphs, tkg
from treatykg.graph.derive.treaty_acts import Act, Inputs, Pair, closure, coarsest, read_inputs

STATUS = ox.NamedNode(STATUS_GRAPH)
RECONCILED = ox.NamedNode(RECONCILED_GRAPH)
LABELS = {
    "Signatory": "signatory",
    "ConsentedNotInForce": "consented, not in force",
    "ProvisionallyApplying": "provisionally applying",
    "Party": "party",
    "Suspended": "suspended",
    "WithdrawalPending": "denounced, withdrawal pending",
    "Withdrawn": "withdrawn",
    "NotParty": "not party",
    "Unknown": "unknown",
    "Indeterminate": "indeterminate",
    "Disputed": "disputed",
}
# Successions are followed this far back (a successor of a successor of ...).
SUCCESSION_DEPTH = 8


@dataclass
class Relation:
    """A state's relation to a treaty after some acts, and the acts behind each part of it."""

    signed: list[str] = field(default_factory=list)
    consented: list[str] = field(default_factory=list)
    provisional: list[str] = field(default_factory=list)
    party: list[str] = field(default_factory=list)
    suspended: list[str] = field(default_factory=list)
    denounced: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    disputed: list[str] = field(default_factory=list)

    def status(self) -> tuple[str, list[str]]:
        """The status and the acts it rests on."""
        if self.disputed:
            return "Disputed", self.disputed
        for status, acts in (
            ("Withdrawn", self.withdrawn),
            ("WithdrawalPending", self.denounced),
            ("Suspended", self.suspended),
            ("Party", self.party),
            ("ProvisionallyApplying", self.provisional),
            ("ConsentedNotInForce", self.consented),
            ("Signatory", self.signed),
        ):
            if acts:
                return status, sorted(set(acts))
        return "Unknown", []


@dataclass
class Segment:
    """A stretch of days [start, end) with one status (end None: it lasts; start None: from the first)."""

    start: date | None
    status: str
    supports: set[str]
    precision: str | None
    window: frozenset[str] = frozenset()  # the undecided acts of an indeterminate or disputed stretch


class Timelines:
    """The status of each (state, treaty) on any day, from its acts."""

    def __init__(self, inputs: Inputs) -> None:
        self.pairs = inputs.by_pair()

    def relation(self, state: str, treaty: str, acts: Iterable[Act], depth: int = 0) -> Relation:
        """The relation after `acts`, applied in order."""
        relation = Relation()
        for act in sorted(acts, key=Act.key):
            self._apply(relation, act, state, treaty, depth)
        return relation

    def _apply(self, relation: Relation, act: Act, state: str, treaty: str, depth: int) -> None:
        """One act's effect on the relation."""
        iri, kind = act.iri, act.kind
        relation.disputed = [iri] if act.disputed else []
        if kind == "sign":
            relation.signed.append(iri)
            relation.withdrawn = []
        elif kind == "consent":
            relation.consented.append(iri)
            relation.withdrawn = []
        elif kind == "provisional":
            relation.provisional.append(iri)
            relation.withdrawn = []
        elif kind == "in-force" and relation.consented and not relation.party:
            relation.party = [*relation.consented, iri]
        elif kind == "in-force-for-state":
            relation.party = [iri]
            relation.withdrawn = []
        elif kind == "suspend" and (relation.party or relation.provisional or relation.consented):
            relation.suspended.append(iri)
        elif kind == "denounce":
            relation.denounced.append(iri)
        elif kind == "withdraw":
            fresh = Relation(withdrawn=[iri], disputed=relation.disputed)
            vars(relation).update(vars(fresh))
        elif kind == "revoke":
            fresh = Relation(signed=[*relation.signed, iri], disputed=relation.disputed)
            vars(relation).update(vars(fresh))
        elif kind == "succeed" and act.predecessor and depth < SUCCESSION_DEPTH:
            day = act.last_day or act.first_day
            if day is not None:
                before = self.relation_on(act.predecessor, treaty, day, depth + 1)
                # The successor takes on what the predecessor had, beside its own acts (which an undated
                # succession, applied last, must not erase).
                for name, value in vars(before).items():
                    if value and not getattr(relation, name):
                        setattr(relation, name, [*value, iri])

    def relation_on(self, state: str, treaty: str, day: date, depth: int = 0) -> Relation:
        """The relation on `day` from the acts that had certainly taken effect by then."""
        acts = self.pairs.get((state, treaty), [])
        done = [act for act in acts if act.last_day is not None and act.last_day <= day]
        return self.relation(state, treaty, done, depth)

    def segment_on(self, state: str, treaty: str, day: date | None) -> Segment:
        """The status on `day` (None: before every bound), indeterminate or disputed where an act that may or
        may not have taken effect would change it."""
        acts = self.pairs.get((state, treaty), [])
        done = [act for act in acts if day is not None and act.last_day is not None and act.last_day <= day]
        open_ = [
            act
            for act in acts
            if (act.first_day is None or (day is not None and act.first_day <= day))
            and (act.last_day is None or day is None or day < act.last_day)
        ]
        status, supports = self.relation(state, treaty, done).status()
        if open_:
            maybe, _ = self.relation(state, treaty, [*done, *open_]).status()
            if maybe != status or any(act.span_disputed for act in open_):
                name = "Disputed" if any(act.span_disputed for act in open_) else "Indeterminate"
                # The window names the acts that would each change the status (or all, if only together).
                deciding = [
                    act
                    for act in open_
                    if act.span_disputed or self.relation(state, treaty, [*done, act]).status()[0] != status
                ]
                window = frozenset(act.iri for act in deciding or open_)
                return Segment(day, name, set(window), coarsest(act.precision for act in open_), window)
        deciding = [act for act in done if act.last_day == day]
        precision = coarsest(act.precision for act in deciding) if deciding else None
        return Segment(day, status, set(supports), precision)

    def segments(self, state: str, treaty: str) -> list[Segment]:
        """The whole history of (state, treaty) as stretches of days, adjacent equal statuses merged."""
        acts = self.pairs.get((state, treaty), [])
        days = sorted({day for act in acts for day in (act.first_day, act.last_day) if day is not None})
        segments: list[Segment] = []
        for day in [None, *days]:
            segment = self.segment_on(state, treaty, day)
            last = segments[-1] if segments else None
            # A status resting on more acts starts a new interval; undecided stretches run together.
            same = last is not None and last.status == segment.status
            if same and last is not None and (last.window or last.supports == segment.supports):
                last.supports |= segment.supports
                last.window |= segment.window
                if segment.window:
                    last.precision = coarsest([last.precision, segment.precision])
                continue
            segments.append(segment)
        return segments


def _day_start(day: date) -> ox.Literal:
    return ox.Literal(datetime.combine(day, time()).strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD_DATETIME)


def _day_end(day: date) -> ox.Literal:
    return ox.Literal(
        datetime.combine(day, time(23, 59, 59)).strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD_DATETIME
    )


def _undecided(segment: Segment) -> bool:
    return bool(segment.window)


def interval_bounds(segments: list[Segment], index: int) -> dict[str, ox.Literal]:
    """The honest bounds of segment `index`: a status decided at a day starts within that day, or within the
    undecided stretch before it; an undecided stretch is known exactly."""
    segment = segments[index]
    bounds: dict[str, ox.Literal] = {}
    previous = segments[index - 1] if index > 0 else None
    following = segments[index + 1] if index + 1 < len(segments) else None
    after = segments[index + 2] if index + 2 < len(segments) else None
    if _undecided(segment):
        if segment.start is not None:
            bounds["startEarliest"] = bounds["startLatest"] = _day_start(segment.start)
        if following is not None and following.start is not None:
            bounds["endEarliest"] = bounds["endLatest"] = _day_start(following.start)
        return bounds
    if segment.start is not None:
        window_start = previous.start if previous is not None and _undecided(previous) else segment.start
        if window_start is not None:
            bounds["startEarliest"] = _day_start(window_start)
        bounds["startLatest"] = _day_end(segment.start)
    if following is not None and following.start is not None:
        bounds["endEarliest"] = _day_start(following.start)
        if not _undecided(following):
            bounds["endLatest"] = _day_end(following.start)
        elif after is not None and after.start is not None:
            bounds["endLatest"] = _day_end(after.start)
    return bounds


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _id_base(iri: str) -> str:
    """The id/ space a state's IRI lives in (the project's, or the synthetic data's)."""
    return iri.split("/id/", 1)[0] + "/id/" if "/id/" in iri else ID


def interval_triples(
    state: str, treaty: str, segments: list[Segment], labels: dict[str, str], accounts: dict[str, list[str]]
) -> list[ox.Triple]:
    """The StatusInterval nodes of one (state, treaty) history."""
    triples: list[ox.Triple] = []
    if all(segment.status == "Unknown" for segment in segments):
        return triples
    base = f"{_id_base(state)}status/{_slug(state)}/{_slug(treaty)}/"
    for index, segment in enumerate(segments):
        node = ox.NamedNode(base + (f"from-{segment.start.isoformat()}" if segment.start else "from-start"))
        following = segments[index + 1].start if index + 1 < len(segments) else None
        when = f"from {segment.start.isoformat()}" if segment.start else "before any dated act"
        when += f" until {following.isoformat()}" if following else ""
        label = f"{labels.get(state, _slug(state))}, {labels.get(treaty, _slug(treaty))}: "
        label += f"{LABELS[segment.status]} ({when})"
        add = triples.append
        add(ox.Triple(node, RDF_TYPE, tkg("StatusInterval")))
        add(ox.Triple(node, RDFS_LABEL, ox.Literal(label, language="en")))
        add(ox.Triple(node, tkg("statusOf"), ox.NamedNode(state)))
        add(ox.Triple(node, tkg("treaty"), ox.NamedNode(treaty)))
        add(ox.Triple(node, tkg("status"), tkg(segment.status)))
        for name, value in interval_bounds(segments, index).items():
            add(ox.Triple(node, tkg(name), value))
        if segment.precision is not None:
            add(ox.Triple(node, tkg("precision"), ox.NamedNode(segment.precision)))
        for act in sorted(segment.supports):
            add(ox.Triple(node, tkg("supportedBy"), ox.NamedNode(act)))
            for account in accounts.get(act, ()):
                add(ox.Triple(node, tkg("supportedBy"), ox.NamedNode(account)))
    return triples


def derive_status(store: ox.Store, graphs: Sequence[GraphName] | None = None) -> list[ox.Triple]:
    """The status graph of the treaty acts in `graphs` of `store` (default: its asserted graphs and the
    reconciled view)."""
    if graphs is None:
        graphs = [*source_graphs(store), RECONCILED]
    inputs = read_inputs(closure(store, graphs))
    timelines = Timelines(inputs)
    accounts = {act.iri: act.accounts for act in inputs.acts}
    triples: list[ox.Triple] = []
    for state, treaty in sorted(timelines.pairs):
        segments = timelines.segments(state, treaty)
        triples += interval_triples(state, treaty, segments, inputs.labels, accounts)
    return triples


def status_into(store: ox.Store) -> int:
    """Replace the status graph of `store` with the one derived from its asserted graphs and reconciled
    view; its size."""
    return replace_graph(store, STATUS, derive_status(store))


def status_graph(graphs: Iterable[Graph]) -> Graph:
    """The status graph of rdflib graphs (the reference build's inputs, the reconciled view among them)."""
    return derive_from_graphs(graphs, derive_status, STATUS, f"{ID}work/status/")


def status_change(
    store: ox.Store,
    without: str | None = None,
    extra: Iterable[ox.Triple] = (),
    reconciled: tuple[set[ox.Quad], set[ox.Quad]] = (set(), set()),
    pairs: Iterable[Pair] | None = None,
) -> tuple[set[ox.Quad], set[ox.Quad]]:
    """The status graph's quads to remove and to add when the asserted graph `without` leaves `store`, the
    triples `extra` join it and the reconciled view changes by `reconciled` (its quads removed, added); the
    store is only read. With `pairs`, only the intervals of those (state, treaty) pairs are derived again
    (a write's change: the pairs of what it touched, see derive/refresh.py)."""
    graphs = [
        graph
        for graph in [*source_graphs(store), RECONCILED]
        if not (isinstance(graph, ox.NamedNode) and graph.value == without)
    ]
    scratch = ox.Store()
    held, joining = ox.NamedNode(ID + "work/status/held"), ox.NamedNode(ID + "work/status/joining")
    pairs = None if pairs is None else set(pairs)
    removed, added = reconciled
    after = tkg("happenedAfter")
    extra = list(extra)
    # The acts the reconciled order's change links, whose windows it narrows, and the acts the new triples'
    # accounts are of (an act may gain its first account) are read too.
    seeds = {term for q in removed | added if q.predicate == after for term in (q.subject, q.object)}
    seeds |= {t.object for t in extra if t.predicate == tkg("accountOf")}
    read = closure(store, graphs, pairs, seeds)
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object, held) for t in read)
    for quad in removed:
        if quad.predicate == after:
            scratch.remove(ox.Quad(quad.subject, quad.predicate, quad.object, held))
    scratch.extend(ox.Quad(q.subject, q.predicate, q.object, held) for q in added if q.predicate == after)
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object, joining) for t in extra)
    # The entities and time spans the new triples name are described in the store's other graphs.
    named = {term for t in extra for term in (t.subject, t.object) if isinstance(term, ox.NamedNode)}
    described = [RDF_TYPE, RDFS_LABEL, tkg("earliest"), tkg("latest"), tkg("precision")]
    for term in named:
        for predicate in described:
            scratch.extend(
                ox.Quad(q.subject, q.predicate, q.object, joining)
                for q in store.quads_for_pattern(term, predicate, None)
                if q.graph_name in graphs
            )
    new = {ox.Quad(t.subject, t.predicate, t.object, STATUS) for t in derive_status(scratch, [held, joining])}
    if pairs is None:
        old = set(store.quads_for_pattern(None, None, None, STATUS))
        return old - new, new - old
    # The scratch held other pairs' acts (a predecessor's, the order's): only these pairs' intervals change.
    keys = {q.subject: q.object for q in new if q.predicate == tkg("statusOf")}
    treaty_of = {q.subject: q.object for q in new if q.predicate == tkg("treaty")}
    new = {q for q in new if (keys.get(q.subject), treaty_of.get(q.subject)) in pairs}
    old = {
        quad
        for state, treaty in pairs
        for interval in store.quads_for_pattern(None, tkg("statusOf"), state, STATUS)
        if ox.Quad(interval.subject, tkg("treaty"), treaty, STATUS) in store
        for quad in store.quads_for_pattern(interval.subject, None, None, STATUS)
    }
    return old - new, new - old
