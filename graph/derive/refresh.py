"""The derived graphs after a write: the one place each derived graph's change is computed.

A write that touches accounts (an account, its time span, a curator's decision on it, or an act with
accounts) changes the reconciled view (reconcile.py) and, through it, the treaty status intervals
(status.py) of the treaties the write and the reconciled view's change touch; a derived graph that joins
adds its test and its change here. The store is one the write is already applied to (a checkpoint); it is
only read.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from treatykg.graph.derive.reconcile import RDF_TYPE, RDFS_LABEL, reconciled_change, source_graphs, tkg
from treatykg.graph.derive.status import status_change
from treatykg.graph.derive.treaty_acts import CLAIMED_PARTIES, PARTY_LINKS, Pair

ACCOUNT_OF, DECISION_ON, TIME_SPAN = tkg("accountOf"), tkg("decisionOn"), tkg("timeSpan")
CLAIMS_AFTER = tkg("claimsAfter")
# Acts derived again after a write beyond which the whole reconciled view is (a long chain of claimed order).
SCOPED_ACTS_LIMIT = 20_000
TREATY, STATUS_OF, PREDECESSOR = tkg("treaty"), tkg("statusOf"), tkg("predecessor")
HAPPENED_AFTER, ENTRY_INTO_FORCE = tkg("happenedAfter"), tkg("EntryIntoForce")


def _has(store: ox.Store, s=None, p=None, o=None) -> bool:
    """Whether any graph of the store holds a triple matching the pattern."""
    return next(iter(store.quads_for_pattern(s, p, o, None)), None) is not None


def touches_accounts(store: ox.Store, changed: Iterable[ox.Triple]) -> bool:
    """Whether a changed triple is about an account, an account's time span, a decision, or an act with
    accounts (as the store stands after the write; removed links are caught by their predicate)."""
    for triple in changed:
        subject, predicate = triple.subject, triple.predicate
        if predicate in (ACCOUNT_OF, DECISION_ON):
            return True
        if isinstance(subject, ox.Triple):
            continue
        if (
            _has(store, subject, ACCOUNT_OF)
            or _has(store, subject, DECISION_ON)
            or _has(store, None, ACCOUNT_OF, subject)
            or any(
                _has(store, quad.subject, ACCOUNT_OF)
                for quad in store.quads_for_pattern(None, TIME_SPAN, subject, None)
            )
        ):
            return True
    return False


class _Links:
    """The links the status derivation follows, read from the store after the write and from the changed
    triples (a removed link is gone from the store but still ties its nodes to a treaty)."""

    def __init__(self, store: ox.Store, changed: Iterable[ox.Triple]) -> None:
        self.store = store
        self.out: dict[tuple, set] = {}
        self.into: dict[tuple, set] = {}
        for triple in changed:
            self.out.setdefault((triple.subject, triple.predicate), set()).add(triple.object)
            self.into.setdefault((triple.predicate, triple.object), set()).add(triple.subject)

    def objects(self, subject, predicate) -> set:
        """The objects of (subject, predicate)."""
        found = {quad.object for quad in self.store.quads_for_pattern(subject, predicate, None, None)}
        return found | self.out.get((subject, predicate), set())

    def subjects(self, predicate, obj) -> set:
        """The subjects of (predicate, object)."""
        found = {quad.subject for quad in self.store.quads_for_pattern(None, predicate, obj, None)}
        return found | self.into.get((predicate, obj), set())

    def acts(self, node) -> set:
        """The acts `node` may be, or be an account, a time span or a decision of (itself included)."""
        if not isinstance(node, ox.NamedNode | ox.BlankNode):
            return set()
        acts = {node} | self.objects(node, ACCOUNT_OF)
        for holder in self.subjects(TIME_SPAN, node):  # a span: of an act or an account
            acts |= {holder} | self.objects(holder, ACCOUNT_OF)
        for account in self.objects(node, DECISION_ON):
            acts |= self.objects(account, ACCOUNT_OF)
        return acts

    def parties(self, act) -> set:
        """The states `act` may change the status of: its agents, acting members and predecessor, and the
        agents and members its accounts claim (a superset: the derivation keeps the states among them)."""
        found = {state for link in PARTY_LINKS for state in self.objects(act, link)}
        for account in self.subjects(ACCOUNT_OF, act):
            found |= {state for link in CLAIMED_PARTIES for state in self.objects(account, link)}
        return found

    def naming(self, state) -> set:
        """The acts that name `state` as a party, on themselves or on their accounts."""
        acts = {act for link in PARTY_LINKS for act in self.subjects(link, state)}
        for link in CLAIMED_PARTIES:
            for account in self.subjects(link, state):
                acts |= self.objects(account, ACCOUNT_OF)
        return acts

    def ordered_with(self, act) -> set:
        """The acts the accounts of `act` claim it came after, and those whose accounts say it preceded."""
        found = set()
        for account in self.subjects(ACCOUNT_OF, act):
            found |= self.objects(account, CLAIMS_AFTER)
        for account in self.subjects(CLAIMS_AFTER, act):
            found |= self.objects(account, ACCOUNT_OF)
        return found


def _union_changed(store: ox.Store, removed: Iterable[ox.Quad], added: Iterable[ox.Quad]) -> set[ox.Triple]:
    """The triples the union of the asserted graphs gained or lost (a triple another graph still holds, or
    held already, changes nothing the derivations read through the union)."""
    graphs = set(source_graphs(store))

    def holders(triple: ox.Triple) -> set:
        quads = store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)
        return {quad.graph_name for quad in quads if quad.graph_name in graphs}

    added_to: dict[ox.Triple, set] = {}
    for quad in added:
        added_to.setdefault(quad.triple, set()).add(quad.graph_name)
    gained = {triple for triple, into in added_to.items() if holders(triple) <= into}
    return gained | {quad.triple for quad in removed if not holders(quad.triple)}


def affected_pairs(
    store: ox.Store, removed: Iterable[ox.Quad], added: Iterable[ox.Quad], reconciled: Iterable[ox.Quad]
) -> set[Pair]:
    """The (state, treaty) pairs whose status intervals a write (its removed and added quads, and the
    reconciled view's change) can alter: the parties and treaties of the acts it touches (through their
    accounts, spans and decisions) and of every act in their claimed order's component (whose windows the
    order narrows); every pair of a treaty whose entry into force it touches or whose label or type the
    union gains or loses; a state's pairs where its label or type changes; and the pairs of the successors
    of a state whose pair is affected (a succession reads its predecessor's relation)."""
    removed, added, reconciled = list(removed), list(added), list(reconciled)
    changed = [quad.triple for quad in [*removed, *added, *reconciled]]
    links = _Links(store, changed)
    nodes: set = {triple.subject for triple in changed}
    linking = (ACCOUNT_OF, DECISION_ON, TIME_SPAN, HAPPENED_AFTER)
    nodes |= {t.object for t in changed if t.predicate in linking}
    acts = {act for node in nodes for act in links.acts(node) if links.objects(act, TREATY)}
    todo = list(acts)
    while todo:  # the order's components
        act = todo.pop()
        ordered = links.objects(act, HAPPENED_AFTER) | links.subjects(HAPPENED_AFTER, act)
        for other in ordered - acts:
            if links.objects(other, TREATY):  # the derivation orders treaty acts only
                acts.add(other)
                todo.append(other)
    pairs: set = set()
    whole: set = set()  # treaties every pair of which is affected
    for act in acts:
        treaties = links.objects(act, TREATY)
        if ENTRY_INTO_FORCE in links.objects(act, RDF_TYPE):
            whole |= treaties
        pairs |= {(state, treaty) for state in links.parties(act) for treaty in treaties}
    for triple in _union_changed(store, removed, added):
        if triple.predicate in (RDF_TYPE, RDFS_LABEL):
            node = triple.subject
            if links.subjects(TREATY, node):
                whole.add(node)
            for act in links.naming(node):
                pairs |= {(node, treaty) for treaty in links.objects(act, TREATY)}
    for treaty in whole:
        for act in links.subjects(TREATY, treaty):
            pairs |= {(state, treaty) for state in links.parties(act) | links.objects(act, STATUS_OF)}
    todo = list(pairs)
    while todo:  # successors read their predecessor's relation on the day of the succession
        state, treaty = todo.pop()
        for act in links.subjects(PREDECESSOR, state):
            if treaty in links.objects(act, TREATY):
                for successor in links.parties(act) - {state}:
                    if (successor, treaty) not in pairs:
                        pairs.add((successor, treaty))
                        todo.append((successor, treaty))
    return {(s, t) for s, t in pairs if isinstance(s, ox.NamedNode) and isinstance(t, ox.NamedNode)}


def touched_acts(
    store: ox.Store, changed: Iterable[ox.Triple], limit: int = SCOPED_ACTS_LIMIT
) -> set[ox.NamedNode] | None:
    """The acts whose reconciled triples a change can alter (the store before or after it, and the changed
    triples): those it touches through their accounts, spans and decisions, closed under claimed order, as
    the order's cycles are found per component; None past `limit` acts (derive them all)."""
    changed = list(changed)
    links = _Links(store, changed)
    nodes: set = {triple.subject for triple in changed}
    nodes |= {t.object for t in changed if t.predicate in (ACCOUNT_OF, DECISION_ON, TIME_SPAN, CLAIMS_AFTER)}
    # An act is what some account (in the store or among the changed triples) is an account of.
    todo = [act for node in nodes for act in links.acts(node) if links.subjects(ACCOUNT_OF, act)]
    acts: set = set(todo)
    while todo:
        for other in links.ordered_with(todo.pop()) - acts:
            acts.add(other)
            todo.append(other)
        if len(acts) > limit:
            return None
    return {act for act in acts if isinstance(act, ox.NamedNode)}


def derived_change(
    store: ox.Store, removed: Iterable[ox.Quad], added: Iterable[ox.Quad]
) -> tuple[set[ox.Quad], set[ox.Quad]]:
    """The derived graphs' quads to remove and to add after the write that removed `removed` and added
    `added` (already applied to `store`)."""
    removed, added = list(removed), list(added)
    derived_removed: set[ox.Quad] = set()
    derived_added: set[ox.Quad] = set()
    changed = [quad.triple for quad in [*removed, *added]]
    if touches_accounts(store, changed):
        reconciled_removed, reconciled_added = reconciled_change(store, acts=touched_acts(store, changed))
        pairs = affected_pairs(store, removed, added, reconciled_removed | reconciled_added)
        status_removed, status_added = status_change(
            store, reconciled=(reconciled_removed, reconciled_added), pairs=pairs
        )
        derived_removed |= reconciled_removed | status_removed
        derived_added |= reconciled_added | status_added
    return derived_removed, derived_added
