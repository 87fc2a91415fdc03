"""A remote store as a store handle: its version record, the build's push, dumps and queries.

There is no local directory, so the store version (what `version.json` holds for the embedded store) lives
in the remote store itself: one triple in the graph `urn:x-treatykg:store`, written in the same request as
the data it describes. It is the only thing TreatyKG adds to a remote store; dumps and exports leave it out.

A build's push is one SPARQL Update request: DROP the build-owned graphs, INSERT DATA the new ones and the
new version record. Wherever the remote runs one update request as one transaction (the dialect's
`atomic_update`: Oxigraph server) readers see the old dataset or the new one, never a mix. A push larger
than the dialect's limits is staged instead: on Oxigraph server one update drops the old graphs, then one
Graph Store POST of N-Quads adds the new ones (one transaction there), so between the two a reader sees the
build's graphs missing, never a mix; elsewhere the push is a series of update requests
(graph/store/remote_writes.py), or of Graph Store POSTs where the dialect says (Virtuoso's bulk loader), with
the version record in the last, so a push cut off midway leaves the previous record, whose build graphs the
next build drops.

What TreatyKG's dataset on the remote is follows the dialect's union: every graph of the store, or, where
the store's default graph holds graphs of its own (Virtuoso's system graphs), the graphs the version record
lists, named as the Protocol's dataset with every query over the union.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import cast

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from treatykg.core.errors import StoreError
from treatykg.core.terms import BlankNodeMap, QueryResults, Substitutions, serialized, triples_to_ox
from treatykg.graph.query.prepared import inline_values
from treatykg.graph.store.embedded import StoreVersion, build_owned_graphs, graph_quads
from treatykg.graph.store.remote_client import (
    N_TRIPLES,
    RESULTS_JSON,
    Client,
    Endpoints,
    RemoteError,
    options_from_environment,
    parse_answer,
    plain_blank_labels,
    resolve,
)
from treatykg.graph.store.remote_dialects import Dialect, Union
from treatykg.graph.store.remote_writes import blank_nodes_as_iris, data_operations, requests
from treatykg.graph.store.sparql_files import read_query

META_GRAPH = "urn:x-treatykg:store"
RECORD = "urn:x-treatykg:record"


def record_graph(version: StoreVersion) -> Graph:
    """The version record as the one triple of the metadata graph."""
    graph = Graph()
    graph.add((URIRef(META_GRAPH), URIRef(RECORD), Literal(version.to_json())))
    return graph


def record_operations(version: StoreVersion) -> list[str]:
    """The operations that replace the version record: the last of every push."""
    record = "\n".join(f"{triple} ." for triple in triples_to_ox(record_graph(version), BlankNodeMap()))
    return [f"DROP SILENT GRAPH <{META_GRAPH}>", f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{\n{record}\n}} }}"]


def query_form(text: str) -> str | None:
    """The query's result family (solutions, boolean, graph), by Oxigraph's parser; None if it cannot tell."""
    # Not every store picks its answer's format by the query's form (Virtuoso answers a CONSTRUCT in SPARQL
    # JSON if asked first): ask for the one family's format. Run on an empty store, a query is only parsed.
    try:
        results = ox.Store().query(text)
    except (SyntaxError, ValueError, OSError):
        return None
    if isinstance(results, ox.QuerySolutions):
        return "solutions"
    return "boolean" if isinstance(results, ox.QueryBoolean) else "graph"


def parse_answer_bytes(body: bytes, results_format: ox.QueryResultsFormat, blank_node_prefix: str | None):
    """A whole query answer parsed, blank node IRIs of the store's (Virtuoso's) made plain labels."""
    if blank_node_prefix and results_format == ox.QueryResultsFormat.JSON:
        body = plain_blank_labels(body, blank_node_prefix)
    return ox.parse_query_results(body, results_format)


ACCEPT = {"solutions": RESULTS_JSON, "boolean": RESULTS_JSON, "graph": N_TRIPLES}


class RemoteStore:
    """A remote SPARQL store, used like the embedded OpenStore by build, query, export and the server."""

    def __init__(self, endpoints: Endpoints, timeout: float = 300.0):
        self.client = Client(endpoints, timeout)
        self.endpoints = endpoints
        self.dialect: Dialect = endpoints.dialect
        self.path = endpoints.location  # what messages name: the location, without credentials
        self._mirror: ox.Store | None = None

    # -- the dataset -----------------------------------------------------------------------------------

    def graph_names(self, version: StoreVersion | None = None, timeout: float | None = None) -> list[str]:
        """The names of the graphs that make TreatyKG's dataset on the remote (the version record's too)."""
        if self.dialect.union is Union.LISTED:
            version = self.version(timeout) if version is None else version
            names = set(version.graph_quads) | {META_GRAPH}
            if version.default_graph_quads and self.dialect.default_graph:
                names.add(self.dialect.default_graph)
            return sorted(names)
        with self.client.query(
            read_query("remote-graphs"), RESULTS_JSON, union=False, timeout=timeout
        ) as answer:
            return sorted(
                row["graph"].value for row in parse_answer(answer) if isinstance(row["graph"], ox.NamedNode)
            )

    def union_dataset(self, version: StoreVersion) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The dataset a query over the union names: () () where the remote's default graph is the union."""
        if self.dialect.union is not Union.LISTED:
            return (), ()
        names = self.graph_names(version)
        named = tuple(name for name in names if name != self.dialect.default_graph)
        return tuple(names), named

    # -- reading ---------------------------------------------------------------------------------------

    def version(self, timeout: float | None = None) -> StoreVersion:
        """The version record kept in the remote store (version 0 if it has none)."""
        with self.client.query(
            read_query("remote-version"), RESULTS_JSON, union=False, timeout=timeout
        ) as answer:
            rows = list(parse_answer(answer))
        if not rows:
            return StoreVersion()
        try:
            return StoreVersion.from_json(rows[0]["record"].value)
        except (ValueError, KeyError, TypeError) as error:
            raise StoreError(f"{self.path}: unreadable store version in <{META_GRAPH}> ({error})") from None

    def has_quads(self) -> bool:
        """Whether the remote holds any quad at all (of TreatyKG's graphs, where the dialect lists them)."""
        if self.dialect.union is Union.LISTED:
            version = self.version()
            return bool(version.default_graph_quads or any(version.graph_quads.values()))
        with self.client.query(read_query("remote-has-quads"), RESULTS_JSON, union=False) as answer:
            return bool(parse_answer(answer))

    def query_union(self, text: str, substitutions: Substitutions | None = None) -> QueryResults:
        """Run a query over the union of all graphs: QuerySolutions, QueryBoolean or a list of triples."""
        text = inline_values(text, substitutions or {})
        form = query_form(text)
        accept = ACCEPT[form] if form else f"{RESULTS_JSON}, {N_TRIPLES};q=0.9"
        default_graphs, named_graphs = self.union_dataset(self.version())
        try:
            with self.client.query(text, accept, True, default_graphs, named_graphs) as answer:
                media_type = answer.headers.get("Content-Type") or ""
                body = answer.read()
        except RemoteError as error:
            if error.status == 400:
                raise SyntaxError(str(error)) from None
            raise
        # Read whole, so the connection is closed before the caller walks the results.
        results_format = ox.QueryResultsFormat.from_media_type(media_type.split(";")[0].strip())
        if results_format is not None:
            return parse_answer_bytes(body, results_format, self.dialect.blank_node_prefix)
        return [quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]

    def dump_nquads(self, timeout: float | None = None) -> bytes:
        """Every quad of the remote store but the version record, as N-Quads."""
        if not self.dialect.dataset_graph_store:
            return self._dump_graph_by_graph(timeout)
        data = self.client.get_graph(None, timeout)
        marker = f"<{META_GRAPH}> .".encode()
        # N-Quads is one statement per line with the graph name last: dropping the record needs no parse.
        return b"".join(line for line in data.splitlines(keepends=True) if not line.rstrip().endswith(marker))

    def _dump_graph_by_graph(self, timeout: float | None) -> bytes:
        """The dataset by one Graph Store GET per graph (plain GSP has no whole-dataset GET)."""
        names: list[str | None] = [name for name in self.graph_names(timeout=timeout) if name != META_GRAPH]
        if self.dialect.default_graph is None:
            names.append("default")
        quads: list[ox.Quad] = []
        for name in names:
            try:
                data = self.client.get_graph(name, timeout)
            except RemoteError as error:
                if error.status == 404:
                    continue  # listed, yet emptied since (a store keeps no empty graphs)
                raise
            graph_name: ox.NamedNode | ox.DefaultGraph = ox.DefaultGraph()
            if name is not None and name not in ("default", self.dialect.default_graph):
                graph_name = ox.NamedNode(name)
            # Blank node labels are the store's own, the same in every answer: one document, one node.
            quads += [
                ox.Quad(quad.subject, quad.predicate, quad.object, graph_name)
                for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
            ]
        return serialized(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))

    @property
    def store(self) -> ox.Store:
        """An in-memory copy of the remote dataset (fetched once per handle), for exports and reasoning."""
        if self._mirror is None:
            mirror = ox.Store()
            mirror.load(self.dump_nquads(), format=ox.RdfFormat.N_QUADS)
            self._mirror = mirror
        return self._mirror

    # -- writing ---------------------------------------------------------------------------------------

    def replace_build_graphs(self, graphs: Mapping[str, Graph], build: dict | None = None) -> StoreVersion:
        """Drop the build-owned graphs and insert `graphs` with the new version record; keep all others."""
        previous = self.version()
        drop = build_owned_graphs(self.version()) | frozenset(graphs)
        named, default = graph_quads(self.store)
        counts = {name: quads for name, quads in named.items() if name not in drop and name != META_GRAPH}
        counts.update({name: len(graph) for name, graph in graphs.items()})
        version = StoreVersion(
            version=previous.version + 1,
            store_id=previous.store_id or uuid.uuid4().hex[:12],
            graph_quads=counts,
            default_graph_quads=default,
            build_graphs=tuple(sorted(graphs)),
            build=build if build is not None else previous.build,
        )
        blank_nodes = BlankNodeMap()  # one map for the whole push: the inferred graph names ontology bnodes
        quads = [
            ox.Quad(triple.subject, triple.predicate, triple.object, ox.NamedNode(name))
            for name in sorted(graphs)
            for triple in triples_to_ox(graphs[name], blank_nodes)
        ]
        if self.dialect.graph_store_push:
            try:
                self._graph_store_push(drop - {META_GRAPH}, quads, version)
            except RemoteError as error:
                raise StoreError(f"{self.path}: the push failed: {error}") from None
            self._mirror = None
            return version
        drops = [f"DROP SILENT GRAPH <{name}>" for name in sorted(drop - {META_GRAPH})]
        texts = requests(
            [*drops, *data_operations("INSERT", quads, self.dialect), *record_operations(version)],
            self.dialect,
        )
        try:
            if len(texts) > 1 and self.dialect.dataset_graph_store:
                self._staged_push(drop | {META_GRAPH}, quads, version)
            else:
                for text in texts:
                    self.client.update(text)
        except RemoteError as error:
            raise StoreError(f"{self.path}: the push failed: {error}") from None
        self._mirror = None
        return version

    def _graph_store_push(self, drop: frozenset[str], quads: list[ox.Quad], version: StoreVersion) -> None:
        """Drop; POST each graph's N-Triples in requests within the byte limit; then the version record."""
        if drop:
            self.client.update(" ;\n".join(f"DROP SILENT GRAPH <{name}>" for name in sorted(drop)))
        if self.dialect.blank_node_prefix:
            quads = blank_nodes_as_iris(quads, self.dialect.blank_node_prefix)
        by_graph: dict[str, list[bytes]] = {}
        for quad in quads:
            line = f"{quad.subject} {quad.predicate} {quad.object} .\n".encode()
            by_graph.setdefault(cast(ox.NamedNode, quad.graph_name).value, []).append(line)
        for name, lines in by_graph.items():
            chunk: list[bytes] = []
            size = 0
            for line in lines:
                if chunk and size + len(line) > self.dialect.max_update_bytes:
                    self.client.post_graph(name, b"".join(chunk))
                    chunk, size = [], 0
                chunk.append(line)
                size += len(line)
            if chunk:
                self.client.post_graph(name, b"".join(chunk))
        self.client.update(" ;\n".join(record_operations(version)))

    def _staged_push(self, drop: frozenset[str], quads: list[ox.Quad], version: StoreVersion) -> None:
        """Drop, then add every graph and the record in one Graph Store POST (too large for one update)."""
        self.client.update(" ;\n".join(f"DROP SILENT GRAPH <{name}>" for name in sorted(drop)))
        record = [
            ox.Quad(triple.subject, triple.predicate, triple.object, ox.NamedNode(META_GRAPH))
            for triple in triples_to_ox(record_graph(version), BlankNodeMap())
        ]
        self.client.post_dataset(serialized(ox.serialize([*quads, *record], format=ox.RdfFormat.N_QUADS)))

    def embedded(self) -> None:
        """None: a remote store has no directory, lock or database to swap; it is pushed to."""
        return None

    def close(self) -> None:
        """Forget the in-memory copy; there is no lock to release."""
        self._mirror = None

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_remote(location: str, options: Mapping[str, object] | None = None) -> RemoteStore:
    """The remote store at `location`; settings from `options`, else from TREATYKG_REMOTE_* variables."""
    return RemoteStore(resolve(location, {**options_from_environment(), **(options or {})}))
