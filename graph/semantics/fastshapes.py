"""SHACL validation on the store: the plan compiled by graph/semantics/shapes_sparql.py, run by Oxigraph.

The results are the same ValidationResult tuples as the pySHACL path (treatykg.graph.semantics.shapes),
and "conforms" means the same thing there and here: no sh:Violation.

    plan = shape_plan(base)                                     # the project's shapes, compiled once per base
    report = validate_store(store, graphs, plan)                # every focus node of the union of `graphs`
    report = validate_focus(store, nodes, graphs, plan)         # only these focus nodes (read-only)
    report = validate_build(store, asserted, inferred, plan)    # what build.validate_graphs reports

Known divergence from pySHACL, on data that already violates sh:datatype: values SPARQL can't compare (an
xsd:date against an xsd:dateTime, a date against a number) fail sh:lessThan and sh:min/maxInclusive here, as
SHACL says; pySHACL falls back to rdflib's ordering, which sorts different datatypes by their IRIs.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from itertools import islice
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import SH

from treatykg.core.iris import BASE
from treatykg.core.terms import solutions, to_rdflib
from treatykg.graph.semantics.shapes import Report, ValidationResult, load_shapes
from treatykg.graph.semantics.shapes_sparql import (
    MEMBER,
    WORK,
    Check,
    Plan,
    Target,
    compile_shapes,
    direct_types,
    fill,
    instances_graph,
    screen_pass,
)

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
MEMBER_PREDICATE, MEMBER_SET = (ox.NamedNode(term.strip("<>")) for term in MEMBER.split())
OWL_THING = "<http://www.w3.org/2002/07/owl#Thing>"
INFERRED_PREDICATES = "SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }"
_BATCH = 2000  # focus nodes per VALUES block when re-checking flagged nodes


def shape_plan(base: str = BASE) -> Plan:
    """The compiled plan of the project's shapes for an IRI base (compiled once per base)."""
    return _plan(base)


@cache
def _plan(base: str) -> Plan:
    return compile_shapes(load_shapes(base))


def validate_store(
    store: ox.Store, graphs: list | None = None, plan: Plan | None = None, closed_types: bool = False
) -> Report:
    """Validate every focus node of the union of `graphs` (default: every graph of the store).

    The instances of every class a target or sh:class names are materialised once, in working graphs dropped
    afterwards, unless `closed_types` says the data's rdf:type triples are already closed under
    rdfs:subClassOf (asserted + the inferred graph of treatykg.graph.semantics.rules). The screens of a target
    visit its focus nodes in one pass and flag those some check would report; the checks then run on the
    flagged nodes only (and the plan's unscreened checks, if any, over every focus node).
    """
    plan = plan or shape_plan()
    graphs = _as_union(store, graphs)
    options = _dataset(graphs)
    # owl:Thing's instances are not materialised by the reasoner (the filter drops them).
    closed_types = closed_types and OWL_THING not in plan.classes

    def resolve(text: str) -> str:
        return direct_types(text, plan.classes) if closed_types else text

    graphs_made = []
    try:
        for cls in () if closed_types else plan.classes:
            graphs_made.append(_materialise(store, cls, graphs))
        results = []
        for target, screens in plan.passes.items():
            query = resolve(screen_pass(screens).replace("$TARGET", target.materialised()))
            flagged: list[list] = [[] for _ in screens]
            for row in solutions(store.query(query, **options)):
                flagged[int(row["screen_"].value)].append(row["this"])
            for screen, nodes in zip(screens, flagged, strict=True):
                results += _recheck(store, screen.checks, nodes, options)
        direct = [
            (
                check,
                resolve(check.focused.replace("$FOCUS", "").replace("$TARGET", check.target.materialised())),
            )
            for check in plan.direct
        ]
        return _report(results + _results(store, direct, options))
    finally:
        if graphs_made:
            store.update(" ;\n".join(f"DROP SILENT GRAPH {graph}" for graph in graphs_made))


def validate_focus(
    store: ox.Store, nodes: Iterable, graphs: list | None = None, plan: Plan | None = None
) -> Report:
    """Validate only the focus nodes `nodes` (pyoxigraph terms) of the union of `graphs`; read-only."""
    plan = plan or shape_plan()
    nodes = list(dict.fromkeys(nodes))
    options = _dataset(graphs)
    by_target: dict[Target, list[Check]] = {}
    for check in plan.checks:
        by_target.setdefault(check.target, []).append(check)
    members = _members(store, list(by_target), nodes, graphs, options)
    results = []
    for target, checks in by_target.items():
        if members[target]:
            results += _recheck(store, checks, members[target], options)
    return _report(results)


