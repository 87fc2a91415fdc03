"""The derived graphs after a write: the one place each derived graph's change is computed.

A write that touches accounts (an account, its time span, a curator's decision on it, or an act with
accounts) changes the reconciled view (reconcile.py) and, through it, the treaty status intervals
(status.py); a derived graph that joins adds its test and its change here. The store is one the write is
already applied to (a checkpoint); it is only read.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from treatykg.graph.derive.reconcile import reconciled_change, tkg
from treatykg.graph.derive.status import status_change

ACCOUNT_OF, DECISION_ON, TIME_SPAN = tkg("accountOf"), tkg("decisionOn"), tkg("timeSpan")


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


def derived_change(store: ox.Store, changed: Iterable[ox.Triple]) -> tuple[set[ox.Quad], set[ox.Quad]]:
    """The derived graphs' quads to remove and to add after the write that changed `changed`."""
    removed: set[ox.Quad] = set()
    added: set[ox.Quad] = set()
    if touches_accounts(store, changed):
        reconciled_removed, reconciled_added = reconciled_change(store)
        status_removed, status_added = status_change(store, reconciled=(reconciled_removed, reconciled_added))
        removed |= reconciled_removed | status_removed
        added |= reconciled_added | status_added
    return removed, added
