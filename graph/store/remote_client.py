"""A remote store: any SPARQL 1.1 Protocol + Graph Store Protocol server, named `sparql+http(s)://…`.

The location minus `sparql+` is the store's base URL; the query, update and Graph Store endpoints are
derived from it by a dialect (Oxigraph server by default: `<base>/query`, `<base>/update`, `<base>/store`)
and each may be overridden by a setting (an absolute path on the same host, or a full URL):

    setting             environment                       config file ([server])
    dialect             TREATYKG_REMOTE_DIALECT           remote_dialect (oxigraph, fuseki, graphdb, …)
    query endpoint      TREATYKG_REMOTE_QUERY             remote_query
    update endpoint     TREATYKG_REMOTE_UPDATE            remote_update
    Graph Store         TREATYKG_REMOTE_STORE             remote_store
    union parameter     TREATYKG_REMOTE_UNION_PARAM       remote_union_param ("" when the store needs none)
    timeout parameter   TREATYKG_REMOTE_TIMEOUT_PARAM     remote_timeout_param ("" for none)
    bearer token        TREATYKG_REMOTE_TOKEN             remote_token (or user:password@ in the URL: Basic)
    one-request limit   TREATYKG_REMOTE_MAX_UPDATE_BYTES  remote_max_update_bytes

Deadlines are the client's: a watchdog shuts the socket at the deadline, so a slow remote never holds a
caller longer than its timeout, whatever the remote does with the query it was sent.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import math
import os
import socket
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

from treatykg.core.errors import InputError, StoreError

SCHEMES = ("sparql+http://", "sparql+https://")
ENV_PREFIX = "TREATYKG_REMOTE_"
OPTIONS = (
    "dialect",
    "query",
    "update",
    "store",
    "union_param",
    "timeout_param",
    "token",
    "max_update_bytes",
)
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
N_QUADS = "application/n-quads"
ERROR_BYTES = 4096  # of an error body kept for the message


@dataclass(frozen=True)
class Dialect:
    """Where a kind of store puts its endpoints, and its parameters for the union graph and a timeout."""

    query: str
    update: str
    store: str
    union_param: str = ""
    timeout_param: str = ""
    timeout_scale: int = 1  # the timeout parameter's unit per second (1: seconds, 1000: milliseconds)


# Paths are appended to the location's base URL. A store whose default graph is not the union of its
# graphs unless configured so server-side has no union parameter here; see docs/remote-store.md.
DIALECTS = {
    "oxigraph": Dialect("/query", "/update", "/store", union_param="union-default-graph"),
    "fuseki": Dialect("/query", "/update", "/data", timeout_param="timeout"),
    "graphdb": Dialect("", "/statements", "/rdf-graphs/service", timeout_param="timeout"),
    "virtuoso": Dialect(
        "/sparql", "/sparql", "/sparql-graph-crud", timeout_param="timeout", timeout_scale=1000
    ),
    "neptune": Dialect("/sparql", "/sparql", "/sparql/gsp/"),
}
# Oxigraph server refuses SPARQL bodies above 128 MiB; past this a push is staged (see RemoteStore).
DEFAULT_MAX_UPDATE_BYTES = 128 * 1024 * 1024 - 4096


class RemoteError(StoreError):
    """The remote store answered with an error status; `status` is its HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class RemoteUnavailable(RemoteError):
    """The remote store could not be reached, or its answer broke off."""

    def __init__(self, message: str):
        super().__init__(503, message)


class Deadline(RemoteError):
    """The deadline passed before the remote store's answer was read; the caller stopped waiting."""

    def __init__(self, seconds: float):
        super().__init__(503, f"ran out of time ({seconds:g} s) waiting for the remote store")


@dataclass(frozen=True)
class Endpoints:
    """The resolved endpoints and parameters of one remote store."""

    location: str  # as shown to people: the base URL without credentials
    query: str
    update: str
    store: str
    union_param: str
    timeout_param: str
    timeout_scale: int
    authorization: str | None
    max_update_bytes: int


