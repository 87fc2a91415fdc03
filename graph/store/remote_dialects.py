"""What differs between SPARQL stores, one named property each; chosen by `remote_dialect`, never sniffed.

    oxigraph   Oxigraph server (the default), tested here
    virtuoso   OpenLink Virtuoso Open Source 7, tested here
    generic    plain SPARQL 1.1 Protocol + Graph Store Protocol: the starting point for other engines

docs/remote-store.md has the table of what holds on each, as the tests check it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Union(Enum):
    """How a query comes to see the union of all graphs as its default graph."""

    PARAMETER = "parameter"  # a request parameter asks for it (Oxigraph: union-default-graph=true)
    NATIVE = "native"  # the store's default graph is the union already (set up server-side)
    LISTED = "listed"  # the store's default graph is every graph it holds, its own system graphs too:
    # TreatyKG names its graphs (those of its version record) as the Protocol's dataset


@dataclass(frozen=True)
class Dialect:
    """A kind of store: its endpoints and how it differs from the SPARQL 1.1 specifications."""

    name: str
    query: str  # endpoint paths, appended to the location's base URL
    update: str
    store: str
    union: Union
    union_param: str = ""
    # Where updates and Graph Store requests go when credentials are given (Virtuoso's authenticated paths).
    update_with_credentials: str | None = None
    store_with_credentials: str | None = None
    digest_auth: bool = False  # credentials answer an HTTP Digest challenge (else they go as HTTP Basic)
    timeout_param: str = ""  # the store's own per-query limit, sent with every query
    timeout_scale: int = 1  # the timeout parameter's unit per second (1: seconds, 1000: milliseconds)
    # A header (name, value) by which the store marks an answer it cut short at its own limit yet sent
    # with 200 (Virtuoso's "anytime" answers): such an answer is refused, never passed on.
    partial_answer: tuple[str, str] | None = None
    default_graph: str | None = None  # None: a real default graph; else the named graph that stands in for it
    # None: blank nodes are written as such, a label naming one node only within one operation. Else the
    # IRI prefix under which the store reads numbered IRIs as its own blank nodes, one node across
    # operations and requests (Virtuoso: <nodeID://b123>); its INSERT templates spanning graphs fail.
    blank_node_prefix: str | None = None
    # Literals read back as the embedded store (Oxigraph) holds them. Both merge literals equal by value
    # ("5"^^xsd:integer and "5"^^xsd:nonNegativeInteger are one) but Virtuoso may keep the other datatype.
    same_literals_as_embedded: bool = True
    atomic_update: bool = True  # one update request is one transaction, all of it or none
    dataset_graph_store: bool = False  # the Graph Store URL alone GETs and POSTs the dataset as N-Quads
    # A build's push sends its graphs by Graph Store POSTs of N-Triples (each at most max_update_bytes),
    # between an update dropping the old graphs and one writing the version record (Virtuoso: its bulk
    # loader takes 20,000 triples in under a second, where INSERT DATA takes minutes).
    graph_store_push: bool = False
    max_update_bytes: int = 128 * 1024 * 1024 - 4096  # one update request's size
    max_operation_statements: int | None = None  # triples one INSERT DATA / DELETE DATA may hold


DIALECTS = {
    "oxigraph": Dialect(
        "oxigraph",
        "/query",
        "/update",
        "/store",
        Union.PARAMETER,
        union_param="union-default-graph",
        dataset_graph_store=True,
        # Oxigraph server refuses SPARQL bodies above 128 MiB; past this a push is staged.
        max_update_bytes=128 * 1024 * 1024 - 4096,
    ),
    "virtuoso": Dialect(
        "virtuoso",
        "/sparql",
        "/sparql",
        "/sparql-graph-crud",
        Union.LISTED,
        update_with_credentials="/sparql-auth",
        store_with_credentials="/sparql-graph-crud-auth",
        digest_auth=True,
        timeout_param="timeout",
        timeout_scale=1000,
        partial_answer=("X-SQL-State", "S1TAT"),
        default_graph="urn:x-treatykg:default-graph",
        blank_node_prefix="nodeID://b",
        graph_store_push=True,
        same_literals_as_embedded=False,
        atomic_update=False,
        # Its SPARQL compiler stops at 10,000 lines of generated SQL: about 1,000 triples per operation.
        max_update_bytes=1024 * 1024,  # a request runs under MaxQueryExecutionTime (60 s by default)
        max_operation_statements=500,
    ),
    "generic": Dialect("generic", "", "", "", Union.NATIVE),
}
