"""Dumps of the store as linked data: byte-identical for the same content, whatever the build that made it.

Determinism: blank nodes get RDFC-1.0 canonical labels over the whole dataset (so one node has one label in
every file), statements are sorted (line formats line by line), prefixes are a fixed table, JSON keys are
sorted by the writer, and nothing time-dependent is written.

Memory stays bounded whatever the store holds: the store writes each graph out line by line, an external
merge sort (`sorting`) orders the lines in a working folder beside the output, and each format is written
from sorted files one statement (or, for JSON-LD, one subject) at a time.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from treatykg.core.iris import DUMPS, INFERRED_GRAPH, ONTOLOGY_GRAPH, PREFIXES, RECONCILED_GRAPH, STATUS_GRAPH
from treatykg.core.terms import BlankNodeMap, serialized, triples_to_ox
from treatykg.graph.export import jsonld
from treatykg.graph.export.describe import DatasetCounts, Distribution, describe_dataset
from treatykg.graph.export.sorting import blocks, sorted_records
from treatykg.graph.export.statements import LINE_END, statements
from treatykg.graph.export.tally import Tally


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
    "asserted": "the asserted data: every graph except the ontology and the inferred graph",
    "inferred": "the triples inferred under OWL 2 RL",
    "reconciled": "the reconciled view of the sources' accounts, derived by the build, with its conflicts",
    "status": "the treaty status intervals, derived by the build from the reconciled, reported acts",
    "dataset": "the whole dataset, every named graph",
}
# The derived graphs' dumps, which a store without them does not get; asserted.* leaves them out, and says so.
DERIVED_DUMPS = ("reconciled", "status")
ASSERTED_BESIDE_DERIVED = "the asserted data: every graph except {}"


# Each statement's dump besides "dataset", tagged in the sort records by one byte.
TAGS = {b"o": "ontology", b"a": "asserted", b"i": "inferred", b"r": "reconciled", b"s": "status"}
GRAPH_TAGS = {
    f"<{ONTOLOGY_GRAPH}>".encode(): b"o",
    f"<{INFERRED_GRAPH}>".encode(): b"i",
    f"<{RECONCILED_GRAPH}>".encode(): b"r",
    f"<{STATUS_GRAPH}>".encode(): b"s",
}
TRIPLE_DUMPS = ("ontology", "asserted", "inferred", "reconciled", "status")
# Records are NUL-separated fields: N-Triples escapes NUL, and NUL sorts before every byte a term can hold, so
# records sort as their fields do, field by field. (triple, graph) order is the byte order of N-Quads lines,
# with a triple's copies in several graphs next to each other.
SEP = b"\0"


def _sorted_statements(store: ox.Store, work: Path) -> tuple[Path, dict[str, int], DatasetCounts]:
    """Every quad as a `triple NUL graph NUL tag` record in N-Quads line order, in a file; quads per dump."""
    counts = dict.fromkeys(DUMP_TITLES, 0)

    def records() -> Iterator[list[bytes]]:
        for triples, graph in statements(store, work):
            tag = GRAPH_TAGS.get(graph, b"a")
            counts[TAGS[tag]] += len(triples)
            suffix = SEP + graph + SEP + tag + b"\n"
            yield [triple + suffix for triple in triples]

    path = work / "statements"
    tally = Tally(work)
    with path.open("wb", buffering=2**20) as stream:
        for block in tally.records(sorted_records(records(), work)):
            stream.writelines(block)
    counts["dataset"] = sum(counts[dump] for dump in TRIPLE_DUMPS)
    return path, counts, tally.counts()


def _fields(path: Path) -> Iterator[list[list[bytes]]]:
    """The records of a file, split into their fields, a block at a time."""
    for block in blocks(path):
        yield [record[:-1].split(SEP) for record in block]


def _nquads_line(triple: bytes, graph: bytes) -> bytes:
    """An N-Quads line."""
    return triple + b" " + graph + LINE_END if graph else triple + LINE_END


@contextmanager
def _outputs(paths: Iterable[Path]) -> Iterator[dict[Path, BinaryIO]]:
    """Files written under temporary names and renamed together at the end: readers never see half a dump."""
    temporary = {path: path.with_name(f".{path.name}.{os.getpid()}.tmp") for path in paths}
    streams: dict[Path, BinaryIO] = {}
    try:
        for path, name in temporary.items():
            streams[path] = name.open("wb", buffering=2**20)
        yield streams
        for stream in streams.values():
            stream.close()
        for path, name in temporary.items():
            os.replace(name, path)
    finally:
        for stream in streams.values():
            stream.close()
        for name in temporary.values():
            name.unlink(missing_ok=True)


def _write_nquads(statements_file: Path, paths: dict[str, Path]) -> None:
    """N-Quads dumps: the sorted records are already in line order."""
    with _outputs(paths.values()) as streams:
        dataset = streams[paths["dataset"]]
        for block in _fields(statements_file):
            lines = [_nquads_line(triple, graph) for triple, graph, _tag in block]
            dataset.writelines(lines)
            for tag, dump in TAGS.items():
                if dump in paths:  # no reconciled.* or status.* for a store without that derived graph
                    streams[paths[dump]].writelines(
                        [line for line, f in zip(lines, block, strict=True) if f[2] == tag]
                    )


def _write_ntriples(statements_file: Path, paths: dict[str, Path]) -> None:
    """N-Triples dumps: the records' triples, a triple in several graphs once (its copies are adjacent)."""
    last = dict.fromkeys(TAGS, b"")
    with _outputs(paths.values()) as streams:
        for block in _fields(statements_file):
            for tag, dump in TAGS.items():
                triples = [last[tag]] + [triple for triple, _graph, t in block if t == tag]
                unique = [b + LINE_END for a, b in pairwise(triples) if a != b]
                streams[paths[dump]].writelines(unique)
                last[tag] = triples[-1]


