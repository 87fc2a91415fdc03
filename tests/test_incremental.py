"""Adding an article to a built store: the delta reasoned, the affected nodes validated, then one commit.

The result must equal a full rebuild of everything; a write that breaks the shapes must leave no trace.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from fastpath_support import ONTOLOGY, SYNTHETIC, store_with
from rdflib.compare import isomorphic

from treatykg.core.errors import ReasoningInconsistency, ValidationFailed
from treatykg.core.iris import SYNTHETIC_BASE
from treatykg.core.terms import graph_from_quads
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


def built(lines: list[str]) -> ox.Store:
    store = store_with("".join(lines), SYNTHETIC)
    build_fast(store, SYNTHETIC_BASE)
    return store


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
        add_triples(incremental, parse(article), SYNTHETIC, SYNTHETIC_BASE)
    rebuilt = built(base + first + second)
    assert same_graphs(incremental, rebuilt)  # asserted and inferred graphs alike
    plan = shape_plan(SYNTHETIC_BASE)
    after = validate_build(incremental, [ONTOLOGY, SYNTHETIC], INFERRED, plan)
    assert after.results == validate_build(rebuilt, [ONTOLOGY, SYNTHETIC], INFERRED, plan).results


def test_the_write_reports_the_warnings_of_the_nodes_it_touched(data) -> None:
    base, first, _ = data
    store = built(base)
    report = add_triples(store, parse(first), SYNTHETIC, SYNTHETIC_BASE)
    rebuilt = validate_build(built(base + first), [ONTOLOGY, SYNTHETIC], INFERRED, shape_plan(SYNTHETIC_BASE))
    touched = {result.focus for result in report.results}
    assert report.conforms
    assert set(report.results) == {result for result in rebuilt.results if result.focus in touched}


def test_a_violating_write_leaves_the_store_as_it_was(data) -> None:
    base, first, _ = data
    store = built(base)
    before = quads(store)
    no_status = [line for line in first if "#epistemicStatus>" not in line]
    no_source = [line for line in first if "#inSource>" not in line]  # spans that anchor in nothing
    for article in (no_status, no_source):
        with pytest.raises(ValidationFailed):
            add_triples(store, parse(article), SYNTHETIC, SYNTHETIC_BASE)
        assert quads(store) == before
    assert not [g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith(WORK)]


def test_an_inconsistent_write_is_refused(data) -> None:
    base, first, _ = data
    store = built(base)
    before = quads(store)
    speech_act = next(line.split(" ")[0] for line in first if line.endswith("#Argument> .\n"))
    situation = f"{speech_act} <{RDF_TYPE}> <https://w3id.org/treatykg/ontology#Situation> .\n"  # disjoint
    with pytest.raises(ReasoningInconsistency, match="cax-adc"):
        add_triples(store, parse([*first, situation]), SYNTHETIC, SYNTHETIC_BASE)
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
