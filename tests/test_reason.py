"""OWL 2 RL reasoning: what reaches the inferred graph, and inconsistencies named down to their triples."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib import namespace as ns

from treatykg.core.errors import ReasoningInconsistency
from treatykg.graph.semantics.reason import filter_inferred, infer, is_informative

EX = "http://example.org/"
PREFIXES = """
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix tkg: <https://w3id.org/treatykg/ontology#> .
"""


def ex(name: str) -> URIRef:
    return URIRef(EX + name)


def turtle(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


@pytest.mark.parametrize(
    ("triple", "kept"),
    [
        ((ex("rex"), ns.RDF.type, ex("Animal")), True),
        ((ex("rex"), ns.OWL.sameAs, ex("rex2")), True),
        ((BNode("b"), ns.RDF.type, ex("Animal")), True),
        (
            (Literal("1", datatype=ns.XSD.integer), ns.RDF.type, ns.XSD.integer),
            False,
        ),  # dt-type2: a literal subject
        ((ex("rex"), ns.OWL.sameAs, ex("rex")), False),  # eq-ref
        ((ex("Dog"), ns.OWL.equivalentClass, ex("Dog")), False),  # scm-cls
        ((ex("Dog"), ns.RDFS.subClassOf, ex("Dog")), False),  # scm-cls
        ((ex("p"), ns.OWL.equivalentProperty, ex("p")), False),  # scm-op, scm-dp
        ((ex("p"), ns.RDFS.subPropertyOf, ex("p")), False),  # scm-op, scm-dp
        ((ex("Dog"), ns.RDFS.subClassOf, ns.OWL.Thing), False),  # scm-cls
        ((ex("rex"), ns.RDF.type, ns.OWL.Thing), False),  # cls-thing
        ((ns.OWL.Nothing, ns.RDFS.subClassOf, ex("Dog")), False),  # scm-cls
        ((ns.OWL.Thing, ns.OWL.sameAs, ns.OWL.Thing), False),
        ((ns.XSD.string, ns.RDF.type, ns.RDFS.Datatype), False),  # about the vocabulary itself
        ((ns.RDFS.label, ns.RDF.type, ns.OWL.AnnotationProperty), False),
    ],
)
def test_the_filter_keeps_only_informative_inferences(triple, kept):
    assert is_informative(triple) is kept


def test_filter_inferred_drops_asserted_triples():
    asserted = turtle("ex:rex a ex:Dog .")
    closure = [*asserted, (ex("rex"), ns.RDF.type, ex("Animal")), (ex("rex"), ns.RDF.type, ns.OWL.Thing)]
    assert list(filter_inferred(closure, asserted)) == [(ex("rex"), ns.RDF.type, ex("Animal"))]


def test_infer_gives_the_closure_minus_what_was_asserted():
    asserted = turtle("""
        ex:Dog rdfs:subClassOf ex:Animal .
        ex:rex a ex:Dog ; ex:owner ex:ann .
        ex:owner owl:inverseOf ex:owns ; rdfs:range ex:Person .
    """)
    assert set(infer(asserted)) == {
        (ex("rex"), ns.RDF.type, ex("Animal")),  # cax-sco
        (ex("ann"), ns.RDF.type, ex("Person")),  # prp-rng
        (ex("ann"), ex("owns"), ex("rex")),  # prp-inv1
    }
    assert len(asserted) == 5  # left as it was


def test_an_inconsistency_names_its_triples_and_where_each_was_stated():
    asserted = turtle("""
        tkg:State owl:disjointWith tkg:Person .
        tkg:Senator rdfs:subClassOf tkg:Person .
        ex:ruritania a tkg:State , tkg:Senator .
    """)
    with pytest.raises(ReasoningInconsistency) as raised:
        infer(asserted, origin=lambda triple: "ruritania.ttl")
    assert raised.value.exit_code == 1
    assert str(raised.value) == (
        "inconsistent under OWL 2 RL:\n"
        "  Disjoint classes https://w3id.org/treatykg/ontology#State and https://w3id.org/treatykg/ontology#Person"
        " have a common individual http://example.org/ruritania:"
        " <http://example.org/ruritania> rdf:type tkg:State"
        " (asserted in ruritania.ttl); <http://example.org/ruritania> rdf:type tkg:Person (inferred)"
    )


def test_an_inconsistency_owlrl_words_differently_is_still_reported():
    asserted = turtle('ex:rex ex:age "three"^^xsd:integer .')
    with pytest.raises(ReasoningInconsistency) as raised:
        infer(asserted)
    assert str(raised.value) == (
        "inconsistent under OWL 2 RL:\n"
        "  Lexical value of the literal 'three' does not match its datatype"
        " (http://www.w3.org/2001/XMLSchema#integer)"
    )
