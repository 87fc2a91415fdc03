"""Dumps of the store as linked data: byte-identical for the same content, whatever the build that made it.

Determinism: blank nodes get RDFC-1.0 canonical labels over the whole dataset (so one node has one label in
every file), quads are sorted before serialising (line formats are then sorted line by line), prefixes are a
fixed table, JSON keys are sorted by the writer, and nothing time-dependent is written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from treatykg.core.iris import DUMPS, INFERRED_GRAPH, ONTOLOGY_GRAPH, PREFIXES, RECONCILED_GRAPH
from treatykg.core.terms import BlankNodeMap, serialized, triples_to_ox
from treatykg.graph.export import jsonld
from treatykg.graph.export.describe import Distribution, describe_dataset
from treatykg.graph.store.embedded import StoreVersion


@dataclass(frozen=True)
class DumpFormat:
    """An export format: its file extension, pyoxigraph format and whether it keeps graph names."""

    extension: str
    rdf_format: ox.RdfFormat
    media_type: str
    quads: bool


FORMATS = {
    "ttl": DumpFormat("ttl", ox.RdfFormat.TURTLE, "text/turtle", False),
    "nt": DumpFormat("nt", ox.RdfFormat.N_TRIPLES, "application/n-triples", False),
    "rdfxml": DumpFormat("rdf", ox.RdfFormat.RDF_XML, "application/rdf+xml", False),
    "nq": DumpFormat("nq", ox.RdfFormat.N_QUADS, "application/n-quads", True),
    "trig": DumpFormat("trig", ox.RdfFormat.TRIG, "application/trig", True),
    "jsonld": DumpFormat("jsonld", ox.RdfFormat.JSON_LD, "application/ld+json", True),
}

# What each dump holds. Triple formats can't say which graph a triple is in, so they get no dataset dump:
# ontology + asserted + inferred of one format together are the dataset, minus the graph names.
DUMP_TITLES = {
    "ontology": "the TreatyKG ontology",
    "asserted": "the asserted data: every graph except the ontology and the inferred and reconciled graphs",
    "inferred": "the triples inferred under OWL 2 RL",
    "reconciled": "the reconciled view of the sources' accounts, derived by the build, with its conflicts",
    "dataset": "the whole dataset, every named graph",
}


def snapshot(store: ox.Store) -> list[ox.Quad]:
    """Every quad of the store, blank nodes canonically labelled (RDFC-1.0), sorted."""
    dataset = ox.Dataset(store)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=_sort_key)


def _sort_key(quad: ox.Quad) -> tuple[str, str, str, str]:
    """Graph, subject, predicate, object in N-Triples form: a total order independent of the store."""
    graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)
    return graph, str(quad.subject), str(quad.predicate), str(quad.object)


def select(quads: Iterable[ox.Quad], dump: str) -> list[ox.Quad]:
    """The quads of one dump: ontology, asserted, inferred or dataset."""

    def graph_of(quad: ox.Quad) -> str | None:
        return None if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value

    if dump == "dataset":
        return list(quads)
    if dump == "ontology":
        return [quad for quad in quads if graph_of(quad) == ONTOLOGY_GRAPH]
    if dump == "inferred":
        return [quad for quad in quads if graph_of(quad) == INFERRED_GRAPH]
    if dump == "reconciled":
        return [quad for quad in quads if graph_of(quad) == RECONCILED_GRAPH]
    return [
        quad for quad in quads if graph_of(quad) not in (ONTOLOGY_GRAPH, INFERRED_GRAPH, RECONCILED_GRAPH)
    ]


def serialize(quads: Sequence[ox.Quad], dump_format: DumpFormat, context: dict) -> bytes:
    """One dump's bytes; triple formats merge the graphs (a triple in two graphs is written once)."""
    if dump_format.rdf_format == ox.RdfFormat.JSON_LD:
        return jsonld.dumps(quads, context)
    if dump_format.quads:
        data = serialized(ox.serialize(quads, format=dump_format.rdf_format, prefixes=_prefixes(dump_format)))
    else:
        triples = sorted(
            {quad.triple for quad in quads},
            key=lambda t: (str(t.subject), str(t.predicate), str(t.object)),
        )
        data = serialized(
            ox.serialize(triples, format=dump_format.rdf_format, prefixes=_prefixes(dump_format))
        )
    if dump_format.rdf_format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        # One statement per line: sorting the bytes of the lines is the stable order diff tools like.
        data = b"".join(sorted(data.splitlines(keepends=True)))
    elif dump_format.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        data = _sort_prefix_lines(data)
    return data


def _sort_prefix_lines(data: bytes) -> bytes:
    """Sort the leading @prefix lines: pyoxigraph does not promise the order it writes them in."""
    lines = data.splitlines(keepends=True)
    count = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix ")), len(lines))
    return b"".join(sorted(lines[:count]) + lines[count:])


def _prefixes(dump_format: DumpFormat) -> dict[str, str] | None:
    """The fixed prefix table, for the formats that use prefixes."""
    if dump_format.rdf_format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        return None
    return dict(PREFIXES)


def _write(path: Path, data: bytes) -> None:
    """Write a file atomically (temporary file, then rename): readers never see half a dump."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def dump_names(dump_format: DumpFormat, reconciled: bool = False) -> list[str]:
    """The dumps a format gets; the reconciled view's only where the store holds one (a store with no
    accounts derives nothing)."""
    return [
        name
        for name in DUMP_TITLES
        if (dump_format.quads or name != "dataset") and (reconciled or name != "reconciled")
    ]


def export(
    store: ox.Store,
    out: Path,
    formats: Sequence[str],
    version: StoreVersion,
    dumps_base: str = DUMPS,
    progress: Callable[[str, int], None] = lambda _step, _count: None,
) -> list[Path]:
    """Write the dumps, void.ttl and context.jsonld into `out`; the paths written, in order."""
    out.mkdir(parents=True, exist_ok=True)
    quads = snapshot(store)
    context = jsonld.context(quad.triple for quad in select(quads, "ontology"))
    written, distributions = [], []
    reconciled = any(quad.graph_name == ox.NamedNode(RECONCILED_GRAPH) for quad in quads)
    for name in formats:
        dump_format = FORMATS[name]
        for dump in dump_names(dump_format, reconciled):
            selected = select(quads, dump)
            path = out / f"{dump}.{dump_format.extension}"
            _write(path, serialize(selected, dump_format, context))
            written.append(path)
            distributions.append(
                Distribution(dumps_base + path.name, dump_format.media_type, f"{DUMP_TITLES[dump]} ({name})")
            )
            progress(f"wrote {path}", len(selected))
    context_path = out / "context.jsonld"
    _write(context_path, jsonld.context_document(context))
    void_path = out / "void.ttl"
    _write(void_path, void_turtle(store, distributions, version.build))
    return [*written, context_path, void_path]


def void_turtle(store: ox.Store, distributions: Iterable[Distribution], build: dict) -> bytes:
    """The VoID description as canonical, sorted Turtle."""
    description = describe_dataset(store, distributions, build)
    dataset = ox.Dataset(
        ox.Quad(t.subject, t.predicate, t.object) for t in triples_to_ox(description, BlankNodeMap())
    )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return serialize(sorted(dataset, key=_sort_key), FORMATS["ttl"], {})
