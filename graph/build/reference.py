"""The reference build: load ontology and data with rdflib, reason and validate with the reference engine
(owlrl, pySHACL, through the semantics interface), replace the build's graphs in the store."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import RDF, RDFS, BNode, Graph, URIRef
from rdflib.term import Node

from treatykg.core import resources
from treatykg.core.errors import InputError, ReasoningInconsistency, ValidationFailed
from treatykg.core.iris import (
    BASE,
    GRAPH,
    INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    PREFIXES,
    RECONCILED_GRAPH,
    STATUS_GRAPH,
    SOURCE,
    TKG,
    WRITES_GRAPH,
    source_graph,
)
from treatykg.core.progress import QUIET, Progress
from treatykg.core.terms import BlankNodeMap, triples_to_ox
from treatykg.graph.build.sheets import compile_sheets, split_data
from treatykg.graph.derive.reconcile import reconciled_graph
from treatykg.graph.derive.status import status_graph
from treatykg.graph.rdf.load import load
from treatykg.graph.semantics.interface import FULL
from treatykg.graph.semantics.reason import Triple
from treatykg.graph.semantics.reference import ReferenceSemantics
from treatykg.graph.semantics.reference import validate_graphs as validate_graphs  # where callers import it
from treatykg.graph.semantics.shapes import Report, ValidationResult
from treatykg.graph.store.embedded import StoreVersion
from treatykg.graph.store.protocol import Store, other_graphs

TKG_SOURCE = URIRef(TKG + "Source")


@dataclass
class Inputs:
    """Everything a build reads from files: the ontology graph and one graph per data graph name."""

    ontology: Graph
    ontology_path: Path
    graphs: dict[str, Graph] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)  # graph name -> the file it came from

    def stated_in(self, node: Node) -> list[str]:
        """The data files that state something about `node`, for messages about it."""
        return [
            str(self.files.get(name, name))
            for name in sorted(self.graphs)
            if (node, None, None) in self.graphs[name]
        ]

    def origin(self, triple: Triple) -> str | None:
        """The file that asserts `triple`, for error messages."""
        if triple in self.ontology:
            return str(self.ontology_path)
        for name, graph in self.graphs.items():
            if triple in graph:
                return str(self.files.get(name, name))
        return None


@dataclass
class BuildResult:
    """What a build committed."""

    version: StoreVersion
    graphs: dict[str, int]  # triples per build-owned graph
    report: Report


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, lower-case hex."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_name(path: Path) -> str:
    """A machine-independent name for an input file: `ontology/…` or `graph/data/…` if packaged, else its name."""
    resolved = path.resolve()
    for folder, prefix in ((resources.ontology_dir(), "ontology/"), (resources.data_dir(), "graph/data/")):
        if resolved.parent == folder.resolve():
            return prefix + resolved.name
    if resolved.is_relative_to(resources.graph_dir().resolve()):  # a packaged sheet
        return "graph/" + resolved.relative_to(resources.graph_dir().resolve()).as_posix()
    return path.name


def provenance(ontology_path: Path, data_files: Iterable[Path], reasoning: str) -> dict:
    """The build's provenance: package versions and the SHA-256 of every input file (no timestamps).

    `reasoning` names what inferred the inferred graph ("none" if nothing did)."""
    files = [("ontology", ontology_path), ("shapes", resources.shapes_file())]
    files += [("data", path) for path in sorted(set(data_files))]
    return {
        "software": {
            name: _version(name) for name in ("treatykg", "owlrl", "pyshacl", "rdflib", "pyoxigraph")
        },
        "reasoning": reasoning,
        # What the build derived; a store whose record lacks it predates the accounts (store.embedded).
        "derived": [RECONCILED_GRAPH, STATUS_GRAPH],
        "inputs": [{"role": role, "name": input_name(path), "sha256": sha256(path)} for role, path in files],
    }


def _version(distribution: str) -> str:
    """The installed version of a distribution."""
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "unknown"


def source_classes(*graphs: Graph) -> set[Node]:
    """tkg:Source and every class the graphs make a subclass of it."""
    classes: set[Node] = {TKG_SOURCE}
    pending: list[Node] = [TKG_SOURCE]
    while pending:
        parent = pending.pop()
        for graph in graphs:
            for child in graph.subjects(RDFS.subClassOf, parent):
                if child not in classes:
                    classes.add(child)
                    pending.append(child)
    return classes


def data_graph_name(path: Path, graph: Graph, classes: Iterable[Node]) -> str:
    """The graph name of a data file (graph_name_for) whose triples are `graph`."""
    sources = (subject for cls in classes for subject in graph.subjects(RDF.type, cls))
    return graph_name_for(path, [str(subject) for subject in sources if isinstance(subject, URIRef)])


def graph_name_for(path: Path, sources: Iterable[str]) -> str:
    """graph/source/<slug> if the file declares exactly one source/<slug> (of the IRIs typed as tkg:Source or
    a subclass, `sources`), else graph/<file stem>."""
    slugs = {slug for slug in map(_source_slug, sources) if slug}
    if len(slugs) == 1:
        return source_graph(next(iter(slugs)))
    return stem_graph_name(path)


def stem_graph_name(path: Path) -> str:
    """graph/<file stem>, the name of a data file that declares no single source."""
    return GRAPH + quote(path.stem, safe="-._~")


def _source_slug(iri: str) -> str | None:
    """The <slug> of https://w3id.org/treatykg/source/<slug>, or None for any other IRI."""
    rest = str(iri).removeprefix(SOURCE)
    if rest == str(iri) or not rest or any(char in rest for char in "/#?"):
        return None
    return rest


