"""The engine for a remote store: the jobs of server/query/engine.py, run through the SPARQL 1.1 Protocol.

The same QueryEngine protocol as Engine (server/query/interface.py), so every route works
unchanged on either. The routes have already screened the query (SERVICE, LOAD) before it gets here;
here a job becomes one HTTP exchange under the job's deadline (the remote client's watchdog stops waiting at
it), the remote answers in SPARQL JSON or N-Triples, and the answer is rewritten by server/query/results.py,
as the workers write theirs: the same formats, the same row cap, read no further than the cap.

Writes are computed and validated here, on an in-memory copy of the remote dataset (fetched once per
store version), by the same write job the embedded store's workers run; the change and the new version
record are then pushed as one SPARQL Update request (several where the dialect's limits need: Virtuoso),
whose atomicity is the remote's.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from werkzeug.exceptions import NotImplemented as NotImplementedHere
from werkzeug.exceptions import abort as http_abort

from treatykg.graph.store.embedded import OpenStore, StoreVersion
from treatykg.graph.store.remote import RemoteStore, record_operations
from treatykg.graph.store.remote_client import N_TRIPLES, RESULTS_JSON, Deadline, RemoteError, parse_answer
from treatykg.graph.store.remote_writes import data_operations, has_blank, requests
from treatykg.server.query import guard, results
from treatykg.server.query.interface import Outcome, QueryEngine, Stats, T
from treatykg.server.query.messages import (
    DumpJob,
    ExportJob,
    Header,
    Job,
    QueryJob,
    WriteAccount,
    WriteJob,
    decode,
)
from treatykg.server.writes import commit

log = logging.getLogger("treatykg.server")

# How long a version read from the remote is trusted: ETags follow another process's push within this.
VERSION_TTL = 1.0
ACCEPT = {"solutions": RESULTS_JSON, "boolean": RESULTS_JSON, "graph": f"{N_TRIPLES};q=0.9"}
FORM_FAMILIES = {"SELECT": "solutions", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


def _client_status(error: RemoteError) -> tuple[int, str]:
    """The status and message a client gets for the remote's error."""
    if error.status == 400:
        return 400, f"query syntax error: {error}"
    if error.status in (404, 413, 503):
        return error.status, str(error)
    if "cancel" in str(error).lower() or "timeout" in str(error).lower():
        return 503, f"the remote store stopped the query at its own time limit: {error}"
    return 502, f"the remote store answered {error.status}: {error}"


