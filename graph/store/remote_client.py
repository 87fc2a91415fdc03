"""A remote store: any SPARQL 1.1 Protocol + Graph Store Protocol server, named `sparql+http(s)://…`.

The location minus `sparql+` is the store's base URL; the query, update and Graph Store endpoints are
derived from it by a dialect (graph/store/remote_dialects.py; Oxigraph server by default: `<base>/query`,
`<base>/update`, `<base>/store`) and each may be overridden by a setting (an absolute path on the same host,
or a full URL):

    setting             environment                       config file ([server])
    dialect             TREATYKG_REMOTE_DIALECT           remote_dialect (oxigraph, virtuoso, generic)
    query endpoint      TREATYKG_REMOTE_QUERY             remote_query
    update endpoint     TREATYKG_REMOTE_UPDATE            remote_update
    Graph Store         TREATYKG_REMOTE_STORE             remote_store
    union parameter     TREATYKG_REMOTE_UNION_PARAM       remote_union_param ("" when the store needs none)
    timeout parameter   TREATYKG_REMOTE_TIMEOUT_PARAM     remote_timeout_param ("" for none)
    bearer token        TREATYKG_REMOTE_TOKEN             remote_token (or user:password@ in the URL: Basic,
                                                          or Digest where the dialect says)
    one-request limit   TREATYKG_REMOTE_MAX_UPDATE_BYTES  remote_max_update_bytes

Deadlines are the client's: a watchdog shuts the socket at the deadline, so a slow remote never holds a
caller longer than its timeout, whatever the remote does with the query it was sent.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import io
import math
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, cast
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit
from urllib.request import parse_http_list, parse_keqv_list

import pyoxigraph as ox

from treatykg.core.errors import InputError, StoreError
from treatykg.graph.store.remote_dialects import DIALECTS, Dialect

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


class RemoteError(StoreError):
    """The remote store answered with an error status; `status` is its HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.challenge: str | None = None  # a 401's HTTP Digest challenge


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
    dialect: Dialect  # with the settings' union_param, timeout_param and max_update_bytes applied
    query: str
    update: str
    store: str
    authorization: str | None  # sent with every request: Bearer, or Basic credentials
    credentials: tuple[str, str] | None = field(default=None, repr=False)  # for a Digest challenge

    @property
    def union_param(self) -> str:
        """The request parameter that asks for the union default graph ("" for none)."""
        return self.dialect.union_param

    @property
    def max_update_bytes(self) -> int:
        """The size of one update request."""
        return self.dialect.max_update_bytes


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
    authorization, credentials = None, None
    if options.get("token"):
        authorization = f"Bearer {options['token']}"
    elif parts.username is not None:
        # Credentials in the URL, as curl and SPARQL clients take them: HTTP Basic, or the dialect's Digest.
        credentials = (unquote(parts.username), unquote(parts.password or ""))
        if not dialect.digest_auth:
            pair = f"{credentials[0]}:{credentials[1]}".encode()
            authorization = "Basic " + base64.b64encode(pair).decode("ascii")
    try:
        max_update = int(options.get("max_update_bytes") or dialect.max_update_bytes)
    except ValueError:
        raise InputError(
            f"remote max_update_bytes must be an integer: {options['max_update_bytes']!r}"
        ) from None
    signed = credentials is not None or authorization is not None
    update_path = (signed and dialect.update_with_credentials) or dialect.update
    store_path = (signed and dialect.store_with_credentials) or dialect.store
    dialect = replace(
        dialect,
        union_param=str(options.get("union_param", dialect.union_param)),
        timeout_param=str(options.get("timeout_param", dialect.timeout_param)),
        max_update_bytes=max_update,
    )
    return Endpoints(
        location=f"sparql+{base}",
        dialect=dialect,
        query=_endpoint(base, options.get("query"), dialect.query),
        update=_endpoint(base, options.get("update"), update_path),
        store=_endpoint(base, options.get("store"), store_path),
        authorization=authorization,
        credentials=credentials,
    )