def load_inputs(
    ontology_path: Path | None = None, data_paths: Sequence[Path] | None = None, progress: Progress = QUIET
) -> Inputs:
    """Load the ontology and data files, naming each data file's graph; InputError on any bad file."""
    ontology_path = Path(ontology_path or resources.ontology_file())
    data = split_data(data_paths)
    data_paths = data.files
    progress.start()
    inputs = Inputs(ontology=_as_graph(load(ontology_path), ontology_path), ontology_path=ontology_path)
    progress.done(f"loaded {ontology_path}", len(inputs.ontology))
    for path in data_paths:
        loaded = load(path)
        if loaded.context_aware:
            named = _graphs_of_dataset(path, loaded, inputs.ontology)
        else:
            named = {data_graph_name(path, loaded, source_classes(inputs.ontology, loaded)): loaded}
        for name, graph in named.items():
            claim(inputs.files, name, path)
            inputs.graphs[name] = graph
        progress.done(f"loaded {path}", sum(len(graph) for graph in named.values()))
    for name, (graph, path) in compile_sheets(data.sheets, inputs.graphs.values()).items():
        claim(inputs.files, name, path)
        inputs.graphs[name] = graph
        progress.done(f"compiled {path}", len(graph))
    return inputs


def _as_graph(loaded: Graph, path: Path) -> Graph:
    """The triples of a loaded ontology file; an ontology is one graph, so quads are refused."""
    if loaded.context_aware:
        raise InputError(
            "the ontology must be one graph; save it as Turtle or RDF/XML, not TriG or N-Quads", path
        )
    return loaded


def _graphs_of_dataset(path: Path, dataset, ontology: Graph) -> dict[str, Graph]:
    """A TriG or N-Quads file's graphs under their own names; its default graph by the file's rule."""
    graphs: dict[str, Graph] = {}
    for context in dataset.graphs():
        if not len(context):
            continue
        if context.identifier == dataset.default_graph.identifier:
            name = data_graph_name(path, context, source_classes(ontology, context))
        elif isinstance(context.identifier, URIRef):
            name = str(context.identifier)
        else:
            raise InputError(
                "a graph named by a blank node can't be kept apart in the store; name it with an IRI", path
            )
        graph = graphs.setdefault(name, Graph())
        for triple in context:
            graph.add(triple)
    return graphs


def claim(files: dict[str, Path], name: str, path: Path) -> None:
    """Record `path` as the file of graph `name` in `files`, refusing a name the build already gives away."""
    if name in (ONTOLOGY_GRAPH, INFERRED_GRAPH, RECONCILED_GRAPH, STATUS_GRAPH):
        raise InputError(f"its graph name {name} is reserved for the build; rename the file", path)
    if name in files:
        raise InputError(
            f"both this file and {files[name]} would be the graph {name}; merge or rename them", path
        )
    files[name] = path


def describe_result(result: ValidationResult, inputs) -> str:
    """One line for a SHACL result: the files that state the focus node (`inputs.stated_in`), the node, the
    path and the message."""
    where = inputs.stated_in(result.focus)
    prefix = f"{', '.join(where)}: " if where else ""
    severity = str(result.severity).rsplit("#", 1)[-1].lower()
    path = f" {_short_path(result.path)}" if result.path else ""
    value = (
        f" (value {result.value.n3()})" if result.value is not None and result.value != result.focus else ""
    )
    return f"{prefix}{severity}: {result.focus.n3()}{path}{value}: {result.message or result.component}"


def _short_path(path: str) -> str:
    """A SPARQL property path with prefixed names (`tkg:agent`) in place of full IRIs."""
    return re.sub(r"<([^>]*)>", lambda match: _prefixed(match.group(1)), path)


