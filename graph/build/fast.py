"""`treatykg build --engine fast`: the build in an in-memory Oxigraph store, for data too large for rdflib.

The reference build (graph/build/reference.py) parses with rdflib, reasons with owlrl and validates with pySHACL; past
about 10,000 triples it takes minutes. This engine does the same build with the compiled implementation of the
semantics interface, which tests prove equal to it (graph/semantics/compiled.py: OWL 2 RL rules as SPARQL
updates, SHACL compiled to SPARQL):

    load      N-Triples, N-Quads, Turtle and TriG are parsed by Oxigraph straight into the build store;
              RDF/XML, JSON-LD and N3 (ontologies as Protégé saves them, small files) through the
              reference loader and its safety checks
    keep      the store's graphs that no build owns (HTTP writes) are copied in and reasoned over
    reason, check consistency, validate (asserted + inferred, and asserted alone), as the reference does
    store     a local store gets a whole new database, swapped in by store.replace_database: the built
              store's quads stream into its bulk loader in chunks (no file on the way; the loader holds
              one chunk, so the write adds a bounded amount to the build's peak memory); a remote store
              gets the same push as the reference build

Same graph names, owned graphs, kept graphs, messages and exit codes as the reference build; a failure
leaves the store as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path

import pyoxigraph as ox
from rdflib.term import Node

from treatykg.core import resources
from treatykg.core.errors import InputError, ReasoningInconsistency, ValidationFailed
from treatykg.core.iris import (
    BASE,
    INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    RECONCILED_GRAPH,
    STATUS_GRAPH,
    TKG,
    WRITES_GRAPH,
)
from treatykg.core.progress import QUIET, Progress
from treatykg.core.terms import BlankNodeMap, graph_from_quads, ox_term, solutions, triples_to_ox
from treatykg.graph.build.reference import (
    BuildResult,
    claim,
    describe_result,
    graph_name_for,
    provenance,
    stem_graph_name,
    without_blank_nodes_of,
)
from treatykg.graph.build.adding import add_with_derived
from treatykg.graph.build.sheets import compile_sheets, known_acts, split_data
from treatykg.graph.derive.reconcile import reconcile_into
from treatykg.graph.derive.refresh import touches_accounts
from treatykg.graph.derive.status import status_into
from treatykg.graph.rdf.load import QUAD_FORMATS, detect_format, load
from treatykg.graph.semantics.compiled import CompiledSemantics
from treatykg.graph.store.checkpoint import writable_checkpoint
from treatykg.graph.semantics.fastpath import add_triples
from treatykg.graph.semantics.interface import FULL
from treatykg.graph.semantics.rules import (
    INFERRED,
    WORK,
    UnsupportedAxioms,
    require_supported,
)
from treatykg.graph.semantics.shapes import Report
from treatykg.graph.store.embedded import (
    OpenStore,
    StoreVersion,
    build_owned_graphs,
    record_commit,
    replace_database,
    require_current,
)
from treatykg.graph.store.protocol import Store

REASONING = "treatykg OWL 2 RL rules (graph/semantics/rules)"
# rdflib format names (load.detect_format) that Oxigraph parses itself.
NATIVE_FORMATS = {
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
}
STAGING = ox.NamedNode(WORK + "load")  # a file's triples while its graph name is not known yet
ONTOLOGY = ox.NamedNode(ONTOLOGY_GRAPH)
SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
# Quads per call of the new database's bulk loader: it holds a call's quads in memory (about 600 bytes each,
# measured at a million triples), so this bounds what the write adds to the build's peak.
WRITE_CHUNK = 500_000
SOURCES = f"""
SELECT DISTINCT ?source WHERE {{
  GRAPH $data {{ ?source a ?class }}
  ?class {SUBCLASS_OF}* <{TKG}Source>
}}"""


@dataclass
class FastInputs:
    """The build store holding the ontology and data files, and which file each data graph came from."""

    store: ox.Store
    ontology_path: Path
    files: dict[str, Path] = field(default_factory=dict)  # graph name -> the file it came from

    def stated_in(self, node: Node) -> list[str]:
        """The data files that state something about `node`, for messages about it."""
        # Result nodes come from this store (terms.to_rdflib), so a blank node keeps its store label.
        subject = ox_term(node)
        quads = self.store.quads_for_pattern(subject, None, None)  # type: ignore[arg-type]  # focus nodes are subjects
        graphs = {quad.graph_name for quad in quads}
        return [str(self.files[name]) for name in sorted(self.files) if ox.NamedNode(name) in graphs]


# The build's progress steps (their first word, as `progress.done` names them below) in the four phases a
# benchmark reports: compiling sheets is loading, deriving the reconciled view and status is reasoning.
PHASE_OF_STEP = {
    "loaded": "load",
    "compiled": "load",
    "derived": "reason",
    "reasoned": "reason",
    "validated": "validate",
    "stored": "store",
}
PHASES = ("load", "reason", "validate", "store")


def phase_seconds(steps: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Seconds per phase (`PHASES`) of a build's finished steps (`Progress.steps`)."""
    seconds = dict.fromkeys(PHASES, 0.0)
    for step, elapsed in steps:
        seconds[PHASE_OF_STEP[step.split()[0]]] += elapsed
    return seconds


