"""The treaty acts the status derivation reads: per reported act what it does, to which states, within which
window (its accounts' spans narrowed by the reconciled order) and the accounts it rests on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pyoxigraph as ox

from treatykg.core.iris import ID
from treatykg.graph.derive.reconcile import (
    PRECISIONS,
    RDF_TYPE,
    RDFS_LABEL,
    Account,
    GraphName,
    considered,
    read_accounts,
    tkg,
)

QUERIES = Path(__file__).parent
REPORTED = "ReportedBySource"
# What each treaty act does to a state's relation to the treaty (ConsentToBeBound's subclasses consent).
KINDS = {
    "Signing": "sign",
    "ConsentToBeBound": "consent",
    "Ratification": "consent",
    "Acceptance": "consent",
    "Approval": "consent",
    "Accession": "consent",
    "Succession": "succeed",
    "ProvisionalApplication": "provisional",
    "EntryIntoForce": "in-force",
    "EntryIntoForceForState": "in-force-for-state",
    "SuspensionOfParticipation": "suspend",
    "SuspensionOfOperation": "suspend",
    "CessationOfParticipation": "suspend",
    "Denunciation": "denounce",
    "Withdrawal": "withdraw",
    "RevocationOfRatification": "revoke",
}
# Acts of one day apply in this order (a consent before the entry into force it meets).
ORDER = list(dict.fromkeys(KINDS.values()))


@dataclass
class Act:
    """A treaty act as the status derivation reads it: what it does, to whom, when, and what it rests on."""

    iri: str
    kind: str
    treaty: str
    states: list[str]
    earliest: datetime | None = None  # None: no lower bound
    latest: datetime | None = None  # None: no upper bound
    precision: str | None = None
    predecessor: str | None = None
    disputed: bool = False  # its reported accounts conflict (class, agent or object)
    span_disputed: bool = False  # their spans do not overlap: the window is theirs together
    accounts: list[str] = field(default_factory=list)

    @property
    def first_day(self) -> date | None:
        """The first day it may have taken effect (None: unbounded)."""
        return self.earliest.date() if self.earliest else None

    @property
    def last_day(self) -> date | None:
        """The day by which it had taken effect (None: unbounded)."""
        return self.latest.date() if self.latest else None

    def key(self) -> tuple:
        """Its place in a sequence: by latest, then earliest, then the kind's order."""
        return (
            self.latest or datetime.max,
            self.earliest or datetime.min,
            ORDER.index(self.kind),
            self.iri,
        )


@dataclass
class Inputs:
    """The acts of the store, grouped for the derivation."""

    acts: list[Act]
    labels: dict[str, str]

    def by_pair(self) -> dict[tuple[str, str], list[Act]]:
        """The acts that bear on each (state, treaty): its own, and the treaty-wide entries into force."""
        pairs: dict[tuple[str, str], list[Act]] = defaultdict(list)
        for act in self.acts:
            for state in act.states:
                pairs[(state, act.treaty)].append(act)
        for act in self.acts:
            if act.kind == "in-force":
                for state, treaty in list(pairs):
                    if treaty == act.treaty:
                        pairs[(state, treaty)].append(act)
        return pairs


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _value(term: Term) -> str:
    """An IRI's, blank node's or literal's text ("" for a quoted triple)."""
    return "" if isinstance(term, ox.Triple) else term.value


def _objects(store: ox.Store, subject: ox.NamedNode, predicate: str) -> list[Term]:
    return [quad.object for quad in store.quads_for_pattern(subject, tkg(predicate), None)]


def coarsest(precisions: Iterable[str | None]) -> str | None:
    """The coarsest of some precisions; None if any is unknown or there are none."""
    units = list(precisions)
    if not units or None in units:
        return None
    return min(units, key=lambda unit: PRECISIONS.index(unit) if unit in PRECISIONS else -1)


Pair = tuple[ox.NamedNode, ox.NamedNode]  # (state, treaty)
# What names a state an act may change the status of: on the act, and claimed on its accounts.
PARTY_LINKS = (tkg("agent"), tkg("actingMember"), tkg("predecessor"))
CLAIMED_PARTIES = (tkg("claimedAgent"), tkg("claimedMember"))


