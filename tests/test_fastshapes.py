"""SHACL on the store: pySHACL's results, as sets of (focus, path, value, component, severity, shape)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from fastpath_support import (
    ARTICLE,
    ENTITIES,
    ONTOLOGY,
    RECONCILED,
    SYNTHETIC,
    article_store,
    graph_of,
    lines,
    store_with,
    synthetic_with,
)
from rdflib import Literal, URIRef
from rdflib.namespace import SH
from synthetic_faults import EXPECTED_COMPONENTS, inject
from test_shapes import CONFORMING, VIOLATING, valid_plus

from treatykg.core.iris import BASE, SYNTHETIC_BASE
from treatykg.graph.build.reference import validate_graphs
from treatykg.graph.semantics.fastshapes import shape_plan, validate_build, validate_focus, validate_store
from treatykg.graph.semantics.rules import INFERRED, WORK, reason
from treatykg.graph.semantics.shapes import load_shapes, validate
from treatykg.graph.semantics.shapes_sparql import UnsupportedShape, compile_shapes

TKGSH = "https://w3id.org/treatykg/shapes#"


def key(result) -> tuple:
    return (result.focus, result.path, result.value, result.component, result.severity, result.source_shape)


def keys(report) -> set:
    return {key(result) for result in report.results}


@pytest.fixture(scope="module")
def clean() -> ox.Store:
    """The 10k generated set with its reconciled view, reasoned."""
    store = synthetic_with("".join(lines(10_000)))
    reason(store)
    return store


@pytest.fixture(scope="module")
def faulty() -> ox.Store:
    """The 10k set with one of each injected fault and the reconciled view of its accounts, reasoned."""
    store = synthetic_with("".join(inject(list(lines(10_000)))))
    reason(store)
    return store


@pytest.fixture(scope="module")
def article() -> ox.Store:
    store = article_store()
    reason(store)
    return store


# The article's acts take their status and span from the reconciled view of their accounts, and the states
# and treaties they name from the entity sheet.
CASES = [
    ("clean", (SYNTHETIC, RECONCILED), SYNTHETIC_BASE),
    ("faulty", (SYNTHETIC, RECONCILED), SYNTHETIC_BASE),
    ("article", (ARTICLE, ENTITIES, RECONCILED), BASE),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "data", "base"), CASES)
@pytest.mark.parametrize("entailed", [False, True], ids=["asserted", "asserted+inferred"])
def test_same_results_as_pyshacl(
    request, name: str, data: tuple[ox.NamedNode, ...], base: str, entailed: bool
) -> None:
    store = request.getfixturevalue(name)
    graphs = [ONTOLOGY, *data, *([INFERRED] if entailed else [])]
    reference = validate(graph_of(store, *graphs), base)
    fast = validate_store(store, graphs, shape_plan(base))
    assert keys(fast) == keys(reference)
    assert fast.conforms == reference.conforms
    assert {key(r): r.message for r in fast.results} == {key(r): r.message for r in reference.results}


SHAPE_CASES = {"valid": "", **{name: turtle for name, (_, turtle, _) in VIOLATING.items()}, **CONFORMING}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(SHAPE_CASES))
def test_same_results_as_pyshacl_on_each_shape_case(case: str) -> None:
    """Every shape, each of its constraints failing in some case of tests/test_shapes.py, compiled."""
    graph = ox.NamedNode(BASE + "graph/shape-case")
    data = valid_plus(SHAPE_CASES[case]).serialize(format="nt")
    store = store_with(data, graph)
    reference = validate(graph_of(store, ONTOLOGY, graph), BASE)
    fast = validate_store(store, [ONTOLOGY, graph], shape_plan(BASE))
    assert keys(fast) == keys(reference)
    assert {key(r): r.message for r in fast.results} == {key(r): r.message for r in reference.results}


@pytest.mark.slow
@pytest.mark.parametrize(("name", "data", "base"), CASES)
def test_same_results_as_the_builds_two_validations(
    request, name: str, data: tuple[ox.NamedNode, ...], base: str
) -> None:
    store = request.getfixturevalue(name)
    reference = validate_graphs(
        graph_of(store, ONTOLOGY), graph_of(store, ONTOLOGY, *data), graph_of(store, INFERRED), base
    )
    assert keys(validate_build(store, [ONTOLOGY, *data], INFERRED, shape_plan(base))) == keys(reference)


def test_the_injected_faults_make_the_comparison_non_vacuous(faulty: ox.Store) -> None:
    report = validate_build(faulty, [ONTOLOGY, SYNTHETIC, RECONCILED], INFERRED, shape_plan(SYNTHETIC_BASE))
    components = {
        str(result.component).removeprefix(str(SH)).removesuffix("ConstraintComponent")
        for result in report.violations
    }
    assert components >= EXPECTED_COMPONENTS
    assert not report.conforms


def test_the_clean_set_conforms_with_warnings(clean: ox.Store) -> None:
    report = validate_build(clean, [ONTOLOGY, SYNTHETIC, RECONCILED], INFERRED, shape_plan(SYNTHETIC_BASE))
    assert report.conforms
    assert report.warnings
    assert not report.violations


def test_validating_some_focus_nodes_gives_their_share_of_the_results(faulty: ox.Store) -> None:
    plan = shape_plan(SYNTHETIC_BASE)
    everything = validate_store(faulty, None, plan)
    focus_nodes = {result.focus for result in everything.results}
    terms = [
        ox.BlankNode(str(node)) if not isinstance(node, URIRef) else ox.NamedNode(str(node))
        for node in focus_nodes
    ]
    assert keys(validate_focus(faulty, terms, None, plan)) == keys(everything)
    some = [term for term in terms if isinstance(term, ox.NamedNode)][:5]
    wanted = {URIRef(term.value) for term in some}
    assert keys(validate_focus(faulty, some, None, plan)) == {k for k in keys(everything) if k[0] in wanted}


def test_validation_leaves_no_working_graph(clean: ox.Store) -> None:
    validate_store(clean, [ONTOLOGY, SYNTHETIC], shape_plan(SYNTHETIC_BASE))
    assert not [g for g in clean.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith(WORK)]


def test_checks_are_compiled_from_the_shapes_graph() -> None:
    """A new constraint in the shapes graph becomes a new check; an untranslated feature is refused."""
    shapes = load_shapes(BASE)
    before = len(compile_shapes(shapes).checks)
    shapes.add((URIRef(TKGSH + "TextSpan-exact"), SH.maxLength, Literal(5)))
    plan = compile_shapes(shapes)
    assert len(plan.checks) == before + 1
    store = article_store()
    report = validate_store(store, [ONTOLOGY, ARTICLE, ENTITIES, RECONCILED], plan)
    assert {str(result.component) for result in report.violations} == {str(SH.MaxLengthConstraintComponent)}
    shapes.add((URIRef(TKGSH + "TextSpanShape"), SH.closed, Literal(True)))
    with pytest.raises(UnsupportedShape, match="closed"):
        compile_shapes(shapes)


@pytest.mark.slow
def test_known_divergence_incomparable_bounds() -> None:
    """An ill-typed date-time can't be compared: SHACL (and the store) report it under sh:lessThanOrEquals;
    pySHACL falls back to rdflib's ordering and doesn't. Both report its sh:datatype violation."""
    span = next(line.split(" ")[0] for line in lines(2000) if "#latest>" in line)
    bad = (
        f'{span} <https://w3id.org/treatykg/ontology#latest> "2020-13-45T00:00:00Z"^^'
        f"<http://www.w3.org/2001/XMLSchema#dateTime> .\n"
    )
    data = "".join(line for line in lines(2000) if not (line.startswith(span) and "#latest>" in line)) + bad
    store = store_with(data, SYNTHETIC)
    fast = keys(validate_store(store, [ONTOLOGY, SYNTHETIC], shape_plan(SYNTHETIC_BASE)))
    reference = keys(validate(graph_of(store, ONTOLOGY, SYNTHETIC), SYNTHETIC_BASE))
    assert {k[3] for k in fast - reference} == {SH.LessThanOrEqualsConstraintComponent}
    assert reference <= fast