def _members(store: ox.Store, targets: list[Target], nodes: list, graphs: list | None, options: dict) -> dict:
    """For each target, the nodes among `nodes` that are its focus nodes.

    A class target's members are read off each node's rdf:type and the subclasses of the class: a lookup per
    node, rather than following rdfs:subClassOf* from each node (a disk seek per step on a large store).
    """
    classes = sorted({cls for target in targets for cls in target.classes})
    subclasses: dict[str, set] = {cls: set() for cls in classes}
    if classes:
        for row in solutions(store.query(fill("subclasses", CLASSES=" ".join(classes)), **options)):
            subclasses[str(row["class"])].add(row["sub"])
    types = {
        node: {
            quad.object
            for quad in store.quads_for_pattern(node, RDF_TYPE, None)
            if graphs is None or quad.graph_name in graphs
        }
        for node in nodes
        if not isinstance(node, ox.Literal)
    }
    found = {}
    for target in targets:
        wanted = set().union(*(subclasses[cls] for cls in target.classes))
        found[target] = [node for node, kinds in types.items() if kinds & wanted]
        for pattern in target.patterns:
            found[target] += _pattern_members(store, pattern, nodes, options)
    return found


def _pattern_members(store: ox.Store, pattern: str, nodes: list, options: dict) -> list:
    """The nodes among `nodes` that a non-class target pattern binds to ?this."""
    named = sorted({str(node) for node in nodes if isinstance(node, ox.NamedNode)})
    query = fill("members").replace("$TARGET", pattern)
    members = (
        [
            row["this"]
            for row in solutions(
                store.query(query.replace("$FOCUS", "VALUES ?this { " + " ".join(named) + " }"), **options)
            )
        ]
        if named
        else []
    )
    blank = {node for node in nodes if isinstance(node, ox.BlankNode)}
    if blank:  # VALUES can't hold blank nodes: find all the target's members and keep these
        everything = solutions(store.query(query.replace("$FOCUS", ""), **options))
        members += [row["this"] for row in everything if row["this"] in blank]
    return members


def validate_build(
    store: ox.Store, asserted: list, inferred: ox.NamedNode, plan: Plan | None = None
) -> Report:
    """The results of validating asserted + inferred, and the asserted graphs alone (build.validate_graphs).

    `inferred` is the graph treatykg.graph.semantics.rules wrote for `asserted`, so types are closed under
    subclasses.
    The asserted-only run can add results only where the inferences change what a check reads: targets only
    grow with inferred triples, so a check that reads none of the inferred predicates finds, at each asserted
    focus node, the same triples in both runs. An sh:class check can add results only at values the
    inferences make instances of its class, so it re-runs only at the nodes pointing at such values.
    """
    plan = plan or shape_plan()
    entailed = validate_store(store, [*asserted, inferred], plan, closed_types=True)
    predicates = {
        str(row["p"]) for row in solutions(store.query(INFERRED_PREDICATES, named_graphs=[inferred]))
    }
    stated = validate_store(
        store, asserted, plan.only(lambda c: c.cls is None and bool(c.reads & predicates))
    )
    results = [*entailed.results, *stated.results]
    options: dict[str, Any] = {"default_graph": list(asserted), "named_graphs": [inferred]}
    for cls in sorted({check.cls for check in plan.checks if check.cls}):
        suspects = [
            row["value"] for row in solutions(store.query(fill("suspects", **{"class": cls}), **options))
        ]
        pointing = {
            quad.subject
            for value in suspects
            for quad in store.quads_for_pattern(None, None, value)
            if quad.graph_name in asserted
        }
        checks = [check for check in plan.checks if check.cls == cls]
        # A check whose path is one predicate reaches a value from the nodes pointing at it; a longer path
        # (an event's spans through its accounts) from the nodes the path itself leads from to the value.
        direct = tuple(check for check in checks if check.path is None or check.path.startswith("<"))
        if pointing and direct:
            results += validate_focus(store, pointing, list(asserted), Plan((), direct)).results
        named = " ".join(str(value) for value in suspects if not isinstance(value, ox.BlankNode))
        for check in checks:
            if check in direct or not named:
                continue
            query = f"SELECT DISTINCT ?this WHERE {{ VALUES ?value {{ {named} }} ?this {check.path} ?value }}"
            reaching = [row["this"] for row in solutions(store.query(query, default_graph=list(asserted)))]
            if reaching:
                results += validate_focus(store, reaching, list(asserted), Plan((), (check,))).results
    return _report(results)