def _write_graph_first(statements_file: Path, work: Path) -> dict[str, Path]:
    """N-Quads files per dump in (graph, subject, predicate, object) order, the order TriG is written in."""

    def records() -> Iterator[list[bytes]]:
        for block in _fields(statements_file):
            yield [graph + SEP + triple + SEP + tag + b"\n" for triple, graph, tag in block]

    paths = {dump: work / f"{dump}.graph-first.nq" for dump in DUMP_TITLES}
    with _outputs(paths.values()) as streams:
        dataset = streams[paths["dataset"]]
        by_tag = {tag: streams[paths[dump]] for tag, dump in TAGS.items()}
        for block in sorted_records(records(), work):
            for record in block:
                graph, triple, tag = record[:-1].split(SEP)
                line = _nquads_line(triple, graph)
                dataset.write(line)
                by_tag[tag].write(line)
    return paths


def _write_syntax(source: Path, source_format: ox.RdfFormat, path: Path, dump_format: DumpFormat) -> None:
    """Turtle, TriG or RDF/XML from a file of sorted lines, statement by statement, prefix lines sorted."""
    statements_in = ox.parse(path=source, format=source_format)
    quads = (quad.triple for quad in statements_in) if not dump_format.quads else statements_in
    with _outputs([path]) as streams:
        stream = streams[path]
        if dump_format.rdf_format == ox.RdfFormat.RDF_XML:
            ox.serialize(quads, stream, format=dump_format.rdf_format, prefixes=_prefixes(dump_format))
            return
        with tempfile.TemporaryFile(dir=source.parent) as unsorted:
            ox.serialize(quads, unsorted, format=dump_format.rdf_format, prefixes=_prefixes(dump_format))
            unsorted.seek(0)
            lines = iter(unsorted)
            prefixes, first = [], b""
            for line in lines:
                if not line.startswith(b"@prefix "):
                    first = line
                    break
                prefixes.append(line)
            stream.writelines(sorted(prefixes))
            stream.write(first)
            shutil.copyfileobj(unsorted, stream, 2**20)


def _write_jsonld(statements_file: Path, work: Path, paths: dict[str, Path], context: dict) -> None:
    """JSON-LD dumps: records sorted by graph id, then subject id, written one subject's node at a time."""

    def records() -> Iterator[list[bytes]]:
        for block in _fields(statements_file):
            yield [
                _node_id(graph) + SEP + _node_id(triple) + SEP + triple + SEP + tag + b"\n"
                for triple, graph, tag in block
            ]

    with _outputs(paths.values()) as streams:
        documents = {dump: jsonld.Document(streams[path], context) for dump, path in paths.items()}
        group: list[bytes] = []
        key: tuple[bytes, bytes, bytes] | None = None
        for block in sorted_records(records(), work):
            for record in block:
                graph, subject, triple, tag = record[:-1].split(SEP)
                if key is not None and key != (graph, subject, tag):
                    _write_node(documents, key, group)
                    group = []
                key = (graph, subject, tag)
                group.append(triple + LINE_END)
        if key is not None:
            _write_node(documents, key, group)
        for document in documents.values():
            document.close()


def _write_node(
    documents: dict[str, jsonld.Document], key: tuple[bytes, bytes, bytes], lines: list[bytes]
) -> None:
    """One subject's node, into the dataset and into its own dump."""
    graph_id, _subject, tag = key
    triples = [quad.triple for quad in ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES)]
    graph = graph_id.decode("utf-8") if graph_id else None
    documents["dataset"].node(graph, triples)
    documents[TAGS[tag]].node(graph, triples)


