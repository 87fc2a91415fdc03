"""Sources as writes: a statement sheet compiled and added, or a source retracted, each with the reconciled
view's change, reasoned and validated around the delta and committed in one transaction with provenance."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from treatykg.core.errors import InputError, ValidationFailed
from treatykg.core.iris import (
    BASE,
    ENTITIES_GRAPH,
    INFERRED_GRAPH,
    RECONCILED_GRAPH,
    asserted_graph,
    source_graph,
)
from treatykg.core.terms import BlankNodeMap, ox_term, to_rdflib, triples_to_ox
from treatykg.graph.build.sheets import known_acts
from treatykg.graph.derive.reconcile import reconciled_change
from treatykg.graph.semantics.compiled import CompiledSemantics
from treatykg.graph.semantics.interface import Incremental, discard, raise_unless_conforms
from treatykg.graph.semantics.rules import staged_inferences
from treatykg.graph.semantics.shapes import Report
from treatykg.graph.sources.compile import Report as CompileReport
from treatykg.graph.sources.compile import compile_sheet
from treatykg.graph.sources.entities import Entities, entities_graph, load_entities
from treatykg.graph.store.embedded import OpenStore, StoreVersion, build_owned_graphs, require_current
from treatykg.server.writes import commit
from treatykg.server.writes.delta import Delta
from treatykg.server.writes.entailment import check


class NoSuchSource(InputError):
    """The store holds no graph of the source named."""


class SourceConflict(InputError):
    """The write would clash with what the store holds: the source is there already, or the build owns it."""


class SourceRejected(ValidationFailed):
    """A source write with a SHACL Violation or an OWL 2 RL inconsistency; the report travels with it."""

    def __init__(self, message: str, report: Report, inconsistencies: tuple[str, ...] = ()):
        super().__init__(message)
        self.report = report
        self.inconsistencies = inconsistencies


@dataclass
class Written:
    """What a source write committed: the graph, the SHACL report (warnings), the new version."""

    graph: str
    report: Report
    version: StoreVersion
    removed: int
    added: int


def add_sheet(
    handle: OpenStore, sheet: Path, curator: str, base: str = BASE, entity_sheet: Path | None = None
) -> tuple[Written, CompileReport]:
    """Compile `sheet` against the entity sheet (default the packaged one) and the store's acts and add its
    source's graph, with the reconciled view's change, in one transaction; nothing changes on any error."""
    require_current(handle.version(), handle.path)
    entities, graph, compiled = _compile(handle, sheet, base, entity_sheet)
    name = compiled.graph_name
    if _holds(handle.store, name):
        raise SourceConflict(
            f"the store already holds {name}; replace it (treatykg source replace {compiled.slug} SHEET) "
            "or remove it first (treatykg source remove)",
            sheet,
        )
    removed, added = _source_change(handle.store, entities, graph, name, None)
    written = _commit(handle, removed, added, [name], curator, f"add source {compiled.slug}", base)
    return written, compiled


def replace_source(
    handle: OpenStore,
    slug: str,
    sheet: Path,
    curator: str,
    base: str = BASE,
    entity_sheet: Path | None = None,
) -> tuple[Written, CompileReport]:
    """Retract the source `slug` with everything derived from it and add the sheet's graph in its place, in
    one transaction: a sheet that does not compile, a Violation or an inconsistency changes nothing."""
    require_current(handle.version(), handle.path)
    name = _removable(handle, slug)
    entities, graph, compiled = _compile(handle, sheet, base, entity_sheet)
    if compiled.graph_name != name:
        raise InputError(f"the sheet is the source {compiled.slug!r}, not {slug!r}", sheet)
    removed, added = _source_change(handle.store, entities, graph, name, name)
    written = _commit(handle, removed, added, [name], curator, f"replace source {slug}", base)
    return written, compiled


def _compile(
    handle: OpenStore, sheet: Path, base: str, entity_sheet: Path | None
) -> tuple[Entities, Graph, CompileReport]:
    """The sheet compiled against the entity sheet and the acts the store holds, its IRIs under `base`."""
    entities = load_entities(entity_sheet, base=base)
    entities.add_acts(known_acts(handle.store))
    graph, compiled = compile_sheet(sheet, entities)
    return entities, graph, compiled


def _source_change(
    store: ox.Store, entities: Entities, graph: Graph, name: str, replaced: str | None
) -> tuple[set[ox.Quad], set[ox.Quad]]:
    """The quads to remove and add for the source graph `name` to hold `graph` (replacing the graph the
    store holds when `replaced` names it): the graph, the reconciled view's change, the entity sheet's."""
    triples = list(triples_to_ox(graph, BlankNodeMap()))
    removed, added = reconciled_change(store, without=replaced, extra=triples)
    if replaced is not None:
        removed |= set(store.quads_for_pattern(None, None, None, ox.NamedNode(replaced)))
    added |= {ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name)) for t in triples}
    # The entity sheet's graph, as a build with this sheet would hold it: the sheet may name its entities.
    shared = ox.NamedNode(ENTITIES_GRAPH)
    held = set(store.quads_for_pattern(None, None, None, shared))
    wanted = {
        ox.Quad(t.subject, t.predicate, t.object, shared)
        for t in triples_to_ox(entities_graph(entities), BlankNodeMap())
    }
    removed |= held - wanted
    added |= wanted - held
    # A quad the new graph keeps is neither removed nor added.
    return removed - added, added - removed


def _removable(handle: OpenStore, slug: str) -> str:
    """The graph of the source `slug`; InputError if the store holds none or the build compiles it."""
    name = source_graph(slug)
    if not _holds(handle.store, name):
        raise NoSuchSource(f"the store holds no source {slug!r} (no graph {name})")
    if name in build_owned_graphs(handle.version()):
        raise SourceConflict(
            f"the source {slug!r} is compiled by the build; take its sheet out of the build's data, rebuild"
        )
    return name


def remove_source(handle: OpenStore, slug: str, curator: str, base: str = BASE) -> Written:
    """Retract the source `slug`: its graph, and what the reconciled view derived from its accounts."""
    require_current(handle.version(), handle.path)
    name = _removable(handle, slug)
    removed, added = reconciled_change(handle.store, without=name)
    removed |= set(handle.store.quads_for_pattern(None, None, None, ox.NamedNode(name)))
    return _commit(handle, removed, added, [name], curator, f"remove source {slug}", base, drop=True)


def _commit(
    handle: OpenStore,
    removed: set[ox.Quad],
    added: set[ox.Quad],
    graphs: list[str],
    curator: str,
    label: str,
    base: str,
    drop: bool = False,
) -> Written:
    """Reason over and validate the delta, then commit it with its inferences and provenance in one
    transaction."""
    report, inferred_removed, inferred_added = _checked(handle.store, removed, added, base)
    change = commit.Change(
        removed=[*removed, *inferred_removed],
        added=[*added, *inferred_added],
        dropped=graphs if drop else [],
        created=[],
    )
    version = commit.next_version(handle.version(), change)
    changed = [*graphs, RECONCILED_GRAPH, INFERRED_GRAPH]
    change.added += commit.provenance(version, curator, label, label, changed)
    version = commit.next_version(handle.version(), change)
    version = commit.apply(handle, change, version)
    return Written(graphs[0], report, version, len(removed), len(added))


def _checked(
    store: ox.Store, removed: set[ox.Quad], added: set[ox.Quad], base: str
) -> tuple[Report, list[ox.Quad], list[ox.Quad]]:
    """The SHACL report and the inferred graph's change of a delta; SourceRejected if it does not conform.

    Additions alone are reasoned as `treatykg add FILE` reasons a file (the compiled engine's incremental
    mode: semi-naive from the store's inferred graph, in working graphs dropped before the commit), which
    stays fast next to well-connected nodes; a delta that removes anything goes through the region mode."""
    if not removed:
        try:
            return _checked_additions(store, added, base)
        except ValueError:  # the additions change the schema: the region mode reasons it whole
            pass
    delta = Delta(removed={_rdflib(quad) for quad in removed}, added={_rdflib(quad) for quad in added})
    checked = check(store, delta, base)
    report = checked.report or Report(conforms=True, results=())
    _raise_unless_accepted(report, tuple(checked.inconsistencies))
    return report, _inferred(checked.inferred_removed), _inferred(checked.inferred_added)


def _checked_additions(
    store: ox.Store, added: set[ox.Quad], base: str
) -> tuple[Report, list[ox.Quad], list[ox.Quad]]:
    """The incremental mode's check of additions; its staged triples are dropped whatever happens."""
    semantics = CompiledSemantics(base)
    # A triple another asserted graph holds already (an entity's type and label, written again in the
    # entities graph) changes neither the union nor its closure; checking it again would refocus every
    # node that points at a well-connected entity.
    triples = tuple({quad.triple for quad in added if not _asserted(store, quad.triple)})
    reasoning = semantics.reason(store, Incremental(triples, ox.DefaultGraph()))
    try:
        inconsistencies = tuple(problem.message for problem in reasoning.inconsistencies)
        report = Report(True, ()) if inconsistencies else semantics.validate(store, reasoning)
        _raise_unless_accepted(report, inconsistencies)
        graph = ox.NamedNode(INFERRED_GRAPH)
        inferred = {ox.Quad(q.subject, q.predicate, q.object, graph) for q in staged_inferences(store)}
    finally:
        discard(store)
    return report, [], sorted((quad for quad in inferred if quad not in store), key=str)


def _asserted(store: ox.Store, triple: ox.Triple) -> bool:
    """Whether an asserted graph of the store holds `triple`."""
    return any(
        asserted_graph(None if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value)
        for quad in store.quads_for_pattern(triple.subject, triple.predicate, triple.object)
    )


def _raise_unless_accepted(report: Report, inconsistencies: tuple[str, ...]) -> None:
    """SourceRejected with the report for an OWL 2 RL inconsistency or a SHACL Violation."""
    if inconsistencies:
        message = "inconsistent under OWL 2 RL:\n" + "\n".join(inconsistencies)
        raise SourceRejected(message, report, inconsistencies)
    try:
        raise_unless_conforms(report)
    except ValidationFailed as error:
        raise SourceRejected(str(error), report) from None


def _inferred(triples: Iterable[tuple[Node, Node, Node]]) -> list[ox.Quad]:
    """Inferred rdflib triples as quads of the inferred graph, in the store's own terms (blank node labels
    included: the region mode reads them from the store)."""
    graph = ox.NamedNode(INFERRED_GRAPH)
    return [ox.Quad(ox_term(s), ox_term(p), ox_term(o), graph) for s, p, o in triples]  # type: ignore[arg-type]  # a subject is never a literal, a predicate always an IRI


def _holds(store: ox.Store, graph: str) -> bool:
    """Whether the store holds a triple in `graph`."""
    return next(iter(store.quads_for_pattern(None, None, None, ox.NamedNode(graph))), None) is not None


def _rdflib(quad: ox.Quad):
    """An rdflib quad (subject, predicate, object, graph IRI) of a pyoxigraph one."""
    graph = quad.graph_name
    return (
        to_rdflib(quad.subject),
        to_rdflib(quad.predicate),
        to_rdflib(quad.object),
        None if isinstance(graph, ox.DefaultGraph) else to_rdflib(graph),
    )