def digest_authorization(
    challenge: str, credentials: tuple[str, str], method: str, target: str, count: int
) -> str:
    """The Authorization header answering an HTTP Digest challenge (RFC 7616, MD5 with qop=auth)."""
    fields = parse_keqv_list(parse_http_list(challenge.split(" ", 1)[1]))
    algorithm = fields.get("algorithm", "MD5").upper()
    if algorithm != "MD5" or "auth" not in fields.get("qop", "auth").split(","):
        raise RemoteError(
            401, f"unsupported Digest challenge (algorithm {algorithm}, qop {fields.get('qop')})"
        )

    def md5(text: str) -> str:
        return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()

    user, password = credentials
    realm, nonce = fields.get("realm", ""), fields.get("nonce", "")
    cnonce, nc = uuid.uuid4().hex[:16], f"{count:08x}"
    secret = md5(f"{user}:{realm}:{password}")
    response = md5(f"{secret}:{nonce}:{nc}:{cnonce}:auth:{md5(f'{method}:{target}')}")
    answer = {
        "username": user,
        "realm": realm,
        "nonce": nonce,
        "uri": target,
        "response": response,
        "algorithm": "MD5",
        "qop": "auth",
        "nc": nc,
        "cnonce": cnonce,
    }
    if "opaque" in fields:
        answer["opaque"] = fields["opaque"]
    quoted = ", ".join(
        f"{key}={value}" if key in ("algorithm", "qop", "nc") else f'{key}="{value}"'
        for key, value in answer.items()
    )
    return f"Digest {quoted}"