def load_fast_inputs(
    ontology_path: Path | None = None, data_paths: Sequence[Path] | None = None, progress: Progress = QUIET
) -> FastInputs:
    """Read the ontology and the data files into a new in-memory store, naming each data graph as the
    reference build does; InputError on any bad file."""
    ontology_path = Path(ontology_path or resources.ontology_file())
    data = split_data(data_paths)
    inputs = FastInputs(ox.Store(), ontology_path)
    progress.start()
    if detect_format(ontology_path) in QUAD_FORMATS:
        raise InputError(
            "the ontology must be one graph; save it as Turtle or RDF/XML, not TriG or N-Quads", ontology_path
        )
    _read(inputs.store, ontology_path, ONTOLOGY)
    progress.done(f"loaded {ontology_path}", _size(inputs.store, ONTOLOGY))
    for path in data.files:
        if detect_format(path) in QUAD_FORMATS:
            _load_dataset(inputs, path)
        else:
            _load_triples(inputs, path)
        progress.done(f"loaded {path}")
    acts = [known_acts(inputs.store)] if data.sheets else []
    for name, (graph, path) in compile_sheets(data.sheets, acts).items():
        claim(inputs.files, name, path)
        inputs.store.bulk_extend(
            ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
            for t in triples_to_ox(graph, BlankNodeMap())
        )
        progress.done(f"compiled {path}")
    return inputs


def _load_triples(inputs: FastInputs, path: Path) -> None:
    """Load a one-graph file under its graph name (graph_name_for)."""
    # Most files keep their stem's name (a file of many sources, like a bulk dump), so they are read
    # straight into that graph; only a one-source file is moved afterwards, and moving copies every triple.
    stem = stem_graph_name(path)
    taken = stem in inputs.files or stem in (ONTOLOGY_GRAPH, INFERRED_GRAPH)
    loaded = STAGING if taken else ox.NamedNode(stem)
    _read(inputs.store, path, loaded)
    name = graph_name_for(path, _sources(inputs.store, loaded))
    claim(inputs.files, name, path)
    if name != loaded.value:
        inputs.store.update(f"MOVE SILENT {loaded} TO <{name}>")


def _load_dataset(inputs: FastInputs, path: Path) -> None:
    """Load a TriG or N-Quads file: its named graphs under their own names, its default graph by the rule of
    one-graph files."""
    scratch = ox.Store()
    _read(scratch, path, STAGING)
    renamed: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, ox.NamedNode] = {}
    for graph in list(scratch.named_graphs()):  # listed first: _sources adds the ontology's axioms
        if isinstance(graph, ox.BlankNode):
            raise InputError(
                "a graph named by a blank node can't be kept apart in the store; name it with an IRI", path
            )
        name = (
            graph_name_for(path, _sources(inputs.store, STAGING, scratch))
            if graph == STAGING
            else graph.value
        )
        if next(iter(scratch.quads_for_pattern(None, None, None, graph)), None) is not None:
            claim(inputs.files, name, path)
            renamed[graph] = ox.NamedNode(name)
    inputs.store.bulk_extend(
        ox.Quad(quad.subject, quad.predicate, quad.object, renamed[quad.graph_name])
        for graph in renamed
        for quad in scratch.quads_for_pattern(None, None, None, graph)
    )


