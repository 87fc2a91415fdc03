"""OWL 2 RL reasoning with owlrl: the inferred graph, and inconsistencies as typed errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

import owlrl
from owlrl.Namespaces import ERRNS
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from treatykg.core.errors import ReasoningInconsistency
from treatykg.core.iris import PREFIXES

Triple = tuple[Node, Node, Node]

# Terms of these vocabularies are the language, not the domain: what a closure says about them is axiomatic.
LANGUAGE_NAMESPACES = tuple(str(namespace) for namespace in (RDF, RDFS, OWL, XSD))

# Statements OWL 2 RL entails of every term, whatever the data: reflexive equalities and subsumptions
# (eq-ref, scm-cls, scm-op, scm-dp) and the top class (cls-thing, scm-cls). They say nothing.
REFLEXIVE_PREDICATES = frozenset(
    {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf, RDFS.subPropertyOf}
)


def is_informative(triple: Triple) -> bool:
    """Whether an inferred triple belongs in the inferred graph: the one filter every reasoner path uses.

    Dropped, because they hold of every term or describe RDF itself rather than the domain:
    - triples about literals: owlrl's dt-type2 types each literal (`"1"^^xsd:integer rdf:type
      xsd:integer`), a literal subject RDF 1.1 can't even store; the datatypes' own facts fall under the
      vocabulary rule below;
    - reflexive owl:sameAs, owl:equivalentClass, owl:equivalentProperty, rdfs:subClassOf and
      rdfs:subPropertyOf (eq-ref, scm-cls, scm-op, scm-dp);
    - `?c rdfs:subClassOf owl:Thing`, `?x rdf:type owl:Thing` (scm-cls, cls-thing): true of everything;
    - triples whose subject is owl:Thing, owl:Nothing or a term of the RDF, RDFS, OWL or XSD vocabularies
      (axiomatic: `owl:Nothing rdfs:subClassOf ?c`, `xsd:string rdf:type rdfs:Datatype`, ...).
    """
    subject, predicate, obj = triple
    if isinstance(subject, Literal):
        return False
    if predicate in REFLEXIVE_PREDICATES and subject == obj:
        return False
    if obj == OWL.Thing and predicate in (RDF.type, RDFS.subClassOf):
        return False
    return not (isinstance(subject, URIRef) and str(subject).startswith(LANGUAGE_NAMESPACES))


def filter_inferred(closure: Iterable[Triple], asserted: Graph) -> Iterator[Triple]:
    """The triples of `closure` that are neither asserted nor uninformative."""
    for triple in closure:
        if triple not in asserted and is_informative(triple):
            yield triple


def closure(asserted: Graph) -> Graph:
    """The OWL 2 RL closure of `asserted` (a copy; `asserted` is left as it was)."""
    expanded = Graph()
    for triple in asserted:
        expanded.add(triple)
    # No axiomatic or datatype axioms: they only add statements about the RDF/OWL vocabularies themselves.
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(
        expanded
    )
    return expanded


def infer(asserted: Graph, origin: Callable[[Triple], str | None] | None = None) -> Graph:
    """The inferred graph of `asserted`; ReasoningInconsistency naming the triples if it is inconsistent."""
    expanded = closure(asserted)
    problems = inconsistencies(expanded, asserted, origin or (lambda _triple: None))
    if problems:
        raise ReasoningInconsistency(
            "inconsistent under OWL 2 RL:\n" + "\n".join(f"  {problem}" for problem in problems)
        )
    inferred = Graph()
    for triple in filter_inferred(expanded, asserted):
        inferred.add(triple)
    return inferred


def error_messages(expanded: Graph) -> list[str]:
    """The inconsistency messages owlrl left in a closure, sorted."""
    # owlrl reports inconsistencies (rules eq-diff*, prp-irp, prp-asyp, prp-pdw, prp-adp, prp-npa*,
    # cls-nothing*, cls-com, cls-maxc1, cls-maxqc*, cax-dw, cax-adc, dt-not-type) as a blank node typed
    # err:ErrorMessage with the text in err:error, in the agent-ont namespace.
    return sorted(
        str(message)
        for node in expanded.subjects(RDF.type, ERRNS.ErrorMessage)
        if isinstance(node, BNode)
        for message in expanded.objects(node, ERRNS.error)
    )


# owlrl's message texts (owlrl/OWLRL.py) and the triples each one rests on.
_EXPLAINED = (
    (
        re.compile(r"Disjoint classes (\S+) and (\S+) have a common individual (\S+)\Z"),
        lambda c1, c2, x: [(x, RDF.type, c1), (x, RDF.type, c2)],
    ),
    (re.compile(r"(\S+) is defined of type 'Nothing'\Z"), lambda x: [(x, RDF.type, OWL.Nothing)]),
    (
        re.compile(
            r"'sameAs' and 'differentFrom' cannot be used on the same subject-object pair: \((\S+), (\S+)\)\Z"
        ),
        lambda x, y: [(x, OWL.sameAs, y), (x, OWL.differentFrom, y)],
    ),
    (
        re.compile(
            r"'sameAs' and 'AllDifferent' cannot be used on the same subject-object pair: \((\S+), (\S+)\)\Z"
        ),
        lambda x, y: [(x, OWL.sameAs, y)],
    ),
    (
        re.compile(r"Violation of complementarity for classes (\S+) and (\S+) on element (\S+)\Z"),
        lambda c1, c2, x: [(x, RDF.type, c1), (x, RDF.type, c2)],
    ),
)


def inconsistencies(expanded: Graph, asserted: Graph, origin: Callable[[Triple], str | None]) -> list[str]:
    """One line per owlrl inconsistency, naming the triples behind it and where each was stated."""
    lines = []
    for message in error_messages(expanded):
        triples = _triples_behind(message, expanded)
        if not triples:
            lines.append(message)
            continue
        named = "; ".join(f"{_show(t)} ({_where(t, asserted, origin)})" for t in triples)
        lines.append(f"{message}: {named}")
    return lines


def _triples_behind(message: str, expanded: Graph) -> list[Triple]:
    """The closure's triples that an owlrl message names, or [] for a message we can't take apart."""
    for pattern, triples_of in _EXPLAINED:
        match = pattern.match(message)
        if match:
            terms = [_term(expanded, text) for text in match.groups()]
            if None in terms:
                return []
            return [t for t in triples_of(*terms) if t in expanded]
    return []


def _term(graph: Graph, text: str) -> Node | None:
    """The IRI or blank node of the graph whose str() is `text` (owlrl's messages print terms with str())."""
    if text.startswith(("http://", "https://", "urn:", "file:")):
        return URIRef(text)
    node = BNode(text)
    return node if (node, None, None) in graph or (None, None, node) in graph else None


def _show(triple: Triple) -> str:
    """A triple in Turtle syntax, with the usual prefixes."""
    names = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        names.bind(prefix, namespace)
    return " ".join(term.n3(names) for term in triple)


def _where(triple: Triple, asserted: Graph, origin: Callable[[Triple], str | None]) -> str:
    """Where a triple comes from: the file or graph that asserts it, or 'inferred'."""
    if triple in asserted:
        return f"asserted in {origin(triple) or 'the data'}"
    return "inferred"
