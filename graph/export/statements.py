"""The store's quads as N-Triples text and graph name, blank nodes canonically labelled (RDFC-1.0).

Each graph is dumped by the store itself, line by line; only the quads that hold a blank node are kept in
memory, because RDFC-1.0 labels depend on those quads alone (a blank node's hash is made from the quads that
mention it and, through them, from other blank nodes), so canonicalising them apart gives the labels the
whole dataset would give them.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox

from treatykg.core.terms import serialized
from treatykg.graph.export.sorting import blocks

NT = ox.RdfFormat.N_TRIPLES
LINE_END = b" .\n"
BLOCK_BYTES = 2**20
DUMP_THREADS = 2


def graph_text(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> bytes:
    """A graph name as N-Quads writes it; empty for the default graph."""
    return b"" if isinstance(graph, ox.DefaultGraph) else str(graph).encode()


def statements(store: ox.Store, folder: Path) -> Iterator[tuple[list[bytes], bytes]]:
    """Every quad, in blocks of one graph's: (the triples in N-Triples without ` .`, the graph name)."""
    blank: list[ox.Quad] = []
    graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [ox.DefaultGraph(), *store.named_graphs()]

    def dump(index: int) -> Path:
        path = folder / f"graph-{index}.nt"
        store.dump(path, format=NT, from_graph=graphs[index])
        return path

    # Reading the store is most of the work and pyoxigraph lets go of the GIL meanwhile: two graphs are
    # dumped at once while this thread sorts out the lines of the graphs already dumped.
    with ThreadPoolExecutor(max_workers=DUMP_THREADS) as pool:
        for graph, path in zip(graphs, pool.map(dump, range(len(graphs))), strict=True):
            name, end = graph_text(graph), -len(LINE_END)
            for block in blocks(path, BLOCK_BYTES):
                if isinstance(graph, ox.BlankNode):
                    blank += [quad for line in block if (quad := _with_blank_node(line, graph))]
                    continue
                plain = [line[:end] for line in block if b"_:" not in line]
                if len(plain) < len(block):
                    for line in block:
                        if b"_:" in line:
                            quad = _with_blank_node(line, graph)
                            if quad is None:
                                plain.append(line[:end])
                            else:
                                blank.append(quad)
                yield plain, name
            path.unlink()
    if blank:
        dataset = ox.Dataset(blank)
        del blank
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        for quad in dataset:
            yield (
                [serialized(ox.serialize([quad.triple], format=NT))[: -len(LINE_END)]],
                graph_text(quad.graph_name),
            )


def _with_blank_node(line: bytes, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> ox.Quad | None:
    """The line's quad if it holds a blank node (`_:` may also sit inside a literal), else None."""
    triple = next(iter(ox.parse(line, format=NT))).triple
    terms = (triple.subject, triple.object, graph)
    if any(isinstance(term, ox.BlankNode) for term in terms):
        return ox.Quad(triple.subject, triple.predicate, triple.object, graph)
    return None