class Client:
    """The SPARQL 1.1 Protocol and Graph Store Protocol over http.client, every exchange under a deadline."""

    def __init__(self, endpoints: Endpoints, timeout: float = 300.0):
        self.endpoints = endpoints
        self.timeout = timeout  # for commands; the server passes each job's own deadline
        self._challenge: str | None = None  # the last Digest challenge, answered again with the next count
        self._count = 0
        self._lock = threading.Lock()

    def _signature(self, method: str, target: str, challenge: str | None) -> str | None:
        """The Authorization header for one request: the fixed one, or an answer to the Digest challenge."""
        if self.endpoints.authorization:
            return self.endpoints.authorization
        if challenge is None or self.endpoints.credentials is None:
            return None
        with self._lock:
            self._count += 1
            count = self._count
        return digest_authorization(challenge, self.endpoints.credentials, method, target, count)

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
        deadline = time.monotonic() + timeout
        challenge = self._challenge
        for attempt in range(2):
            try:
                remaining = deadline - time.monotonic()
                with self._once(method, url, body, headers, (remaining, timeout), challenge) as response:
                    yield response
                    return
            except RemoteError as error:
                # Digest: the first answer (or a stale nonce) is a challenge; answer it once, as curl does.
                fresh = error.challenge
                if attempt or fresh is None or self.endpoints.credentials is None:
                    raise
                challenge = self._challenge = fresh

    @contextlib.contextmanager
    def _once(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: Mapping[str, str] | None,
        limits: tuple[float, float],
        challenge: str | None,
    ) -> Iterator[http.client.HTTPResponse]:
        """One HTTP request under the deadline: (seconds left, the whole timeout messages name)."""
        timeout, whole = max(limits[0], 0.001), limits[1]
        parts = urlsplit(url)
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        host = cast(str, parts.hostname)  # resolve() gives every endpoint URL a host
        connection = connection_class(host, parts.port, timeout=timeout)
        fired = threading.Event()

        def stop_waiting() -> None:
            # Shutting the socket down wakes a read blocked in another thread at once; a socket
            # timeout alone would only bound each read, not the whole answer.
            fired.set()
            if connection.sock is not None:
                with contextlib.suppress(OSError):
                    connection.sock.shutdown(socket.SHUT_RDWR)

        watchdog = threading.Timer(timeout, stop_waiting)
        watchdog.daemon = True
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        sent = {"User-Agent": "treatykg", **(headers or {})}
        if signature := self._signature(method, target, challenge):
            sent["Authorization"] = signature
        watchdog.start()
        try:
            try:
                connection.request(method, target, body=body, headers=sent)
                response = connection.getresponse()
                if response.status >= 400:
                    message = response.read(ERROR_BYTES).decode("utf-8", "replace").strip()
                    error = RemoteError(response.status, message or response.reason)
                    offered = response.headers.get("WWW-Authenticate") or ""
                    if response.status == 401 and offered.lower().startswith("digest "):
                        error.challenge = offered
                    raise error
                self._refuse_partial(response)
            except (OSError, http.client.HTTPException) as error:
                # The socket's own timeout is the deadline too: whichever fires first, the deadline passed.
                if fired.is_set() or isinstance(error, TimeoutError):
                    raise Deadline(whole) from None
                raise RemoteUnavailable(f"{self.endpoints.location}: {error}") from None
            try:
                yield response
            except Exception as error:
                if fired.is_set() or isinstance(error, TimeoutError):
                    raise Deadline(whole) from None
                raise
            if fired.is_set():
                # The watchdog may have cut the body at a boundary a parser accepts: never a partial answer.
                raise Deadline(whole)
        finally:
            watchdog.cancel()
            connection.close()

    def _refuse_partial(self, response: http.client.HTTPResponse) -> None:
        """A 200 answer the store marks as cut short at its own limit is an error, never an answer."""
        marker = self.endpoints.dialect.partial_answer
        if marker and (response.headers.get(marker[0]) or "").strip() == marker[1]:
            detail = response.headers.get("X-SQL-Message") or f"{marker[0]}: {marker[1]}"
            raise RemoteError(503, f"the remote store cut its answer short at its own time limit ({detail})")

    def query_fields(
        self, union: bool, default_graphs: tuple[str, ...], named_graphs: tuple[str, ...], timeout: float
    ) -> list[tuple[str, str]]:
        """The form fields a query is sent with besides the query itself: its dataset and the deadline.

        With `union` and no graphs given, the union default graph is asked for by the dialect's parameter
        (or is the store's own); a dialect that lists graphs gets them from the caller as the dataset."""
        dialect = self.endpoints.dialect
        # SPARQL 1.1 Protocol §2.1.4: the dataset, as graph names the remote looks up in itself.
        fields = [("default-graph-uri", name) for name in default_graphs]
        fields += [("named-graph-uri", name) for name in named_graphs]
        if union and not (default_graphs or named_graphs) and dialect.union_param:
            fields.append((dialect.union_param, "true"))
        if dialect.timeout_param:
            # The remote's own limit, so it stops working on a query its caller gave up on.
            fields.append((dialect.timeout_param, str(math.ceil(timeout * dialect.timeout_scale))))
        return fields

    def query(
        self,
        text: str,
        accept: str,
        union: bool = True,
        default_graphs: tuple[str, ...] = (),
        named_graphs: tuple[str, ...] = (),
        timeout: float | None = None,
    ):
        """POST a query (form-encoded, with query_fields); a context manager yielding the response."""
        timeout = self.timeout if timeout is None else timeout
        fields = [("query", text), *self.query_fields(union, default_graphs, named_graphs, timeout)]
        return self.exchange(
            "POST",
            self.endpoints.query,
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
        if graph == "default" and self.endpoints.dialect.default_graph:
            graph = self.endpoints.dialect.default_graph  # the named graph standing in for it
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

    def post_graph(self, graph: str, ntriples: bytes, timeout: float | None = None) -> None:
        """POST N-Triples into a named graph by the Graph Store Protocol (added to what it holds)."""
        with self.exchange(
            "POST", self.graph_url(graph), ntriples, {"Content-Type": N_TRIPLES}, timeout
        ) as response:
            response.read()

    def post_dataset(self, nquads: bytes, timeout: float | None = None) -> None:
        """POST N-Quads to the Graph Store (Oxigraph server loads a request in one transaction)."""
        with self.exchange(
            "POST", self.endpoints.store, nquads, {"Content-Type": N_QUADS}, timeout
        ) as response:
            response.read()


BNODE_VALUE = rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")'


def plain_blank_labels(data: bytes, prefix: str) -> bytes:
    """SPARQL JSON with the store's blank node IRIs (Virtuoso's "nodeID://b123") made plain labels."""
    return re.sub(BNODE_VALUE + re.escape(prefix.encode()), rb"\1b", data)


class BlankNodeLabels(io.RawIOBase):
    """A SPARQL JSON answer read line by line with the store's blank node IRIs made plain labels.

    Virtuoso writes a blank node in its JSON answers as {"type": "bnode", "value": "nodeID://b123"}, a
    label no other reader accepts; it writes one binding per line, so a line-wise rewrite never cuts one."""

    def __init__(self, response: http.client.HTTPResponse, prefix: str):
        super().__init__()
        self.response = response
        self.prefix = prefix
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.pending:
            line = self.response.readline()
            if not line:
                return 0
            self.pending = plain_blank_labels(line, self.prefix)
        count = min(len(buffer), len(self.pending))
        buffer[:count] = self.pending[:count]
        self.pending = self.pending[count:]
        return count


def parse_answer(response: http.client.HTTPResponse, blank_node_prefix: str | None = None):
    """The remote's query answer, read lazily: QuerySolutions, QueryBoolean, or an iterator of triples."""
    media_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    results_format = ox.QueryResultsFormat.from_media_type(media_type)
    if results_format is not None:
        if blank_node_prefix and results_format == ox.QueryResultsFormat.JSON:
            return ox.parse_query_results(
                io.BufferedReader(BlankNodeLabels(response, blank_node_prefix)), results_format
            )
        return ox.parse_query_results(response, results_format)
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    if rdf_format is not None:
        return (quad.triple for quad in ox.parse(response, rdf_format))
    raise RemoteError(502, f"the remote store answered in a format this server does not read: {media_type!r}")
