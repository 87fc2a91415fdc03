"""Adding an article to a built store: the delta and the derived graphs' change (its accounts reconcile and
change treaty statuses) reasoned, the affected nodes validated, then one commit.

The result must equal a full rebuild of everything; a write that breaks the shapes must leave no trace.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pyoxigraph as ox
import pytest
from fastpath_support import ONTOLOGY, RECONCILED, SYNTHETIC, store_with
from rdflib.compare import isomorphic

from treatykg.core.errors import ReasoningInconsistency, ValidationFailed
from treatykg.core.iris import STATUS_GRAPH, SYNTHETIC_BASE
from treatykg.core.terms import graph_from_quads
from treatykg.graph.build.adding import add_with_derived
from treatykg.graph.derive.reconcile import reconcile_into
from treatykg.graph.derive.status import status_into
from treatykg.graph.semantics.fastpath import add_triples, build_fast
from treatykg.graph.semantics.fastshapes import shape_plan, validate_build
from treatykg.graph.semantics.rules import INFERRED, WORK
from treatykg.graph.synthetic.generate import Generator

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def parse(lines: list[str]) -> list[ox.Triple]:
    return [quad.triple for quad in ox.parse("".join(lines), format=ox.RdfFormat.N_TRIPLES)]


@pytest.fixture(scope="module")
def data() -> tuple[list[str], list[str], list[str]]:
    """3k generated triples, and the two ~200-triple articles that come after them."""
    generator = Generator(seed=4)
    base = list(generator.lines(3000))
    return base, generator.article(budget=200), generator.article(budget=200)


STATUS = ox.NamedNode(STATUS_GRAPH)
ASSERTED = [ONTOLOGY, SYNTHETIC, RECONCILED, STATUS]


def built(lines: list[str]) -> ox.Store:
    """A store built from `lines` as the fast build does: derived graphs, then reasoned and validated."""
    store = store_with("".join(lines), SYNTHETIC)
    reconcile_into(store)
    status_into(store)
    build_fast(store, SYNTHETIC_BASE)
    return store


@contextmanager
def copy_of(store: ox.Store) -> Iterator[ox.Store]:
    """An in-memory copy to try a change on (an on-disk store gets a writable checkpoint)."""
    copy = ox.Store()
    copy.extend(store)
    yield copy


def add(store: ox.Store, lines: list[str]):
    """`treatykg add` of an article: its triples with the derived graphs' change."""
    return add_with_derived(store, parse(lines), SYNTHETIC, SYNTHETIC_BASE, lambda: copy_of(store))


def quads(store: ox.Store) -> set:
    return set(store)


def same_graphs(one: ox.Store, other: ox.Store) -> bool:
    """Whether two stores hold isomorphic graphs under the same names (the ontology's blank nodes differ)."""
    names = set(one.named_graphs())
    return names == set(other.named_graphs()) and all(
        isomorphic(
            graph_from_quads(one.quads_for_pattern(None, None, None, name)),
            graph_from_quads(other.quads_for_pattern(None, None, None, name)),
        )
        for name in names
    )


@pytest.mark.slow
def test_adding_articles_equals_rebuilding_with_them(data) -> None:
    base, first, second = data
    incremental = built(base)
    for article in (first, second):
        add(incremental, article)
    rebuilt = built(base + first + second)
    assert same_graphs(incremental, rebuilt)  # asserted and inferred graphs alike
    plan = shape_plan(SYNTHETIC_BASE)
    after = validate_build(incremental, ASSERTED, INFERRED, plan)
    assert after.results == validate_build(rebuilt, ASSERTED, INFERRED, plan).results


@pytest.mark.slow
def test_articles_that_change_derived_quads_equal_rebuilding_with_them() -> None:
    """Articles whose acts end or replace quads of the derived graphs (seed 1: each one does) are tried on a
    copy of the store, its inferred graph maintained by delete and rederive: the result is the rebuild's."""
    generator = Generator(seed=1)
    base = list(generator.lines(3000))
    articles = [generator.article(budget=200) for _ in range(3)]
    incremental = built(base)
    for article in articles:
        derived = {q for q in incremental if q.graph_name in (RECONCILED, STATUS)}
        add(incremental, article)
        assert derived - set(incremental), "the article removes derived quads"
    assert same_graphs(incremental, built(base + [line for article in articles for line in article]))


def test_the_write_reports_the_warnings_of_the_nodes_it_touched(data) -> None:
    base, first, _ = data
    store = built(base)
    report = add(store, first)
    rebuilt = validate_build(built(base + first), ASSERTED, INFERRED, shape_plan(SYNTHETIC_BASE))
    touched = {result.focus for result in report.results}
    assert report.conforms
    assert set(report.results) == {result for result in rebuilt.results if result.focus in touched}


def test_a_violating_write_leaves_the_store_as_it_was(data) -> None:
    base, first, _ = data
    store = built(base)
    before = quads(store)
    no_status = [line for line in first if "#epistemicStatus>" not in line]  # accounts without a voice
    no_source = [line for line in first if "#inSource>" not in line]  # spans that anchor in nothing
    for article in (no_status, no_source):
        with pytest.raises(ValidationFailed):
            add(store, article)
        assert quads(store) == before
    assert not [g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith(WORK)]


def test_an_inconsistent_write_is_refused(data) -> None:
    base, first, _ = data
    store = built(base)
    before = quads(store)
    speech_act = next(line.split(" ")[0] for line in first if line.endswith("#Argument> .\n"))
    situation = f"{speech_act} <{RDF_TYPE}> <https://w3id.org/treatykg/ontology#Situation> .\n"  # disjoint
    with pytest.raises(ReasoningInconsistency, match="cax-adc"):
        add(store, [*first, situation])
    assert quads(store) == before


def test_a_schema_change_is_not_reasoned_locally(data) -> None:
    base, _, _ = data
    store = built(base)
    axiom = (
        "<https://w3id.org/treatykg/ontology#Withdrawal> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
        "<https://example.org/Exit> .\n"
    )
    with pytest.raises(ValueError, match="schema"):
        add_triples(store, parse([axiom]), SYNTHETIC, SYNTHETIC_BASE)