def _prefixed(iri: str) -> str:
    """`prefix:local` for an IRI in a known namespace, else `<iri>`."""
    for prefix, namespace in PREFIXES.items():
        local = iri.removeprefix(namespace)
        if local != iri and re.fullmatch(r"[A-Za-z_][\w-]*", local):
            return f"{prefix}:{local}"
    return f"<{iri}>"


def check(
    inputs: Inputs,
    kept: Mapping[str | None, Graph],
    reasoned: bool,
    base: str = BASE,
    progress: Progress = QUIET,
) -> tuple[Graph, Report]:
    """Reason and validate with the reference engine: inferred graph and SHACL report; ReasoningInconsistency
    if inconsistent."""
    blank_nodes = BlankNodeMap()
    store = ox.Store()
    for name, graph in [(ONTOLOGY_GRAPH, inputs.ontology), *inputs.graphs.items(), *kept.items()]:
        target = ox.DefaultGraph() if name is None else ox.NamedNode(name)
        store.extend(
            ox.Quad(t.subject, t.predicate, t.object, target) for t in triples_to_ox(graph, blank_nodes)
        )
    semantics = ReferenceSemantics(base, inputs.origin, blank_nodes)
    inferred, reasoning = Graph(), None
    if reasoned:
        progress.start()
        reasoning = semantics.reason(store, FULL)
        if not reasoning.consistent:
            raise ReasoningInconsistency(reasoning.describe())
        inferred = semantics.graph(store, INFERRED_GRAPH)
        progress.done("reasoned (owlrl OWL 2 RL)", len(inferred), "inferred triples")
    report = semantics.validate(store, reasoning)
    progress.done("validated (SHACL)", len(report.results), "results")
    return inferred, report


def without_blank_nodes_of(graphs: Iterable[Graph], inferred: Graph) -> Graph:
    """`inferred` minus triples about blank nodes of `graphs` (the kept graphs, which stay in the store)."""
    # INSERT DATA always mints fresh blank nodes, so such a triple would land on a new, unconnected node.
    blank = {term for graph in graphs for triple in graph for term in triple if isinstance(term, BNode)}
    if not blank:
        return inferred
    kept = Graph()
    for triple in inferred:
        if not blank.intersection(triple):
            kept.add(triple)
    return kept


def build(
    handle: Store,
    inputs: Inputs,
    reasoned: bool = True,
    base: str = BASE,
    progress: Progress = QUIET,
) -> BuildResult:
    """Reason over and validate `inputs` plus the store's other graphs, then swap in the build's graphs."""
    # The server's write log (graph/writes) is metadata about writes, not asserted facts: kept, not
    # reasoned over.
    kept = {
        name: graph for name, graph in other_graphs(handle, inputs.graphs).items() if name != WRITES_GRAPH
    }
    # Derive: the reconciled view of every asserted graph's accounts, reasoned over and validated with them.
    inputs.graphs[RECONCILED_GRAPH] = reconciled_graph([*inputs.graphs.values(), *kept.values()])
    progress.done("derived the reconciled view", len(inputs.graphs[RECONCILED_GRAPH]))
    # The status intervals, from the reported acts and the reconciled view's order.
    inputs.graphs[STATUS_GRAPH] = status_graph([*inputs.graphs.values(), *kept.values()])
    progress.done("derived the treaty status intervals", len(inputs.graphs[STATUS_GRAPH]))
    inferred, report = check(inputs, kept, reasoned, base, progress)
    if not report.conforms:
        lines = [describe_result(result, inputs) for result in report.violations]
        raise ValidationFailed(f"does not conform: {len(lines)} SHACL violation(s)\n" + "\n".join(lines))
    graphs = {ONTOLOGY_GRAPH: inputs.ontology, **inputs.graphs}
    for derived in (RECONCILED_GRAPH, STATUS_GRAPH):
        if not len(graphs[derived]):  # nothing derived: no graph, as the fast build stores it
            del graphs[derived]
    inferred = without_blank_nodes_of(kept.values(), inferred)
    if len(inferred):
        graphs[INFERRED_GRAPH] = inferred
    build_record = provenance(
        inputs.ontology_path, inputs.files.values(), "owlrl OWL 2 RL" if reasoned else "none"
    )
    new_version = handle.replace_build_graphs(graphs, build=build_record)  # one transaction, or a push
    progress.done(f"stored in {handle.path}", sum(len(graph) for graph in graphs.values()), "quads")
    return BuildResult(new_version, {name: len(graph) for name, graph in graphs.items()}, report)
