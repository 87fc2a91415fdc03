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

ACCOUNT_OF, DECISION_ON, TIME_SPAN = tkg("accountOf"), tkg("decisionOn"), tkg("timeSpan")
TREATY = tkg("treaty")
# What names a state in an act the status derivation reads (a state's label or type is read through these).
STATE_LINKS = (tkg("agent"), tkg("predecessor"), tkg("actingMember"))


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

    def treaties(self, node) -> set:
        """The treaties of the act `node` is, or is an account, a time span or a decision of."""
        if not isinstance(node, ox.NamedNode | ox.BlankNode):
            return set()
        acts = {node} | self.objects(node, ACCOUNT_OF)
        for holder in self.subjects(TIME_SPAN, node):  # a span: of an act or an account
            acts |= {holder} | self.objects(holder, ACCOUNT_OF)
        for account in self.objects(node, DECISION_ON):
            acts |= self.objects(account, ACCOUNT_OF)
        return {treaty for act in acts for treaty in self.objects(act, TREATY)}


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


def affected_treaties(
    store: ox.Store, removed: Iterable[ox.Quad], added: Iterable[ox.Quad], reconciled: Iterable[ox.Quad]
) -> set[ox.NamedNode]:
    """The treaties whose status intervals a write (its removed and added quads, and the reconciled view's
    change) can alter: those of the acts it touches, through their accounts, spans and decisions; for a
    state or a treaty whose label or type the union gains or loses, every treaty an act of it names."""
    removed, added, reconciled = list(removed), list(added), list(reconciled)
    changed = [quad.triple for quad in [*removed, *added, *reconciled]]
    links = _Links(store, changed)
    treaties: set = {triple.object for triple in changed if triple.predicate == TREATY}
    nodes: set = {triple.subject for triple in changed}
    nodes |= {t.object for t in changed if t.predicate in (ACCOUNT_OF, DECISION_ON, TIME_SPAN)}
    for node in nodes:
        treaties |= links.treaties(node)
    for triple in _union_changed(store, removed, added):
        if triple.predicate in (RDF_TYPE, RDFS_LABEL):
            node = triple.subject
            treaties |= {node} if links.subjects(TREATY, node) else set()
            for link in STATE_LINKS:
                for act in links.subjects(link, node):
                    treaties |= links.objects(act, TREATY)
    return {treaty for treaty in treaties if isinstance(treaty, ox.NamedNode)}


def derived_change(
    store: ox.Store, removed: Iterable[ox.Quad], added: Iterable[ox.Quad]
) -> tuple[set[ox.Quad], set[ox.Quad]]:
    """The derived graphs' quads to remove and to add after the write that removed `removed` and added
    `added` (already applied to `store`)."""
    removed, added = list(removed), list(added)
    derived_removed: set[ox.Quad] = set()
    derived_added: set[ox.Quad] = set()
    if touches_accounts(store, [quad.triple for quad in [*removed, *added]]):
        reconciled_removed, reconciled_added = reconciled_change(store)
        treaties = affected_treaties(store, removed, added, reconciled_removed | reconciled_added)
        status_removed, status_added = status_change(
            store, reconciled=(reconciled_removed, reconciled_added), treaties=treaties
        )
        derived_removed |= reconciled_removed | status_removed
        derived_added |= reconciled_added | status_added
    return derived_removed, derived_added
