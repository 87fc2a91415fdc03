"""The streaming export writes the bytes the whole-dataset writer wrote, on the article and on generated data.

The oracle is that writer: the whole store in memory, RDFC-1.0 over every quad, sorted, serialised per dump.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from pipeline_support import article_store, copy_store

from treatykg.cli.main import main
from treatykg.core.iris import (
    DUMPS,
    INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    PREFIXES,
    RECONCILED_GRAPH,
    STATUS_GRAPH,
    SYNTHETIC_BASE,
)
from treatykg.graph.export import dumps, jsonld, sorting, statements
from treatykg.graph.export.describe import Distribution
from treatykg.graph.store.embedded import open_store
from treatykg.graph.synthetic.generate import generate_lines

pytestmark = pytest.mark.slow

EX = "http://example.org/vocab#"
# The derived graphs with dumps of their own, where the store holds them.
DERIVED = {"reconciled": RECONCILED_GRAPH, "status": STATUS_GRAPH}
# Blank nodes the canonical labels must tell apart (a 3-cycle, two isomorphic 2-cycles, a labelled node),
# `_:` inside a literal, escapes, terms that are prefixes of others, one triple in several graphs.
EXTRA = f"""
<{SYNTHETIC_BASE}id/note/a> <{EX}note> _:n1 .
_:n1 <http://www.w3.org/2000/01/rdf-schema#label> "first" .
_:n1 <{EX}next> _:n2 .
_:n2 <{EX}next> _:n3 .
_:n3 <{EX}next> _:n1 .
_:n4 <{EX}next> _:n5 .
_:n5 <{EX}next> _:n4 .
_:n6 <{EX}next> _:n7 .
_:n7 <{EX}next> _:n6 .
_:n8 <http://www.w3.org/2000/01/rdf-schema#label> "a \\"quoted\\" é label"@en .
<{SYNTHETIC_BASE}id/note/b> <{EX}note> _:n8 .
<{SYNTHETIC_BASE}id/note/b> <{EX}text> "not a blank node: _:n9" .
<{SYNTHETIC_BASE}id/note/b> <{EX}text> "tab\\there, NUL\\u0000there" .
<{SYNTHETIC_BASE}id/note/b> <{EX}text> "abc" .
<{SYNTHETIC_BASE}id/note/b> <{EX}text> "abc"@en .
<{SYNTHETIC_BASE}id/note/b> <{EX}text> "abc"^^<{EX}code> .
<{SYNTHETIC_BASE}id/note> <{EX}text> "a prefix of another subject" .
"""


def _old_snapshot(store: ox.Store) -> list[ox.Quad]:
    dataset = ox.Dataset(store)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)

    def key(quad: ox.Quad) -> tuple[str, ...]:
        graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)
        return graph, str(quad.subject), str(quad.predicate), str(quad.object)

    return sorted(dataset, key=key)


def _old_select(quads: list[ox.Quad], dump: str) -> list[ox.Quad]:
    def graph_of(quad: ox.Quad) -> str | None:
        return None if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value

    if dump == "dataset":
        return quads
    own = {"ontology": ONTOLOGY_GRAPH, "inferred": INFERRED_GRAPH, **DERIVED}
    if dump in own:
        return [quad for quad in quads if graph_of(quad) == own[dump]]
    return [quad for quad in quads if graph_of(quad) not in own.values()]


def _old_jsonld(quads: list[ox.Quad], ctx: dict) -> bytes:
    writer = jsonld.Writer(ctx)
    graphs: dict[str | None, list[ox.Triple]] = defaultdict(list)
    for quad in quads:
        name = None if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        if isinstance(quad.graph_name, ox.BlankNode):
            name = f"_:{name}"
        graphs[name].append(quad.triple)
    top = writer.nodes(graphs.pop(None, []))
    top += [{"@id": name, "@graph": writer.nodes(graphs[name])} for name in sorted(graphs)]  # type: ignore[type-var]  # None was popped
    return (json.dumps({"@context": ctx, "@graph": top}, indent=2, ensure_ascii=False) + "\n").encode()


def _old_serialize(quads: list[ox.Quad], dump_format: dumps.DumpFormat, ctx: dict) -> bytes:
    if dump_format.rdf_format == ox.RdfFormat.JSON_LD:
        return _old_jsonld(quads, ctx)
    lines_format = dump_format.rdf_format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
    prefixes = None if lines_format else dict(PREFIXES)
    statements: list = quads
    if not dump_format.quads:
        statements = sorted(
            {quad.triple for quad in quads}, key=lambda t: (str(t.subject), str(t.predicate), str(t.object))
        )
    data = ox.serialize(statements, format=dump_format.rdf_format, prefixes=prefixes)
    lines = data.splitlines(keepends=True)
    if lines_format:
        return b"".join(sorted(lines))
    if dump_format.rdf_format == ox.RdfFormat.RDF_XML:
        return data
    count = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix ")), len(lines))
    return b"".join(sorted(lines[:count]) + lines[count:])


def old_export(path: Path) -> dict[str, bytes]:
    """Every dump's bytes as the whole-dataset writer made them, and void.ttl with counts by SPARQL."""
    with open_store(path) as handle:
        quads = _old_snapshot(handle.store)
        ctx = jsonld.context(quad.triple for quad in _old_select(quads, "ontology"))
        files, distributions = {}, []
        derived = [dump for dump in DERIVED if _old_select(quads, dump)]
        titles = {**dumps.DUMP_TITLES, "asserted": dumps.asserted_title(derived)}
        for name, dump_format in dumps.FORMATS.items():
            for dump in dumps.dump_names(dump_format, derived):
                files[f"{dump}.{dump_format.extension}"] = _old_serialize(
                    _old_select(quads, dump), dump_format, ctx
                )
                distributions.append(
                    Distribution(
                        DUMPS + f"{dump}.{dump_format.extension}",
                        dump_format.media_type,
                        f"{titles[dump]} ({name})",
                    )
                )
        files["void.ttl"] = dumps.void_turtle(handle.store, distributions, handle.version().build)
    return files


