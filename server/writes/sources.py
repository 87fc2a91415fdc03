"""Sources as writes: a statement sheet compiled and added, or a source retracted, tried on a writable
checkpoint as the HTTP writes are (the derived graphs' change, the inferred graph kept exact by delete and
rederive, validation of what the change can affect) and committed in one transaction with provenance."""

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
    STATUS_GRAPH,
    source_graph,
)
from treatykg.core.terms import BlankNodeMap, ox_term, triples_to_ox
from treatykg.graph.build.sheets import held_in, known_acts_for
from treatykg.graph.semantics.interface import raise_unless_conforms
from treatykg.graph.semantics.shapes import Report
from treatykg.graph.sources.compile import Report as CompileReport
from treatykg.graph.sources.compile import compile_sheet
from treatykg.graph.sources.entities import Entities, entities_graph, load_entities
from treatykg.graph.store.checkpoint import writable_checkpoint
from treatykg.graph.store.embedded import OpenStore, StoreVersion, build_owned_graphs, require_current
from treatykg.server.writes import commit
from treatykg.server.writes.entailment import check_write


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
    """The sheet compiled against the entity sheet and the store's acts its names can reach (known_acts_for),
    its IRIs under `base`, minted ones clear of every IRI the store describes."""
    entities = load_entities(entity_sheet, base=base)
    entities.add_acts(known_acts_for(handle.store, sheet, entities))
    entities.held = held_in(handle.store)
    graph, compiled = compile_sheet(sheet, entities)
    return entities, graph, compiled


def _source_change(
    store: ox.Store, entities: Entities, graph: Graph, name: str, replaced: str | None
) -> tuple[set[ox.Quad], set[ox.Quad]]:
    """The asserted quads to remove and add for the source graph `name` to hold `graph` (replacing the graph
    the store holds when `replaced` names it), with the entity sheet's graph as a build with it would hold."""
    removed: set[ox.Quad] = set()
    if replaced is not None:
        removed |= set(store.quads_for_pattern(None, None, None, ox.NamedNode(replaced)))
    added = {
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
        for t in triples_to_ox(graph, BlankNodeMap())
    }
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
    """Retract the source `slug`: its graph, and what the derived and inferred graphs drew from it."""
    require_current(handle.version(), handle.path)
    name = _removable(handle, slug)
    removed = set(handle.store.quads_for_pattern(None, None, None, ox.NamedNode(name)))
    return _commit(handle, removed, set(), [name], curator, f"remove source {slug}", base, drop=True)


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
    """Try the write on a writable checkpoint (the derived graphs' change, reasoning, validation), then
    commit it with its derived and inferred change and its provenance in one transaction."""
    with writable_checkpoint(handle) as checkpoint:
        checked, derived_removed, derived_added = check_write(handle.store, checkpoint, removed, added, base)
        del checkpoint  # closed before the checkpoint's folder goes
    report = checked.report or Report(conforms=True, results=())
    _raise_unless_accepted(report, tuple(checked.inconsistencies))
    removed, added = removed | derived_removed, added | derived_added
    # Exactly the net change to the inferred graph, so the commit record's counts stay exact.
    inferred_removed = [q for q in _inferred(checked.inferred_removed) if q in handle.store]
    asserted = {quad.triple for quad in added}
    inferred_added = [
        q for q in _inferred(checked.inferred_added) if q not in handle.store and q.triple not in asserted
    ]
    change = commit.Change(
        removed=[*removed, *inferred_removed],
        added=[*added, *inferred_added],
        dropped=graphs if drop else [],
        created=[],
    )
    version = commit.next_version(handle.version(), change)
    changed = [*graphs, RECONCILED_GRAPH, STATUS_GRAPH, INFERRED_GRAPH]
    change.added += commit.provenance(version, curator, label, label, changed)
    version = commit.next_version(handle.version(), change)
    version = commit.apply(handle, change, version)
    return Written(graphs[0], report, version, len(removed), len(added))


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
    included: the checkpoint is a copy of the store, and the region mode reads them from it)."""
    graph = ox.NamedNode(INFERRED_GRAPH)
    return [ox.Quad(ox_term(s), ox_term(p), ox_term(o), graph) for s, p, o in triples]  # type: ignore[arg-type]  # a subject is never a literal, a predicate always an IRI


def _holds(store: ox.Store, graph: str) -> bool:
    """Whether the store holds a triple in `graph`."""
    return next(iter(store.quads_for_pattern(None, None, None, ox.NamedNode(graph))), None) is not None