def is_remote(location: object) -> bool:
    """Whether a store location names a remote store (`sparql+http://…` or `sparql+https://…`)."""
    return isinstance(location, str) and location.lower().startswith(SCHEMES)


def options_from_environment(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The remote-store settings given as TREATYKG_REMOTE_* variables."""
    return {key: environ[ENV_PREFIX + key.upper()] for key in OPTIONS if ENV_PREFIX + key.upper() in environ}


def _endpoint(base: str, value: str | None, default_path: str) -> str:
    """An endpoint URL: a full URL as given, an absolute path on the base's host, or the dialect's path."""
    if value and value.lower().startswith(("http://", "https://")):
        return value
    parts = urlsplit(base)
    if value:
        return urlunsplit((parts.scheme, parts.netloc, value, "", ""))
    return base.rstrip("/") + default_path


def resolve(location: str, options: Mapping[str, Any] | None = None) -> Endpoints:
    """The endpoints of the store at `location`, with the settings in `options` (keys as in OPTIONS)."""
    options = {key: value for key, value in (options or {}).items() if value is not None}
    if not is_remote(location):
        raise InputError(f"{location}: not a remote store location (sparql+http://… or sparql+https://…)")
    parts = urlsplit(location.split("+", 1)[1])
    if not parts.hostname:
        raise InputError(f"{location}: a remote store location needs a host")
    name = str(options.get("dialect") or "oxigraph").lower()
    if name not in DIALECTS:
        raise InputError(f"unknown remote store dialect {name!r}; known: {', '.join(DIALECTS)}")
    dialect = DIALECTS[name]
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    base = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
    authorization = None
    if options.get("token"):
        authorization = f"Bearer {options['token']}"
    elif parts.username is not None:
        # Credentials in the URL, as curl and SPARQL clients take them: HTTP Basic.
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        authorization = "Basic " + base64.b64encode(pair).decode("ascii")
    try:
        max_update = int(options.get("max_update_bytes") or DEFAULT_MAX_UPDATE_BYTES)
    except ValueError:
        raise InputError(
            f"remote max_update_bytes must be an integer: {options['max_update_bytes']!r}"
        ) from None
    return Endpoints(
        location=f"sparql+{base}",
        query=_endpoint(base, options.get("query"), dialect.query),
        update=_endpoint(base, options.get("update"), dialect.update),
        store=_endpoint(base, options.get("store"), dialect.store),
        union_param=str(options.get("union_param", dialect.union_param)),
        timeout_param=str(options.get("timeout_param", dialect.timeout_param)),
        timeout_scale=dialect.timeout_scale,
        authorization=authorization,
        max_update_bytes=max_update,
    )


class Client:
    """The SPARQL 1.1 Protocol and Graph Store Protocol over http.client, every exchange under a deadline."""

    def __init__(self, endpoints: Endpoints, timeout: float = 300.0):
        self.endpoints = endpoints
        self.timeout = timeout  # for commands; the server passes each job's own deadline

    @contextlib.contextmanager
    def exchange(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> Iterator[http.client.HTTPResponse]:
        """One request; yields the response (status < 400) for the caller to read before the deadline."""
        timeout = self.timeout if timeout is None else timeout
        parts = urlsplit(url)
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        host = cast(str, parts.hostname)  # resolve() gives every endpoint URL a host
        connection = connection_class(host, parts.port, timeout=max(timeout, 0.001))
        fired = threading.Event()

        def stop_waiting() -> None:
            # Shutting the socket down wakes a read blocked in another thread at once; a socket
            # timeout alone would only bound each read, not the whole answer.
            fired.set()
            if connection.sock is not None:
                with contextlib.suppress(OSError):
                    connection.sock.shutdown(socket.SHUT_RDWR)

        watchdog = threading.Timer(max(timeout, 0.001), stop_waiting)
        watchdog.daemon = True
        sent = {"User-Agent": "treatykg", **(headers or {})}
        if self.endpoints.authorization:
            sent["Authorization"] = self.endpoints.authorization
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        watchdog.start()
        try:
            try:
                connection.request(method, target, body=body, headers=sent)
                response = connection.getresponse()
                if response.status >= 400:
                    message = response.read(ERROR_BYTES).decode("utf-8", "replace").strip()
                    raise RemoteError(response.status, message or response.reason)
            except (OSError, http.client.HTTPException) as error:
                # The socket's own timeout is the deadline too: whichever fires first, the deadline passed.
                if fired.is_set() or isinstance(error, TimeoutError):
                    raise Deadline(timeout) from None
                raise RemoteUnavailable(f"{self.endpoints.location}: {error}") from None
            try:
                yield response
            except Exception as error:
                if fired.is_set() or isinstance(error, TimeoutError):
                    raise Deadline(timeout) from None
                raise
            if fired.is_set():
                # The watchdog may have cut the body at a boundary a parser accepts: never a partial answer.
                raise Deadline(timeout)
        finally:
            watchdog.cancel()
            connection.close()

    def query(
        self,
        text: str,
        accept: str,
        union: bool = True,
        default_graphs: tuple[str, ...] = (),
        named_graphs: tuple[str, ...] = (),
        timeout: float | None = None,
    ):
        """POST a query (form-encoded); a context manager yielding the response."""
        endpoints = self.endpoints
        timeout = self.timeout if timeout is None else timeout
        fields: list[tuple[str, str]] = [("query", text)]
        # SPARQL 1.1 Protocol §2.1.4: the dataset, as graph names the remote looks up in itself.
        fields += [("default-graph-uri", name) for name in default_graphs]
        fields += [("named-graph-uri", name) for name in named_graphs]
        if union and not (default_graphs or named_graphs) and endpoints.union_param:
            fields.append((endpoints.union_param, "true"))
        if endpoints.timeout_param:
            # The remote's own limit, so it stops working on a query its caller gave up on.
            fields.append((endpoints.timeout_param, str(math.ceil(timeout * endpoints.timeout_scale))))
        return self.exchange(
            "POST",
            endpoints.query,
            urlencode(fields).encode("ascii"),
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
            timeout,
        )

    def update(self, text: str, timeout: float | None = None) -> None:
        """POST one SPARQL Update request (one transaction wherever the remote makes a request one)."""
        with self.exchange(
            "POST",
            self.endpoints.update,
            text.encode("utf-8"),
            {"Content-Type": "application/sparql-update"},
            timeout,
        ) as response:
            response.read()

    def graph_url(self, graph: str | None) -> str:
        """The Graph Store URL of a named graph, the default graph ('default') or the dataset (None)."""
        if graph is None:
            return self.endpoints.store
        separator = "&" if "?" in self.endpoints.store else "?"
        query = "default" if graph == "default" else urlencode({"graph": graph})
        return self.endpoints.store + separator + query

    def get_graph(self, graph: str | None, timeout: float | None = None) -> bytes:
        """A graph as N-Triples, or the dataset (None) as N-Quads, by the Graph Store Protocol."""
        accept = N_QUADS if graph is None else N_TRIPLES
        with self.exchange(
            "GET", self.graph_url(graph), headers={"Accept": accept}, timeout=timeout
        ) as response:
            return response.read()

    def post_dataset(self, nquads: bytes, timeout: float | None = None) -> None:
        """POST N-Quads to the Graph Store (Oxigraph server loads a request in one transaction)."""
        with self.exchange(
            "POST", self.endpoints.store, nquads, {"Content-Type": N_QUADS}, timeout
        ) as response:
            response.read()


def parse_answer(response: http.client.HTTPResponse):
    """The remote's query answer, read lazily: QuerySolutions, QueryBoolean, or an iterator of triples."""
    media_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    results_format = ox.QueryResultsFormat.from_media_type(media_type)
    if results_format is not None:
        return ox.parse_query_results(response, results_format)
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    if rdf_format is not None:
        return (quad.triple for quad in ox.parse(response, rdf_format))
    raise RemoteError(502, f"the remote store answered in a format this server does not read: {media_type!r}")