@pytest.fixture(scope="module")
def generated_store(tmp_path_factory) -> Path:
    """2,000 generated triples, blank nodes and awkward literals, plus quads the build can't make."""
    folder = tmp_path_factory.mktemp("generated")
    data = folder / "generated.nt"
    data.write_text("".join(generate_lines(2000, seed=1)) + EXTRA, encoding="utf-8")
    store = folder / "store"
    assert main(["build", "--data", str(data), "--base", SYNTHETIC_BASE, "--store", str(store)]) == 0
    with open_store(store) as handle:
        note, text = ox.NamedNode(f"{SYNTHETIC_BASE}id/note/b"), ox.NamedNode(EX + "text")
        blank_graph, shared = ox.BlankNode("written"), ox.Literal("abc")
        handle.store.add(ox.Quad(note, text, shared))  # the default graph: one triple in three graphs
        handle.store.add(ox.Quad(note, text, shared, ox.NamedNode(f"{SYNTHETIC_BASE}graph/written")))
        handle.store.add(ox.Quad(note, text, ox.Literal("in a blank graph"), blank_graph))
        handle.store.add(ox.Quad(ox.BlankNode("x"), text, ox.Literal("blank in a blank graph"), blank_graph))
    return store


def assert_same_dumps(store: Path, out: Path) -> None:
    """The streaming export of every format equals the whole-dataset writer's, file by file."""
    expected = old_export(store)
    assert main(["export", "--store", str(store), "--out", str(out)]) == 0
    assert sorted(path.name for path in out.iterdir()) == sorted([*expected, "context.jsonld"])
    for name, data in expected.items():
        assert (out / name).read_bytes() == data, name


def test_article_dumps_are_the_whole_dataset_writers_bytes(tmp_path):
    store = copy_store(article_store(), tmp_path / "store")
    assert_same_dumps(store, tmp_path / "out")
    assert b"_:c14n0 " in (tmp_path / "out" / "dataset.nq").read_bytes()


def test_generated_dumps_with_blank_nodes_are_the_whole_dataset_writers_bytes(generated_store, tmp_path):
    assert_same_dumps(generated_store, tmp_path / "out")
    dataset = (tmp_path / "out" / "dataset.nq").read_bytes()
    assert b'"blank in a blank graph" _:c14n' in dataset
    assert (tmp_path / "out" / "asserted.nt").read_bytes().count(
        b"/note/b> <" + EX.encode() + b'text> "abc" .\n'
    ) == 1


def test_the_external_sort_spills_runs_and_merges_them_to_the_same_bytes(
    generated_store, tmp_path, monkeypatch
):
    monkeypatch.setattr(sorting, "RUN_BYTES", 16 * 1024)
    monkeypatch.setattr(statements, "BLOCK_BYTES", 4 * 1024)
    spilled: list[Path] = []
    spill = sorting._spill
    monkeypatch.setattr(
        sorting, "_spill", lambda chunk, folder: spilled.append(spill(chunk, folder)) or spilled[-1]
    )
    assert_same_dumps(generated_store, tmp_path / "out")
    assert len(spilled) > 50
    assert not any(path.exists() for path in spilled)
    assert [path.name for path in (tmp_path / "out").iterdir() if path.name.startswith(".")] == []
