"""A write derives the reconciled view again for the acts it touches only (refresh.touched_acts), and the
status for the (state, treaty) pairs it can change (refresh.affected_pairs): each change is exactly the one
deriving everything would give, for additions, removals and claimed order."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from fastpath_support import SYNTHETIC, store_with
from test_incremental import parse

from treatykg.core.iris import ID
from treatykg.graph.derive.reconcile import RECONCILED, reconcile_into, reconciled_change, tkg
from treatykg.graph.derive.refresh import affected_pairs, derived_change, touched_acts
from treatykg.graph.derive.status import status_change, status_into
from treatykg.graph.synthetic.generate import Generator


def generated(seed: int) -> tuple[ox.Store, list[list[ox.Triple]]]:
    """3k generated triples with their reconciled view, and the three articles that come next."""
    generator = Generator(seed=seed)
    store = store_with("".join(generator.lines(3000)), SYNTHETIC)
    reconcile_into(store)
    return store, [parse(generator.article(budget=200)) for _ in range(3)]


@pytest.mark.parametrize("seed", [1, 4])
def test_an_added_article_changes_what_deriving_every_act_changes(seed) -> None:
    store, articles = generated(seed)
    for article in articles:
        acts = touched_acts(store, article)
        assert acts
        full = reconciled_change(store, extra=article)
        assert reconciled_change(store, extra=article, acts=acts) == full
        # Applied, so the next article meets a store the articles before it changed.
        store.extend(ox.Quad(t.subject, t.predicate, t.object, SYNTHETIC) for t in article)
        removed, added = full
        for quad in removed:
            store.remove(quad)
        store.extend(added)


@pytest.mark.parametrize("seed", [1, 4])
def test_an_added_article_changes_the_status_of_the_pairs_it_reaches_only(seed) -> None:
    store, articles = generated(seed)
    status_into(store)
    for article in articles:
        joining = [ox.Quad(t.subject, t.predicate, t.object, SYNTHETIC) for t in article]
        reconciled = reconciled_change(store, extra=article)
        pairs = affected_pairs(store, [], joining, reconciled[0] | reconciled[1])
        full = status_change(store, extra=article, reconciled=reconciled)
        assert status_change(store, extra=article, reconciled=reconciled, pairs=pairs) == full
        for quad in reconciled[0] | full[0]:
            store.remove(quad)
        store.extend([*joining, *reconciled[1], *full[1]])


@pytest.mark.parametrize("seed", [1, 4])
def test_a_removed_article_changes_what_deriving_every_act_changes(seed) -> None:
    store, articles = generated(seed)
    for article in articles:
        store.extend(ox.Quad(t.subject, t.predicate, t.object, SYNTHETIC) for t in article)
    reconcile_into(store)
    status_into(store)
    article = articles[1]
    removed = [ox.Quad(t.subject, t.predicate, t.object, SYNTHETIC) for t in article]
    for quad in removed:  # the write is applied before the derived graphs' change is computed
        store.remove(quad)
    full = reconciled_change(store)
    assert full[0]
    assert reconciled_change(store, acts=touched_acts(store, article)) == full
    status_full = status_change(store, reconciled=full)
    assert derived_change(store, removed, []) == (full[0] | status_full[0], full[1] | status_full[1])


EVENT = ID + "event/"
NOTE = ox.NamedNode("https://example.org/notes")


def ordered(act: str, after: str, source: str) -> list[ox.Triple]:
    """An account, by `source`, of the act `act` that claims it came after `after`."""
    account = ox.NamedNode(f"{EVENT}{act}/account/{source}")
    return [
        ox.Triple(account, tkg("accountOf"), ox.NamedNode(EVENT + act)),
        ox.Triple(account, tkg("epistemicStatus"), tkg("ReportedBySource")),
        ox.Triple(account, tkg("claimsAfter"), ox.NamedNode(EVENT + after)),
    ]


def test_an_order_claim_closing_a_cycle_changes_the_acts_it_does_not_touch() -> None:
    """a after b, b after c; then c after a, by another account of c: the cycle's three acts lose their
    order and share one conflict, though the write names only c and a."""
    store = ox.Store()
    for triple in [*ordered("a", "b", "one"), *ordered("b", "c", "one"), *ordered("c", "d", "one")]:
        store.add(ox.Quad(triple.subject, triple.predicate, triple.object, NOTE))
    reconcile_into(store)
    after = tkg("happenedAfter")
    assert len(list(store.quads_for_pattern(None, after, None, RECONCILED))) == 3
    closing = ordered("c", "a", "two")
    acts = touched_acts(store, closing)
    assert acts == {ox.NamedNode(EVENT + name) for name in "abcd"}
    change = reconciled_change(store, extra=closing, acts=acts)
    assert change == reconciled_change(store, extra=closing)
    removed, added = change
    assert {(q.subject.value[len(EVENT) :], q.object.value[len(EVENT) :]) for q in removed} == {
        ("a", "b"),
        ("b", "c"),
    }
    cycle = {q.subject for q in added if q.predicate == tkg("conflictAbout")}
    assert len(cycle) == 1
    assert {q.object for q in added if q.predicate == tkg("conflictAbout")} == {
        ox.NamedNode(EVENT + name) for name in "abc"
    }
