"""Sources as writes: a statement sheet compiled and added, or a source retracted, each with the reconciled
view's change, reasoned and validated around the delta and committed in one transaction with provenance."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib.term import Node

from treatykg.core.errors import InputError, ReasoningInconsistency
from treatykg.core.iris import (
    BASE,
    ENTITIES_GRAPH,
    INFERRED_GRAPH,
    RECONCILED_GRAPH,
    STATUS_GRAPH,
    source_graph,
)
from treatykg.core.terms import BlankNodeMap, ox_term, to_rdflib, triples_to_ox
from treatykg.graph.build.sheets import known_acts
from treatykg.graph.derive.reconcile import reconciled_change
from treatykg.graph.derive.status import status_change
from treatykg.graph.semantics.interface import raise_unless_conforms
from treatykg.graph.semantics.shapes import Report
from treatykg.graph.sources.compile import Report as CompileReport
from treatykg.graph.sources.compile import compile_sheet
from treatykg.graph.sources.entities import entities_graph, load_entities
from treatykg.graph.store.embedded import OpenStore, StoreVersion, build_owned_graphs, require_current
from treatykg.server.writes import commit
from treatykg.server.writes.delta import Delta
from treatykg.server.writes.entailment import check


@dataclass
class Written:
    """What a source write committed: the graph, the SHACL report (warnings), the new version."""

    graph: str
    report: Report
    version: StoreVersion
    removed: int
    added: int


def add_sheet(
    handle: OpenStore, sheet: Path, curator: str, base: str = BASE
) -> tuple[Written, CompileReport]:
    """Compile `sheet` against the entity sheet and the store's acts and add its source's graph, with the
    reconciled view's change, in one transaction; nothing changes on any error."""
    require_current(handle.version(), handle.path)
    entities = load_entities()
    entities.add_acts(known_acts(handle.store))
    graph, compiled = compile_sheet(sheet, entities)
    name = compiled.graph_name
    if _holds(handle.store, name):
        raise InputError(f"the store already holds {name}; remove it first (treatykg source remove)", sheet)
    triples = list(triples_to_ox(graph, BlankNodeMap()))
    removed, added = reconciled_change(handle.store, extra=triples)
    reconciled = (set(removed), set(added))
    added |= {ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name)) for t in triples}
    # The entity sheet's graph, as a build with this sheet would hold it: the sheet may name its entities.
    shared = ox.NamedNode(ENTITIES_GRAPH)
    held = set(handle.store.quads_for_pattern(None, None, None, shared))
    wanted = {
        ox.Quad(t.subject, t.predicate, t.object, shared)
        for t in triples_to_ox(entities_graph(entities), BlankNodeMap())
    }
    removed |= held - wanted
    added |= wanted - held
    # The status intervals follow the reconciled view's change (the sheet's entities typed as the store will).
    joining = [*triples, *(quad.triple for quad in wanted)]
    status_removed, status_added = status_change(handle.store, extra=joining, reconciled=reconciled)
    removed |= status_removed
    added |= status_added
    written = _commit(handle, removed, added, [name], curator, f"add source {compiled.slug}", base)
    return written, compiled


def remove_source(handle: OpenStore, slug: str, curator: str, base: str = BASE) -> Written:
    """Retract the source `slug`: its graph, and what the reconciled view derived from its accounts."""
    require_current(handle.version(), handle.path)
    name = source_graph(slug)
    if not _holds(handle.store, name):
        raise InputError(f"the store holds no source {slug!r} (no graph {name})")
    if name in build_owned_graphs(handle.version()):
        raise InputError(
            f"the source {slug!r} is compiled by the build; take its sheet out of the build's data, rebuild"
        )
    removed, added = reconciled_change(handle.store, without=name)
    status_removed, status_added = status_change(handle.store, without=name, reconciled=(removed, added))
    removed |= status_removed
    added |= status_added
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
    """Reason and validate the delta around it (the compiled region mode), then commit it with its
    inferences and provenance in one transaction."""
    delta = Delta(removed={_rdflib(quad) for quad in removed}, added={_rdflib(quad) for quad in added})
    checked = check(handle.store, delta, base)
    if checked.inconsistencies:
        raise ReasoningInconsistency("inconsistent under OWL 2 RL:\n" + "\n".join(checked.inconsistencies))
    report = checked.report or Report(conforms=True, results=())
    raise_unless_conforms(report)
    change = commit.Change(
        removed=[*removed, *_inferred(checked.inferred_removed)],
        added=[*added, *_inferred(checked.inferred_added)],
        dropped=graphs if drop else [],
        created=[],
    )
    version = commit.next_version(handle.version(), change)
    changed = [*graphs, RECONCILED_GRAPH, STATUS_GRAPH, INFERRED_GRAPH]
    change.added += commit.provenance(version, curator, label, label, changed)
    version = commit.next_version(handle.version(), change)
    version = commit.apply(handle, change, version)
    return Written(graphs[0], report, version, len(removed), len(added))


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