def _read(store: ox.Store, path: Path, graph: ox.NamedNode) -> None:
    """Parse the file at `path` into `graph` of `store` (named graphs of a quad file keep their names)."""
    rdf_format = detect_format(path)  # refuses OWL/XML, Manchester, functional syntax with advice
    native = NATIVE_FORMATS.get(rdf_format)
    if native is None:  # RDF/XML, JSON-LD, N3: one graph each
        # The reference loader refuses external XML entities and remote JSON-LD contexts.
        triples = triples_to_ox(load(path), BlankNodeMap())
        store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
        return
    try:
        # Relative IRIs resolve against the file, as rdflib resolves them.
        store.bulk_load(path=str(path), format=native, base_iri=path.resolve().as_uri(), to_graph=graph)
    except SyntaxError as error:
        raise InputError(str(error).replace("Parser error", "syntax error", 1), path, error.lineno) from None
    except (OSError, ValueError) as error:
        raise InputError(f"cannot be read: {error}", path) from None


def _sources(store: ox.Store, graph: ox.NamedNode, scratch: ox.Store | None = None) -> list[str]:
    """The IRIs `graph` (of `scratch`, if given, else of `store`) types as tkg:Source or a subclass, by the
    ontology in `store` or the file itself."""
    if scratch is not None:
        # The ontology's subclass axioms are few: copy them to the file's own store rather than the reverse.
        scratch.extend(quad for quad in store.quads_for_pattern(None, SUBCLASS_OF, None, ONTOLOGY))
        store = scratch
    rows = solutions(
        store.query(
            SOURCES.replace("$data", str(graph)), default_graph=[ONTOLOGY, graph], named_graphs=[graph]
        )
    )
    return [row["source"].value for row in rows if isinstance(row["source"], ox.NamedNode)]