def closure(
    store: ox.Store, graphs: Sequence[GraphName], pairs: Iterable[Pair] | None = None, seeds: Iterable = ()
) -> list[ox.Triple]:
    """What the derivation reads from `graphs` of `store` (graph/derive/status-inputs.rq); with `pairs`, only
    what it reads to derive those (state, treaty) pairs (around_pairs), `seeds` being acts it reads too."""
    if pairs is not None:
        store = around_pairs(store, graphs, pairs, seeds)
    text = (QUERIES / "status-inputs.rq").read_text(encoding="utf-8")
    named = [graph for graph in graphs if isinstance(graph, ox.NamedNode)]
    return list(store.query(text, default_graph=list(graphs), named_graphs=named))  # type: ignore[arg-type]  # a CONSTRUCT answers triples


def _in(store: ox.Store, graphs: set, subject=None, predicate=None, obj=None) -> Iterable[ox.Quad]:
    """The quads of `graphs` matching the pattern."""
    return (q for q in store.quads_for_pattern(subject, predicate, obj, None) if q.graph_name in graphs)


def around_pairs(
    store: ox.Store, graphs: Sequence[GraphName], pairs: Iterable[Pair], seeds: Iterable = ()
) -> ox.Store:
    """A scratch store holding, in their own graphs, the quads of `graphs` that status-inputs.rq reads to
    derive `pairs`: index lookups from each state, so a write's status costs what it touches.

    A pair reads the acts of its treaty that name its state (on the act or an account's claim), the
    treaty's entries into force, its predecessor's pair where a succession names one, and every treaty act
    in the claimed order's component of those (an act's window narrows along the order, both ways).
    """
    within = set(graphs)
    treaty_of, account_of, after = tkg("treaty"), tkg("accountOf"), tkg("happenedAfter")

    def objects(subject, predicate) -> set:
        return {quad.object for quad in _in(store, within, subject, predicate)}

    def reported(act) -> bool:  # an act no account reports changes no status (treaty_acts._act)
        return next(iter(_in(store, within, None, account_of, act)), None) is not None

    def naming(state) -> set:  # the acts that name `state` as a party, on themselves or their accounts
        acts = {quad.subject for link in PARTY_LINKS for quad in _in(store, within, None, link, state)}
        for link in CLAIMED_PARTIES:
            for claim in _in(store, within, None, link, state):
                acts |= objects(claim.subject, account_of)
        return acts

    seeds = set(seeds)
    todo, read, acts = list(pairs), set(), set(seeds)
    in_force = {quad.subject for quad in _in(store, within, None, RDF_TYPE, tkg("EntryIntoForce"))}
    while todo:
        state, treaty = pair = todo.pop()
        if pair in read:
            continue
        read.add(pair)
        for act in {a for a in naming(state) | in_force if treaty in objects(a, treaty_of)}:
            acts.add(act)
            # A succession reads its predecessor's pair.
            for predecessor in objects(act, tkg("predecessor")) - {state}:
                todo.append((predecessor, treaty))
    pending = [act for act in acts if reported(act) or act in seeds]  # a seed may gain its first account
    acts = set(pending)
    while pending:  # the order's components
        act = pending.pop()
        for other in objects(act, after) | {q.subject for q in _in(store, within, None, after, act)}:
            if other not in acts and reported(other) and objects(other, treaty_of):
                acts.add(other)
                pending.append(other)
    quads: set[ox.Quad] = set()
    accounts, described = set(), set()
    for act in acts:
        for quad in _in(store, within, act):
            quads.add(quad)
            if quad.predicate in (treaty_of, *PARTY_LINKS):
                described.add(quad.object)
        for quad in _in(store, within, None, account_of, act):
            accounts.add(quad.subject)
    spans = set()
    for account in accounts:
        for quad in _in(store, within, account):
            quads.add(quad)
            if quad.predicate == tkg("timeSpan"):
                spans.add(quad.object)
        for decision in _in(store, within, None, tkg("decisionOn"), account):
            quads.update(_in(store, within, decision.subject))
    for span in spans:
        quads.update(_in(store, within, span))
    for node in described:
        quads.update(_in(store, within, node, RDF_TYPE))
        quads.update(_in(store, within, node, RDFS_LABEL))
    scratch = ox.Store()
    scratch.extend(quads)
    return scratch


def _finest(precisions: Iterable[str | None]) -> str | None:
    """The finest of some precisions (None if none is known)."""
    units = [unit for unit in precisions if unit in PRECISIONS]
    return max(units, key=PRECISIONS.index) if units else None


