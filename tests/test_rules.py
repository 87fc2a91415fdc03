"""The store-side OWL 2 RL rules: the same inferred triples as owlrl, the project's filter on both sides."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from fastpath_support import (
    SYNTHETIC,
    article_store,
    asserted,
    fast_inferred,
    owlrl_inferred,
    store_with,
    synthetic_store,
)

from treatykg.graph.semantics.reason import closure, error_messages
from treatykg.graph.semantics.rules import (
    INFERRED,
    WORK,
    UnsupportedAxioms,
    inconsistencies,
    reason,
    rules,
    unsupported_axioms,
)

TKG = "https://w3id.org/treatykg/ontology#"
RULE_NAME = re.compile(r"\b(?:prp|cax|cls|scm|eq)-[a-z0-9]+")


def compare(store: ox.Store) -> tuple[set, set]:
    """The owlrl reference for the store's asserted triples, and the fast path's inferences, both filtered."""
    reference = owlrl_inferred(asserted(store))
    return reference, fast_inferred(store)


@pytest.mark.slow
def test_same_inferences_as_owlrl_on_the_article() -> None:
    reference, fast = compare(article_store())
    assert len(reference) > 1000
    assert fast == reference


@pytest.mark.slow
def test_same_inferences_as_owlrl_on_the_10k_generated_set() -> None:
    # The one expensive test here: owlrl takes about ten seconds on 10k triples.
    reference, fast = compare(synthetic_store(10_000))
    assert len(reference) > 5000
    assert fast - reference == set()
    assert reference - fast == set()


SMALL = f"""
@prefix tkg: <{TKG}> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix ex: <https://example.org/> .
"""


@pytest.mark.parametrize(
    "data",
    [
        # prp-fp makes two treaties the same individual; eq-sym, eq-trans and eq-rep-s/p/o follow it.
        "ex:act tkg:treaty ex:t1 , ex:t2 . ex:t1 ex:signedBy ex:s . ex:t2 tkg:versionOf ex:base .",
        # prp-trp and prp-inv over a chain of order relations, from both ends.
        "ex:a tkg:happenedAfter ex:b . ex:b tkg:happenedAfter ex:c . ex:d tkg:happenedBefore ex:a .",
        # A new axiom needs no new code: a symmetric property and a subclass stated in the data.
        "ex:near a owl:SymmetricProperty . ex:x ex:near ex:y ."
        " tkg:Withdrawal rdfs:subClassOf ex:Exit . ex:w a tkg:Withdrawal .",
        # owl:equivalentProperty and owl:equivalentClass in the data (scm-eqp1, scm-eqc1, cax-sco, prp-spo1).
        "ex:actor owl:equivalentProperty tkg:agent . ex:e ex:actor ex:s ."
        " ex:Act owl:equivalentClass tkg:Event .",
        # prp-ifp.
        "ex:code a owl:InverseFunctionalProperty . ex:p ex:code ex:c . ex:q ex:code ex:c .",
    ],
)
def test_same_inferences_as_owlrl_on_small_cases(data: str) -> None:
    reference, fast = compare(store_with(SMALL + data, SYNTHETIC, ox.RdfFormat.TURTLE))
    assert fast == reference


def test_a_new_axiom_changes_the_inferences_without_code() -> None:
    store = store_with(
        SMALL + "tkg:Withdrawal rdfs:subClassOf ex:Exit . ex:w a tkg:Withdrawal .",
        SYNTHETIC,
        ox.RdfFormat.TURTLE,
    )
    reason(store)
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert (
        ox.Quad(
            ox.NamedNode("https://example.org/w"),
            rdf_type,
            ox.NamedNode("https://example.org/Exit"),
            INFERRED,
        )
        in store
    )


def test_axioms_no_rule_implements_are_refused() -> None:
    store = store_with(
        SMALL + "ex:C owl:someValuesFrom ex:D . ex:P owl:propertyChainAxiom ( ex:a ex:b ) .",
        SYNTHETIC,
        ox.RdfFormat.TURTLE,
    )
    assert unsupported_axioms(store) == [
        "http://www.w3.org/2002/07/owl#propertyChainAxiom",
        "http://www.w3.org/2002/07/owl#someValuesFrom",
    ]
    with pytest.raises(UnsupportedAxioms, match="someValuesFrom"):
        reason(store)


def test_inconsistencies_found_as_owlrl_finds_them() -> None:
    data = SMALL + "ex:x a tkg:State , tkg:Person ."  # disjoint classes (owl:AllDisjointClasses)
    store = store_with(data, SYNTHETIC, ox.RdfFormat.TURTLE)
    reason(store)
    assert [line.split(":")[0] for line in inconsistencies(store)] == ["cax-adc"]
    assert error_messages(closure(asserted(store)))  # owlrl agrees that it is inconsistent
    assert inconsistencies(store, [ox.NamedNode("https://example.org/other")]) == []


def test_two_values_of_a_functional_data_property_are_an_inconsistency() -> None:
    store = store_with(SMALL + "ex:span tkg:start 1 , 2 .", SYNTHETIC, ox.RdfFormat.TURTLE)
    reason(store)
    assert [line.split(":")[0] for line in inconsistencies(store)] == ["prp-fp (data values)"]


def test_consistent_data_has_no_inconsistencies() -> None:
    store = article_store()
    reason(store)
    assert inconsistencies(store) == []


def test_reasoning_leaves_no_working_graph_and_replaces_the_inferred_graph() -> None:
    store = article_store()
    stale = ox.Quad(
        ox.NamedNode("https://example.org/stale"),
        ox.NamedNode("https://example.org/p"),
        ox.NamedNode("https://example.org/o"),
        INFERRED,
    )
    store.add(stale)
    reason(store)
    assert stale not in store
    assert not [g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith(WORK)]


def test_every_rule_file_names_the_owl_rl_rules_it_implements() -> None:
    for rule in rules().values():
        if rule.stage in ("schema", "seed", "instance", "check"):
            assert RULE_NAME.search(rule.rule), rule.name
            assert RULE_NAME.search(rule.text.split("PREFIX", 1)[0]), rule.name


def test_real_default_graph_data_is_reasoned_over() -> None:
    store = store_with(SMALL, SYNTHETIC, ox.RdfFormat.TURTLE)
    store.load(input=SMALL + "ex:w a tkg:Withdrawal .", format=ox.RdfFormat.TURTLE)  # the real default graph
    reason(store)
    inferred = {
        str(q.object)
        for q in store.quads_for_pattern(ox.NamedNode("https://example.org/w"), None, None, INFERRED)
    }
    assert f"<{TKG}Event>" in inferred


def test_the_sparql_files_name_the_working_graphs_of_the_code() -> None:
    from treatykg.graph.semantics.shapes_sparql import TEMPLATES
    from treatykg.graph.semantics.shapes_sparql import WORK as SHAPES_WORK

    assert SHAPES_WORK == WORK
    texts = [rule.text for rule in rules().values()] + [p.read_text() for p in TEMPLATES.glob("*.rq")]
    named = {iri for text in texts for iri in re.findall(r"<(https://w3id\.org/treatykg/graph/[^>]*)>", text)}
    named |= {WORK for text in texts if f"PREFIX work: <{WORK}>" in text}
    assert {iri for iri in named if not iri.startswith(WORK)} == set()
