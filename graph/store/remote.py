"""A remote store as a store handle: its version record, the build's push, dumps and queries.

There is no local directory, so the store version (what `version.json` holds for the embedded store) lives
in the remote store itself: one triple in the graph `urn:x-treatykg:store`, written in the same request as
the data it describes. It is the only thing TreatyKG adds to a remote store; dumps and exports leave it out.

A build's push is one SPARQL Update request: DROP the build-owned graphs, INSERT DATA the new ones and the
new version record. Wherever the remote runs one update request as one transaction (Oxigraph server,
Fuseki/TDB2, GraphDB, Neptune) readers see the old dataset or the new one, never a mix. A push larger than
`max_update_bytes` (Oxigraph server refuses SPARQL bodies over 128 MiB) is staged instead: one update drops
the old graphs, then one Graph Store POST of N-Quads adds the new ones (one transaction on Oxigraph server);
between the two a reader sees the build's graphs missing, never a mix of old and new triples.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from treatykg.core.errors import StoreError
from treatykg.core.terms import BlankNodeMap, QueryResults, Substitutions, serialized, triples_to_ox
from treatykg.graph.store.embedded import StoreVersion, build_owned_graphs, graph_quads, replace_request
from treatykg.graph.store.remote_client import (
    N_TRIPLES,
    RESULTS_JSON,
    Client,
    Endpoints,
    RemoteError,
    options_from_environment,
    parse_answer,
    resolve,
)
from treatykg.graph.store.sparql_files import read_query

META_GRAPH = "urn:x-treatykg:store"
RECORD = "urn:x-treatykg:record"


def record_graph(version: StoreVersion) -> Graph:
    """The version record as the one triple of the metadata graph."""
    graph = Graph()
    graph.add((URIRef(META_GRAPH), URIRef(RECORD), Literal(version.to_json())))
    return graph


def with_values(text: str, substitutions: Mapping | None) -> str:
    """The query with its parameters bound by a trailing VALUES clause (the Protocol has no bindings)."""
    # SPARQL 1.1 §10.2.2: a trailing VALUES is joined with the query's solutions; every prepared query
    # projects its parameters, so this is the answer pyoxigraph's substitutions= gives.
    if not substitutions:
        return text
    names = " ".join(str(variable) for variable in substitutions)
    values = " ".join(str(term) for term in substitutions.values())
    return f"{text.rstrip()}\nVALUES ({names}) {{ ({values}) }}\n"


class RemoteStore:
    """A remote SPARQL store, used like the embedded OpenStore by build, query, export and the server."""

    def __init__(self, endpoints: Endpoints, timeout: float = 300.0):
        self.client = Client(endpoints, timeout)
        self.endpoints = endpoints
        self.path = endpoints.location  # what messages name: the location, without credentials
        self._mirror: ox.Store | None = None

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
        """Whether the remote holds any quad at all."""
        with self.client.query(read_query("remote-has-quads"), RESULTS_JSON, union=False) as answer:
            return bool(parse_answer(answer))

    def query_union(self, text: str, substitutions: Substitutions | None = None) -> QueryResults:
        """Run a query over the union of all graphs: QuerySolutions, QueryBoolean or a list of triples."""
        try:
            with self.client.query(
                with_values(text, substitutions), f"{RESULTS_JSON}, {N_TRIPLES};q=0.9"
            ) as answer:
                media_type = answer.headers.get("Content-Type") or ""
                body = answer.read()
        except RemoteError as error:
            if error.status == 400:
                raise SyntaxError(str(error)) from None
            raise
        # Read whole, so the connection is closed before the caller walks the results.
        results_format = ox.QueryResultsFormat.from_media_type(media_type.split(";")[0].strip())
        if results_format is not None:
            return ox.parse_query_results(body, results_format)
        return [quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]

    def dump_nquads(self, timeout: float | None = None) -> bytes:
        """Every quad of the remote store but the version record, as N-Quads."""
        data = self.client.get_graph(None, timeout)
        marker = f"<{META_GRAPH}> .".encode()
        # N-Quads is one statement per line with the graph name last: dropping the record needs no parse.
        return b"".join(line for line in data.splitlines(keepends=True) if not line.rstrip().endswith(marker))

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
        written = {**graphs, META_GRAPH: record_graph(version)}
        request = replace_request(drop | {META_GRAPH}, written)
        try:
            if len(request.encode("utf-8")) <= self.endpoints.max_update_bytes:
                self.client.update(request)
            else:
                self._staged_push(drop | {META_GRAPH}, written)
        except RemoteError as error:
            raise StoreError(f"{self.path}: the push failed: {error}") from None
        self._mirror = None
        return version

    def _staged_push(self, drop: frozenset[str], graphs: Mapping[str, Graph]) -> None:
        """Drop, then add every graph in one Graph Store POST (too large for one update request)."""
        self.client.update(replace_request(drop, {}))
        blank_nodes = BlankNodeMap()  # one map for the whole document: graphs share blank nodes
        quads = [
            ox.Quad(triple.subject, triple.predicate, triple.object, ox.NamedNode(name))
            for name in sorted(graphs)
            for triple in triples_to_ox(graphs[name], blank_nodes)
        ]
        self.client.post_dataset(serialized(ox.serialize(quads, format=ox.RdfFormat.N_QUADS)))

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