def read_inputs(triples: Iterable[ox.Triple]) -> Inputs:
    """The reported treaty acts of a closure."""
    scratch, work = ox.Store(), ox.NamedNode(ID + "work/status")
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object, work) for t in triples)
    accounts_by_act: dict[str, list[Account]] = defaultdict(list)
    for account in read_accounts(scratch, [work]).values():
        accounts_by_act[account.act.value].append(account)
    states = {_value(quad.subject) for quad in scratch.quads_for_pattern(None, RDF_TYPE, tkg("State"))}
    labels = {
        _value(quad.subject): _value(quad.object)
        for quad in scratch.quads_for_pattern(None, RDFS_LABEL, None)
    }
    acts: dict[str, Act] = {}
    for quad in scratch.quads_for_pattern(None, tkg("treaty"), None):
        act = quad.subject
        if not isinstance(act, ox.NamedNode) or not isinstance(quad.object, ox.NamedNode):
            continue
        kinds = {
            KINDS[_local(node.value)]
            for node in (quad.object for quad in scratch.quads_for_pattern(act, RDF_TYPE, None))
            if isinstance(node, ox.NamedNode) and _local(node.value) in KINDS
        }
        if len(kinds) != 1:
            continue
        found = _act(scratch, act, kinds.pop(), quad.object.value, accounts_by_act.get(act.value), states)
        if found is not None:
            acts[act.value] = found
    _bound_by_order(scratch, acts)
    return Inputs(sorted(acts.values(), key=Act.key), labels)


def _act(
    scratch: ox.Store,
    act: ox.NamedNode,
    kind: str,
    treaty: str,
    accounts: list[Account] | None,
    states: set[str],
) -> Act | None:
    """The act if a considered account reports it in its source's own voice (acts written before accounts,
    without any, change no status: the status rests on accounts)."""
    reported = [account for account in considered(accounts or []) if account.status == REPORTED]
    if not reported:
        return None
    found = Act(act.value, kind, treaty, [], accounts=[account.iri.value for account in reported])
    spans = [account.span for account in reported if account.span is not None]
    if spans:
        bounds = [span.bounds for span in spans]
        earliest, latest = max(b[0] for b in bounds), min(b[1] for b in bounds)
        if earliest > latest:  # the sources do not agree on when: disputed over their spans together
            found.span_disputed = True
            earliest, latest = min(b[0] for b in bounds), max(b[1] for b in bounds)
        found.earliest, found.latest = earliest, latest
        # Agreeing spans refine each other (the finest precision); disputed ones hold the coarsest.
        units = [span.precision for span in spans]
        found.precision = coarsest(units) if found.span_disputed else _finest(units)
    agents = {_value(node) for node in _objects(scratch, act, "agent")}
    for claim in ("claimedClass", "claimedAgent", "claimedObject"):
        claims = {frozenset(account.values.get(claim) or ()) for account in reported}
        if claim == "claimedAgent":
            # An account that claims no agent agrees with the act's; an act with no agent of its own takes the
            # one its accounts name (the reconciled view's rule, so `agents` holds it): only a named agent
            # other than the act's disagrees.
            claims = {named for named in claims if named and named != frozenset(agents)}
            found.disputed |= bool(claims)
        elif len(claims) > 1:
            found.disputed = True
    members = {
        _value(quad.object)
        for account in reported
        for quad in scratch.quads_for_pattern(account.iri, tkg("actingMember"), None)
    }
    # A group's act changes the status only of the members a source names; a state's own act, its own.
    found.states = [] if kind == "in-force" else sorted((members or agents) & states)
    predecessors = [_value(node) for node in _objects(scratch, act, "predecessor") if _value(node) in states]
    found.predecessor = predecessors[0] if len(predecessors) == 1 else None
    return found


def _bound_by_order(scratch: ox.Store, acts: dict[str, Act]) -> None:
    """Narrow the acts' windows by the reconciled order: an act after another is no earlier than it, and the
    other no later than it."""
    edges = [
        (_value(quad.subject), _value(quad.object))
        for quad in scratch.quads_for_pattern(None, tkg("happenedAfter"), None)
        if _value(quad.subject) in acts and _value(quad.object) in acts
    ]
    for _ in range(len(acts)):
        changed = False
        for later_iri, before_iri in edges:
            later, before = acts[later_iri], acts[before_iri]
            if before.earliest and (later.earliest is None or later.earliest < before.earliest):
                later.earliest, changed = before.earliest, True
            if later.latest and (before.latest is None or before.latest > later.latest):
                before.latest, changed = later.latest, True
        if not changed:
            return