class RemoteEngine:
    """Runs the server's jobs on a remote SPARQL store under the same deadlines, formats and row cap."""

    def __init__(self, handle: RemoteStore, *, timeout: float = 30.0, workers: int = 4) -> None:
        self.handle = handle
        self.timeout = timeout
        self.stats = Stats()
        self._slots = threading.BoundedSemaphore(workers)  # at most this many requests on the remote at once
        self._write_lock = threading.RLock()
        self._stats_lock = threading.Lock()
        self._mirror: tuple[str, ox.Store] | None = None
        self._version = handle.version(timeout=timeout)
        self._version_read = time.monotonic()
        self.stats.snapshot_quads = (
            sum(self._version.graph_quads.values()) + self._version.default_graph_quads
        )

    # -- the store version -----------------------------------------------------------------------------

    @property
    def version(self) -> StoreVersion:
        """The remote's version record, re-read at most every VERSION_TTL seconds."""
        if time.monotonic() - self._version_read > VERSION_TTL:
            try:
                self.version = self.handle.version(timeout=min(self.timeout, 5.0))
            except RemoteError as error:
                log.warning("could not read the remote store's version (%s); keeping the last one", error)
                self._version_read = time.monotonic()
        return self._version

    @version.setter
    def version(self, value: StoreVersion) -> None:
        self._version, self._version_read = value, time.monotonic()

    # -- reads -----------------------------------------------------------------------------------------

    def run(self, job: Job, timeout: float | None = None) -> Outcome:
        """Run a read job (query or dump) on the remote; 503 once the deadline passes, waiting stopped."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        # Read before the query: the remote answers at this version or a later one, if only we write it.
        version = self.version.etag
        if not self._slots.acquire(timeout=timeout):
            return self._count(Outcome(503, message=f"all query slots stayed busy for {timeout:g} s"))
        with self._stats_lock:
            self.stats.active += 1
        try:
            remaining = max(deadline - time.monotonic(), 0.001)
            if isinstance(job, QueryJob):
                outcome = self._query(job, remaining)
            elif isinstance(job, DumpJob):
                outcome = self._dump(job, remaining)
            elif isinstance(job, ExportJob):
                outcome = self._export(job)
            else:
                outcome = Outcome(501, message="write jobs do not run on a remote store")
        except Deadline:
            with self._stats_lock:
                self.stats.timeouts += 1
            outcome = Outcome(
                503,
                message=f"the query ran out of time ({timeout:g} s); the server stopped waiting for it",
            )
        except RemoteError as error:
            status, message = _client_status(error)
            outcome = Outcome(status, message=message)
        except (SyntaxError, ValueError, OSError) as error:
            # A body that broke off (Oxigraph server writes its own timeout's message into a 200 stream).
            if "cancel" in str(error).lower():
                outcome = Outcome(
                    503, message=f"the remote store stopped the query at its own time limit: {error}"
                )
            else:
                outcome = Outcome(502, message=f"the remote store's answer could not be read: {error}")
        finally:
            with self._stats_lock:
                self.stats.active -= 1
            self._slots.release()
        outcome.version = version
        return self._count(outcome)

    def _query(self, job: QueryJob, timeout: float) -> Outcome:
        """One query on the remote, its answer rewritten in the negotiated format under the row cap."""
        formats, limit = job.formats, job.row_limit
        # Only the query form's own format: not every store picks the format by the form (Virtuoso does not).
        form = FORM_FAMILIES.get(guard.screen_query(job.query).form or "")
        families = [form] if form else [family for family, choice in formats.items() if choice]
        accept = ", ".join(dict.fromkeys(ACCEPT[family] for family in families))
        text = job.query
        if job.base_iri:
            # The Protocol has no base parameter; a BASE first is what the query's own relative IRIs resolve
            # against, and a BASE of the query's own still wins (it comes later).
            text = f"BASE {ox.NamedNode(job.base_iri)}\n{text}"
        default_graphs, named_graphs = tuple(job.default_graph or ()), tuple(job.named_graphs or ())
        if job.union and not (default_graphs or named_graphs):
            default_graphs, named_graphs = self.handle.union_dataset(self.version)
        with self.handle.client.query(
            text,
            accept,
            union=job.union,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            timeout=timeout,
        ) as answer:
            answers = parse_answer(answer, self.handle.dialect.blank_node_prefix)
            family, content_type, body, truncated = results.write_result(answers, formats, limit)
            if content_type is None:
                return Outcome(406, message=f"no acceptable format for a {family} result")
        return Outcome(200, body=body, content_type=content_type, truncated=truncated, family=family)

    def _dump(self, job: DumpJob, timeout: float) -> Outcome:
        """A graph (or the dataset) by the Graph Store Protocol, in the negotiated RDF format."""
        graph, (key, media_type) = job.graph, job.format
        try:
            if graph is None:
                data, rdf_format = self.handle.dump_nquads(timeout), ox.RdfFormat.N_QUADS
            else:
                data, rdf_format = self.handle.client.get_graph(graph, timeout), ox.RdfFormat.N_TRIPLES
        except RemoteError as error:
            if error.status == 404:
                return Outcome(404, message=f"no graph named <{graph}> in the store")
            raise
        statements = list(ox.parse(data, format=rdf_format))
        if graph is not None:
            statements = [quad.triple for quad in statements]
        prefixes = results.PREFIXES if key in ("turtle", "trig") else None
        body: bytes = ox.serialize(statements, format=results.RDF_FORMATS[key], prefixes=prefixes)  # type: ignore[assignment]  # no output given: the bytes
        return Outcome(200, body=body, content_type=media_type)

    def _export(self, job: ExportJob) -> Outcome:
        """The dumps, written from the in-memory copy of the remote dataset (there is no snapshot to fork)."""
        from treatykg.graph.export import dumps

        mirror, _ = self.read_store(lambda store: store)
        dumps.export(mirror, Path(job.folder), job.formats, dict(job.build), dumps_base=job.dumps_base)
        return Outcome(200)

    def _count(self, outcome: Outcome) -> Outcome:
        """Record a job's outcome."""
        with self._stats_lock:
            self.stats.jobs[outcome.status] += 1
        return outcome

    def read_store(self, read: Callable[[ox.Store], T]) -> tuple[T, StoreVersion]:
        """Run a read on an in-memory copy of the remote dataset at the current version."""
        with self._write_lock:
            version = self.version
            if self._mirror is None or self._mirror[0] != version.etag:
                started = time.perf_counter()
                mirror = ox.Store()
                mirror.load(self.handle.dump_nquads(self.timeout), format=ox.RdfFormat.N_QUADS)
                self._mirror = (version.etag, mirror)
                self.stats.reloads += 1
                self.stats.reload_seconds += time.perf_counter() - started
                self.stats.snapshot_quads = len(mirror)
            return read(self._mirror[1]), version

    # -- writes ----------------------------------------------------------------------------------------

    def validated_write(
        self, job: WriteJob, agent: str, label: str, timeout: float | None = None
    ) -> tuple[Outcome, WriteAccount | None]:
        """Compute, reason and validate a write on a copy of the remote, then push it in one update."""
        from treatykg.server.writes import job as writejob

        timeout = self.timeout if timeout is None else timeout
        with self._write_lock:
            self.version = self.handle.version(timeout=timeout)  # never validate against a stale copy
            mirror, _ = self.read_store(lambda store: store)
            answer: dict[str, tuple[Header, bytes]] = {}
            # A thread, not a worker process: forking this threaded server is unsafe. At the deadline the
            # server stops waiting; the thread finishes on its private copy and its answer is dropped.
            worker = threading.Thread(
                target=lambda: answer.update(result=writejob.run(mirror, job)), daemon=True
            )
            worker.start()
            worker.join(timeout)
            if "result" not in answer:
                with self._stats_lock:
                    self.stats.timeouts += 1
                return Outcome(503, message=f"the write ran out of time ({timeout:g} s)"), None
            header, body = answer["result"]
            outcome = Outcome(header.status, body=body, message=header.message)
            if outcome.status != 200:
                return outcome, None
            account = decode(body, WriteAccount)
            change = commit.change_of(account)
            if not (change.removed or change.added or change.dropped or change.created):
                return outcome, account
            self._push(change, account, agent, label, mirror)
            return outcome, account

    def _push(
        self, change: commit.Change, account: WriteAccount, agent: str, label: str, mirror: ox.Store
    ) -> None:
        """The change, its provenance and the next version record, as one SPARQL Update request."""
        if any(has_blank(quad) for quad in change.removed):
            # The Protocol has no way to name one of the remote's blank nodes: DELETE DATA forbids them.
            raise NotImplementedHere("removing triples with blank nodes is not possible on a remote store")
        for quad in change.added:
            for term in (quad.subject, quad.object):
                if isinstance(term, ox.BlankNode) and (
                    next(iter(mirror.quads_for_pattern(term, None, None)), None)
                    or next(iter(mirror.quads_for_pattern(None, None, term)), None)
                ):
                    raise NotImplementedHere(
                        "adding triples about an existing blank node is not possible on a remote store"
                    )
        previous = self.version
        store_id = previous.store_id or uuid.uuid4().hex[:12]
        stub = StoreVersion(version=previous.version + 1, store_id=store_id)
        fresh = commit.provenance(stub, agent, label, commit.summary(account), commit.generated(account))
        change.added += [quad for quad in fresh if quad not in mirror and quad not in change.added]
        version = commit.next_version(StoreVersion(**{**previous.__dict__, "store_id": store_id}), change)
        dialect = self.handle.dialect
        operations = data_operations("DELETE", change.removed, dialect)
        operations += data_operations("INSERT", change.added, dialect)
        operations += [f"DROP SILENT GRAPH <{name}>" for name in change.dropped]
        operations += [f"CREATE SILENT GRAPH <{name}>" for name in change.created]
        operations += record_operations(version)
        try:
            for text in requests(operations, dialect):
                self.handle.client.update(text)
        except RemoteError as error:
            # Whatever the answer, the next request reads the remote's version afresh, not the kept one.
            self._version_read = float("-inf")
            status, message = _client_status(error)
            http_abort(status, f"the remote store refused the write, nothing was written: {message}")
        self.version = version
        self._mirror = None

    # -- what only the embedded store does ---------------------------------------------------------------

    def exclusive(self, task: Callable[[OpenStore], T]) -> T:
        """Backups and checks are the remote store's own tools."""
        raise NotImplementedHere("back up and check a remote store with its own tools")

    def commit_on_store(self, task: Callable[[OpenStore], T]) -> T:
        """Sources are added to a remote store by a build that pushes to it."""
        raise NotImplementedHere(
            "add, replace or remove a source of a remote store by building it with the sheets as --data"
        )

    def restore(self, path: Path, agent: str) -> int:
        """Restores are the remote store's own tools."""
        raise NotImplementedHere("restore a remote store with its own tools")

    def close(self) -> None:
        """Drop the in-memory copy; the handle stays the caller's to close."""
        self._mirror = None


_: type[QueryEngine] = RemoteEngine  # mypy proves the remote engine implements the protocol