def _node_id(text: bytes) -> bytes:
    """The JSON-LD @id of the term that `text` (a graph name or a triple) starts with: an IRI or `_:label`."""
    if not text:
        return b""
    if text.startswith(b"<"):
        return text[1 : text.index(b">")]
    end = text.find(b" ")
    return text if end < 0 else text[:end]


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


def dump_names(dump_format: DumpFormat, derived: Collection[str] = ()) -> list[str]:
    """The dumps a format gets; a derived graph's (DERIVED_DUMPS) only where `derived` names it."""
    return [
        name
        for name in DUMP_TITLES
        if (dump_format.quads or name != "dataset") and (name not in DERIVED_DUMPS or name in derived)
    ]


def asserted_title(derived: Collection[str]) -> str:
    """The title of asserted.*, naming the derived graphs it leaves out."""
    words = {"reconciled": "the reconciled view", "status": "the treaty status graph"}
    names = ["the ontology", "the inferred graph"] + [
        words[name] for name in DERIVED_DUMPS if name in derived
    ]
    if len(names) == 2:
        return DUMP_TITLES["asserted"]
    return ASSERTED_BESIDE_DERIVED.format(", ".join(names[:-1]) + " and " + names[-1])


def export(
    store: ox.Store,
    out: Path,
    formats: Sequence[str],
    build: Mapping[str, Any],
    dumps_base: str = DUMPS,
    progress: Callable[[str, int], None] = lambda _step, _count: None,
) -> list[Path]:
    """Write the dumps, void.ttl and context.jsonld into `out`; the paths written, in order."""
    out.mkdir(parents=True, exist_ok=True)
    ontology = store.quads_for_pattern(None, None, None, ox.NamedNode(ONTOLOGY_GRAPH))
    context = jsonld.context(quad.triple for quad in ontology)  # named terms only: blank labels don't matter
    written, distributions = [], []
    with tempfile.TemporaryDirectory(prefix=".export-", dir=out) as folder:
        work = Path(folder)
        statements_file, counts, dataset_counts = _sorted_statements(store, work)
        derived = [name for name in DERIVED_DUMPS if counts[name] > 0]
        titles = {**DUMP_TITLES, "asserted": asserted_title(derived)}
        triples: dict[str, Path] = {}
        graph_first: dict[str, Path] = {}
        for name in formats:
            dump_format = FORMATS[name]
            paths = {
                dump: out / f"{dump}.{dump_format.extension}" for dump in dump_names(dump_format, derived)
            }
            if dump_format.rdf_format == ox.RdfFormat.N_QUADS:
                _write_nquads(statements_file, paths)
            elif dump_format.rdf_format == ox.RdfFormat.JSON_LD:
                _write_jsonld(statements_file, work, paths, context)
            elif dump_format.quads:
                graph_first = graph_first or _write_graph_first(statements_file, work)
                for dump, path in paths.items():
                    _write_syntax(graph_first[dump], ox.RdfFormat.N_QUADS, path, dump_format)
            else:
                if not triples:
                    triples = {dump: work / f"{dump}.nt" for dump in TRIPLE_DUMPS}
                    _write_ntriples(statements_file, triples)
                for dump, path in paths.items():
                    if dump_format.rdf_format == ox.RdfFormat.N_TRIPLES:
                        with _outputs([path]) as streams, triples[dump].open("rb") as source:
                            shutil.copyfileobj(source, streams[path], 2**20)
                    else:
                        _write_syntax(triples[dump], ox.RdfFormat.N_TRIPLES, path, dump_format)
            for dump, path in paths.items():
                written.append(path)
                distributions.append(
                    Distribution(dumps_base + path.name, dump_format.media_type, f"{titles[dump]} ({name})")
                )
                progress(f"wrote {path}", counts[dump])
    context_path = out / "context.jsonld"
    _write(context_path, jsonld.context_document(context))
    void_path = out / "void.ttl"
    _write(void_path, void_turtle(store, distributions, dict(build), dataset_counts))
    return [*written, context_path, void_path]


def void_turtle(
    store: ox.Store, distributions: Iterable[Distribution], build: dict, counts: DatasetCounts | None = None
) -> bytes:
    """The VoID description as canonical, sorted Turtle."""
    description = describe_dataset(store, distributions, build, counts=counts)
    dataset = ox.Dataset(
        ox.Quad(t.subject, t.predicate, t.object) for t in triples_to_ox(description, BlankNodeMap())
    )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    triples = sorted(
        (quad.triple for quad in dataset), key=lambda t: (str(t.subject), str(t.predicate), str(t.object))
    )
    data = serialized(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES)))
    lines = data.splitlines(keepends=True)
    count = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix ")), len(lines))
    return b"".join(sorted(lines[:count]) + lines[count:])