def _size(store: ox.Store, graph: ox.NamedNode) -> int:
    """The number of triples in `graph`, counted inside Oxigraph."""
    rows = solutions(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"))
    return int(next(iter(rows))["n"].value)


def keep_other_graphs(handle: Store, inputs: FastInputs) -> list[str]:
    """Copy the store's graphs that the build neither owns nor rebuilds into the build store (the write log
    excepted: it is metadata, kept but not reasoned over); their names."""
    replaced = build_owned_graphs(handle.version()) | frozenset(inputs.files) | {WRITES_GRAPH}
    kept = [
        graph.value
        for graph in handle.store.named_graphs()
        if isinstance(graph, ox.NamedNode) and graph.value not in replaced
    ]
    for name in kept:
        inputs.store.bulk_extend(handle.store.quads_for_pattern(None, None, None, ox.NamedNode(name)))
    inputs.store.bulk_extend(handle.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    return kept


def build_fast(
    handle: Store,
    inputs: FastInputs,
    reasoned: bool = True,
    base: str = BASE,
    progress: Progress = QUIET,
) -> BuildResult:
    """Reason over and validate `inputs` plus the store's other graphs, then replace the build's graphs."""
    store = inputs.store
    kept = keep_other_graphs(handle, inputs)
    progress.start()
    progress.done("derived the reconciled view", reconcile_into(store))
    progress.done("derived the treaty status intervals", status_into(store))
    semantics = CompiledSemantics(base)
    reasoning = None
    if reasoned:
        _refuse_unsupported(store, inputs.ontology_path)
        reasoning = semantics.reason(store, FULL)
        if not reasoning.consistent:
            raise ReasoningInconsistency(reasoning.describe())
        progress.done("reasoned (OWL 2 RL rules)", _size(store, INFERRED), "inferred triples")
    report = semantics.validate(store, reasoning)
    progress.done("validated (SHACL)", len(report.results), "results")
    if not report.conforms:
        lines = [describe_result(result, inputs) for result in report.violations]
        raise ValidationFailed(f"does not conform: {len(lines)} SHACL violation(s)\n" + "\n".join(lines))
    owned = [ONTOLOGY_GRAPH, *inputs.files, RECONCILED_GRAPH, STATUS_GRAPH] + [INFERRED_GRAPH] * reasoned
    record = provenance(inputs.ontology_path, inputs.files.values(), REASONING if reasoned else "none")
    local = handle.embedded()
    if local is None:  # a remote store: pushed to, as the reference build does
        version, counts = _push(handle, store, owned, kept, record)
    else:
        version = replace_database(local, lambda database: _fill(database, local, store), owned, record)
        counts = {name: version.graph_quads.get(name, 0) for name in owned}
    counts = {name: count for name, count in counts.items() if count}
    progress.done(f"stored in {handle.path}", sum(counts.values()), "quads")
    return BuildResult(version, counts, report)


def _refuse_unsupported(store: ox.Store, path: Path) -> None:
    """InputError if the ontology uses OWL constructs the rules lack: the fast engine refuses rather than
    under-infers."""
    try:
        require_supported(store)
    except UnsupportedAxioms as error:
        raise InputError(f"{error}; build with --engine reference", path) from None


def _fill(database: ox.Store, handle: OpenStore, store: ox.Store) -> None:
    """Write the built store, and the old store's write log, into the new database."""
    _stream(database, store.quads_for_pattern(None, None, None))
    _stream(database, handle.store.quads_for_pattern(None, None, None, ox.NamedNode(WRITES_GRAPH)))


def _stream(database: ox.Store, quads: Iterable[ox.Quad]) -> None:
    """Bulk-load `quads` into `database`, WRITE_CHUNK at a time."""
    # Straight from one store's iterator into the other's loader: no serialised copy, no list of quads.
    remaining = iter(quads)
    while (first := next(remaining, None)) is not None:
        database.bulk_extend(chain((first,), islice(remaining, WRITE_CHUNK - 1)))


def _push(
    handle: Store, store: ox.Store, owned: list[str], kept: list[str], record: dict
) -> tuple[StoreVersion, dict[str, int]]:
    """Push the build's graphs to a remote store the way the reference build does; the new version."""
    graphs = {
        name: graph_from_quads(store.quads_for_pattern(None, None, None, ox.NamedNode(name)))
        for name in owned
    }
    if INFERRED_GRAPH in graphs:
        # The push mints fresh blank nodes, so inferences about the kept graphs' blank nodes can't land.
        kept_graphs = [
            graph_from_quads(store.quads_for_pattern(None, None, None, ox.NamedNode(name))) for name in kept
        ]
        kept_graphs.append(graph_from_quads(store.quads_for_pattern(None, None, None, ox.DefaultGraph())))
        graphs[INFERRED_GRAPH] = without_blank_nodes_of(kept_graphs, graphs[INFERRED_GRAPH])
    graphs = {name: graph for name, graph in graphs.items() if len(graph)}
    version = handle.replace_build_graphs(graphs, build=record)
    return version, {name: len(graph) for name, graph in graphs.items()}


def add_file(
    handle: OpenStore, path: Path, graph: str | None = None, base: str = BASE
) -> tuple[FastInputs, Report, StoreVersion]:
    """Add one file's triples to a built store without a rebuild: fastpath.add_triples reasons the delta,
    validates the affected nodes and commits in one transaction (or raises, leaving the store as it was).

    The graph is `graph`, else the file's graph name (graph_name_for); it must not be one the build owns,
    which the next build would replace. Returns the file as the store now names it, the report and the
    new version.
    """
    if detect_format(path) in QUAD_FORMATS:
        raise InputError("add takes one graph; add a TriG or N-Quads file with treatykg build", path)
    require_current(handle.version(), handle.path)
    _refuse_unsupported(handle.store, path)
    scratch = ox.Store()
    _read(scratch, path, STAGING)
    name = graph or graph_name_for(path, _sources(handle.store, STAGING, scratch))
    if name in build_owned_graphs(handle.version()) | {WRITES_GRAPH}:
        raise InputError(f"the graph {name} is the build's; add the file to a build instead", path)
    triples = [quad.triple for quad in scratch.quads_for_pattern(None, None, None, STAGING)]
    # A file with accounts changes the reconciled view and the status intervals: added with them.
    derived = touches_accounts(handle.store, triples)
    try:
        if derived:
            report = add_with_derived(
                handle.store, triples, ox.NamedNode(name), base, lambda: writable_checkpoint(handle)
            )
        else:
            report = add_triples(handle.store, triples, ox.NamedNode(name), base)
    except ValueError as error:  # the file changes the schema: its consequences reach beyond the delta
        raise InputError(f"{error} (treatykg build)", path) from None
    changed = [name, INFERRED_GRAPH, *([RECONCILED_GRAPH, STATUS_GRAPH] if derived else [])]
    version = record_commit(handle, changed=changed)
    return FastInputs(handle.store, Path(), {name: path}), report, version
