"""The statement sheets a build compiles: the packaged ones and those under each `--data` folder, with the
shared entity sheet, each into its source's named graph."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from treatykg.core import resources
from treatykg.core.errors import InputError
from treatykg.core.iris import ENTITIES_GRAPH, ID, TKG, asserted_graph
from treatykg.core.terms import graph_from_quads
from treatykg.graph.semantics.maintain import graph_key
from treatykg.graph.sources.compile import compile_sheet
from treatykg.graph.sources.entities import Entities, entities_file, entities_graph, load_entities
from treatykg.graph.sources.yamlsafe import Value, read_yaml

SHEET = "sheet.yaml"
KNOWN_ACTS = Path(__file__).parent / "known-acts.rq"


@dataclass
class Sheets:
    """The data a build reads: RDF files, and the sheets to compile (with their text beside them)."""

    files: list[Path] = field(default_factory=list)
    sheets: list[Path] = field(default_factory=list)


def packaged_sheets() -> list[Path]:
    """The packaged sources' sheets (`graph/sources/*/sheet.yaml`): the news and statements by folder, then
    the curated notes by folder."""
    return sorted(
        (resources.graph_dir() / "sources").glob(f"*/{SHEET}"), key=lambda path: (_is_note(path), path)
    )


def _is_note(sheet: Path) -> bool:
    """Whether a sheet's source is a curated note, which joins the acts the other sources report: compiled
    after them, its accounts join their acts, which keep the class, agent and object the sources give."""
    document = read_yaml(sheet)
    source = document.get("source") if isinstance(document, Mapping) else None
    return isinstance(source, Mapping) and source.get("kind") == "note"


def sheets_under(folder: Path) -> list[Path]:
    """The sheets of a folder: its own `sheet.yaml`, or those of its sub-folders (a curation folder)."""
    own = folder / SHEET
    return [own] if own.is_file() else sorted(folder.glob(f"*/{SHEET}"))


def split_data(data: Sequence[Path] | None) -> Sheets:
    """The `--data` paths as files and sheets; by default the packaged sheets and data files. A folder gives
    its sheets (its own sheet.yaml, or its sub-folders') and its RDF files (`*.ttl`)."""
    if data is None:
        return Sheets(resources.data_files(), packaged_sheets())
    found = Sheets()
    for path in map(Path, data):
        if path.is_dir():
            sheets = sheets_under(path)
            files = sorted(path.glob("*.ttl"))
            if not sheets and not files:
                raise InputError("the folder holds no statement sheet (sheet.yaml) and no .ttl file", path)
            found.sheets += sheets
            found.files += files
        elif path.name == SHEET or path.suffix in (".yaml", ".yml"):
            found.sheets.append(path)
        else:
            found.files.append(path)
    return found


def compile_sheets(sheets: Sequence[Path], known: Iterable[Graph]) -> dict[str, tuple[Graph, Path]]:
    """Each sheet compiled against the entity sheet and the acts of `known` and of the sheets before it:
    graph name -> (graph, sheet); the entities graph first. SheetInvalid names every problem."""
    if not sheets:
        return {}
    entities = load_entities()
    for graph in known:
        entities.add_acts(graph)
    compiled: dict[str, tuple[Graph, Path]] = {ENTITIES_GRAPH: (entities_graph(entities), entities_file())}
    for path in sheets:
        graph, report = compile_sheet(path, entities)
        if report.graph_name in compiled:
            raise InputError(
                f"graph {report.graph_name} is also compiled from {compiled[report.graph_name][1]}",
                path,
            )
        compiled[report.graph_name] = (graph, path)
        entities.add_acts(graph)
    return compiled


def known_acts(store: ox.Store) -> Graph:
    """The acts a store holds, as much of them as a sheet's act key matches (known-acts.rq)."""
    query = KNOWN_ACTS.read_text(encoding="utf-8")
    # The asserted graphs only: an inferred superclass is not a class a sheet's act key names.
    graphs = [g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and asserted_graph(g.value)]
    return graph_from_quads(store.query(query, default_graph=[*graphs, ox.DefaultGraph()]))  # type: ignore[arg-type]  # a CONSTRUCT answers triples


# What ties an act to the nodes a sheet's act key names (agent, object), and an act to its accounts and spans.
_ACT_LINKS = [ox.NamedNode(TKG + name) for name in ("agent", "treaty", "target")]
_ACCOUNT_OF, _TIME_SPAN = ox.NamedNode(TKG + "accountOf"), ox.NamedNode(TKG + "timeSpan")
EVENTS = ID + "event/"  # the acts known-acts.rq reads (its FILTER): only these are worth copying out


def _strings(value: Value) -> Iterator[str]:
    """Every string of a YAML document, keys aside."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, Sequence):
        for item in value:
            yield from _strings(item)


def sheet_names(sheet: Path, entities: Entities) -> set[str]:
    """The IRIs a sheet can name: every entity one of its strings is a label or alias of (whatever the time),
    and every IRI it writes."""
    named: set[str] = set()
    for text in _strings(read_yaml(sheet)):
        if text.startswith(("http://", "https://")):
            named.add(text.strip())
        named.update(name.iri for name in entities.names.get(text.casefold(), ()))
    return named


def known_acts_for(store: ox.Store, sheet: Path, entities: Entities) -> Graph:
    """What known_acts() gives of the acts a sheet's act keys can match, found by index lookups from the
    nodes the sheet names (sheet_names): the acts whose agent, treaty or target is one of them or (in turn)
    one of those acts, and the acts it names by IRI; known-acts.rq reads them with their accounts and spans
    from a scratch store, so the cost follows the sheet, not the store."""
    asserted: set[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = {ox.DefaultGraph()}
    asserted |= {g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and asserted_graph(g.value)}

    def quads(subject=None, predicate=None, obj=None) -> list[ox.Quad]:
        found = store.quads_for_pattern(subject, predicate, obj, None)
        return [quad for quad in found if quad.graph_name in asserted]

    pending: list[ox.NamedNode] = [ox.NamedNode(iri) for iri in sorted(sheet_names(sheet, entities))]
    seen, acts = set(pending), {node for node in pending if node.value.startswith(EVENTS)}
    while pending:
        node = pending.pop()
        for link in _ACT_LINKS:
            for quad in quads(None, link, node):
                act = quad.subject
                if isinstance(act, ox.NamedNode) and act.value.startswith(EVENTS) and act not in seen:
                    seen.add(act)
                    acts.add(act)
                    pending.append(act)
    scratch = ox.Store()
    copied: set[ox.Triple] = set()
    for act in acts:
        holders = [act, *(quad.subject for quad in quads(None, _ACCOUNT_OF, act))]
        for holder in holders:
            for quad in quads(holder):
                copied.add(quad.triple)
                if quad.predicate == _TIME_SPAN and not isinstance(quad.object, ox.Literal):
                    copied.update(q.triple for q in quads(quad.object))
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in copied)
    query = KNOWN_ACTS.read_text(encoding="utf-8")
    return graph_from_quads(scratch.query(query))  # type: ignore[arg-type]  # a CONSTRUCT answers triples


def held_in(store: ox.Store) -> Callable[[str], bool]:
    """Whether an asserted graph of `store` describes an IRI (a minted IRI must avoid the acts and
    propositions a store holds beyond the known acts a sheet was compiled against)."""

    def held(iri: str) -> bool:
        quads = store.quads_for_pattern(ox.NamedNode(iri), None, None, None)
        return any(asserted_graph(graph_key(quad.graph_name)) for quad in quads)

    return held