def _materialise(store: ox.Store, cls: str, graphs: list | None) -> ox.NamedNode:
    """Write the SHACL instances of `cls` in the union of `graphs` into their working graph; that graph."""
    graph = ox.NamedNode(instances_graph(cls).strip("<>"))
    using = graphs if graphs is not None else [g for g in store.named_graphs() if not _is_work(g)]
    if (graphs is None and _has_default_graph(store)) or any(isinstance(g, ox.DefaultGraph) for g in using):
        rows = solutions(store.query(fill("class-members", **{"class": cls}), **_dataset(graphs)))
        store.extend(ox.Quad(row["this"], MEMBER_PREDICATE, MEMBER_SET, graph) for row in rows)
    else:
        clauses = "\n".join(f"USING {name}" for name in using)
        store.update(fill("instances", graph=str(graph), USING=clauses, **{"class": cls}))
    return graph


def _as_union(store: ox.Store, graphs: list | None) -> list | None:
    """None (the store's union graph, which Oxigraph reads fastest) if `graphs` are all the store's data."""
    if graphs is None or any(isinstance(g, ox.DefaultGraph) for g in graphs) or _has_default_graph(store):
        return graphs
    named = list(store.named_graphs())
    if any(_is_work(g) for g in named):  # staged triples would join the union
        return graphs
    return None if set(named) <= set(graphs) else graphs


def _is_work(graph) -> bool:
    return isinstance(graph, ox.NamedNode) and graph.value.startswith(WORK)


def _has_default_graph(store: ox.Store) -> bool:
    return next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None


def _dataset(graphs: list | None) -> dict:
    """Query options: the union of `graphs` as the default graph, or of every graph."""
    return {"use_default_graph_as_union": True} if graphs is None else {"default_graph": list(graphs)}


def _recheck(
    store: ox.Store, checks: Iterable[Check], nodes: list, options: dict, known: bool = True
) -> list[ValidationResult]:
    """The results of `checks` for `nodes` only (`known`: the nodes are focus nodes of the checks)."""
    checks = list(checks)

    def target(check: Check) -> str:
        return "" if known else check.target.bound()

    results = []
    batches = iter(sorted({str(node) for node in nodes if not isinstance(node, ox.BlankNode)}))
    while batch := list(islice(batches, _BATCH)):
        focus = "VALUES ?this { " + " ".join(batch) + " }"
        results += _results(
            store,
            [(c, c.focused.replace("$FOCUS", focus).replace("$TARGET", target(c))) for c in checks],
            options,
        )
    if any(isinstance(node, ox.BlankNode) for node in nodes):
        # VALUES can't hold blank nodes: run unrestricted and keep the results about these nodes.
        blank = {to_rdflib(node) for node in nodes if isinstance(node, ox.BlankNode)}
        everything = _results(
            store,
            [(c, c.focused.replace("$FOCUS", "").replace("$TARGET", c.target.pattern())) for c in checks],
            options,
        )
        results += [result for result in everything if result.focus in blank]
    return results


def _results(store: ox.Store, queries: list[tuple[Check, str]], options: dict) -> list[ValidationResult]:
    """The ValidationResults of running each check's query."""
    results = []
    for check, query in queries:
        rows = solutions(store.query(query, **options))
        with_value = "value" in [variable.value for variable in rows.variables]
        for row in rows:
            value = to_rdflib(row["value"]) if with_value else None
            results.append(
                ValidationResult(
                    to_rdflib(row["this"]),
                    check.path,
                    value,
                    check.component,
                    check.severity,
                    check.shape,
                    check.message,
                )
            )
    return results


def _report(results: Iterable[ValidationResult]) -> Report:
    """A Report of distinct results in the shapes module's order; conforms = no sh:Violation."""
    ordered = tuple(sorted(set(results), key=ValidationResult.key))
    return Report(conforms=all(result.severity != SH.Violation for result in ordered), results=ordered)
