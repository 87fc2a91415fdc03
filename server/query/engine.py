"""Query execution: the server owns the on-disk store and all writes; queries run in killable forked workers.

The read view is a zygote process (server/query/zygote.py) that keeps a pool of warm workers, forked ahead of
need, each with the snapshot open read-only. For each job the server hands the zygote one end of a fresh
socketpair; the zygote passes it to an idle worker and sends back a pidfd of that worker. The server thread
waits for the answer until the deadline, then SIGKILLs the worker through the pidfd and answers 503; other
threads go on meanwhile. The waitress process itself never forks (its threads may hold locks), and the
store's own database is never opened twice.

The snapshot is a RocksDB checkpoint of the store in `<store>/read-view/` (hard links to its immutable
files: milliseconds, whatever the size). After each committed write a new one is made and the zygote
switches to it while the write lock is held, so a client that wrote reads its write next; workers still
answering on the old one finish their job and are replaced. A write job gets a checkpoint of its own in
`<store>/write-check/`, writable, removed when the job ends (server/writes/job.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from treatykg.core.errors import StoreError
from treatykg.graph.store.checkpoint import WRITE_CHECK_DIR
from treatykg.graph.store.embedded import OpenStore, StoreVersion, record_commit, require_current
from treatykg.server.query.interface import Outcome, QueryEngine, Stats, T
from treatykg.server.query.messages import (
    Ack,
    Fork,
    Forked,
    Header,
    Job,
    Load,
    M,
    Message,
    Task,
    Warm,
    WriteAccount,
    WriteJob,
    decode,
    encode,
)
from treatykg.server.writes import commit

log = logging.getLogger("treatykg.server")

MAX_MESSAGE = 1 << 16
READ_VIEW_DIR = "read-view"  # in the store's directory: the snapshots (checkpoints) the workers read


class EngineError(Exception):
    """The read view failed (the zygote died or could not load the snapshot)."""


def _store_id() -> str:
    """A new store id (as graph/store/embedded.py makes them)."""
    import uuid

    return uuid.uuid4().hex[:12]


class Zygote:
    """The zygote process and its control socket (one request/reply at a time)."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # A fresh interpreter (fork+exec), not a fork of this threaded process. -P keeps the working directory
        # off sys.path: run from a checkout, its treatykg/ folder would shadow the installed package.
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "treatykg.server.query.zygote", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            start_new_session=True,  # Ctrl-C goes to the server, which then closes the control socket
        )
        theirs.close()
        self.control = ours
        self.lock = threading.Lock()

    def request(
        self,
        message: Message,
        reply_type: type[M],
        fds: list[int] | None = None,
        timeout: float | None = None,
    ) -> tuple[M, list[int]]:
        """Send one request (with descriptors) and return the reply and any descriptors it carries."""
        if not self.lock.acquire(timeout=-1 if timeout is None else max(timeout, 0)):
            raise TimeoutError("the read view is busy")
        try:
            socket.send_fds(self.control, [encode(message)], fds or [])
            reply, reply_fds, _, _ = socket.recv_fds(self.control, MAX_MESSAGE, 1)
        except OSError as error:
            raise EngineError(f"the read view is not answering: {error}") from None
        finally:
            self.lock.release()
        if not reply:
            raise EngineError("the read view exited")
        return decode(reply, reply_type), reply_fds

    def alive(self) -> bool:
        """Whether the zygote process is still running."""
        return self.process.poll() is None

    def close(self) -> None:
        """Close the control socket (the zygote exits on EOF) and reap it."""
        self.control.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Engine:
    """Runs read jobs in forked workers under a deadline; writes to the store and renews the snapshot."""

    def __init__(
        self,
        handle: OpenStore,
        *,
        timeout: float = 30.0,
        workers: int = 4,
        memory_bytes: int | None = None,
        writes: bool = False,
    ) -> None:
        self.handle = handle
        self.timeout = timeout
        self.memory_bytes = memory_bytes
        self.stats = Stats()
        settled = commit.recover(handle)
        if settled:
            log.warning("a write was in flight when the store was last held: %s", settled)
        self.version: StoreVersion = handle.version()
        self._slots = threading.BoundedSemaphore(workers)
        self._pool = workers  # warm workers kept ready: one per slot
        self._write_lock = threading.RLock()
        self._warm = False
        self._stats_lock = threading.Lock()
        # Left over by a server that was killed: no process reads them any more.
        self._views = Path(handle.path) / READ_VIEW_DIR
        self._checks = Path(handle.path) / WRITE_CHECK_DIR
        for folder in (self._views, self._checks):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
        self._snapshots = 0
        self._running: set[int] = set()  # PIDs of the workers answering a job now
        # The version of the snapshot the zygote serves (ETag), set once it has loaded it: a worker forked
        # after reading it answers from that snapshot or a later one, never an earlier one.
        self._served: str | None = None
        self._zygote: Zygote | None = None
        with self._write_lock:
            self._restart()
            if writes:
                # A server that takes writes readies its workers for them before it answers: the first
                # write then costs what the next ones do.
                self._warm_up()

    # -- read view -------------------------------------------------------------------------------------

    def _restart(self) -> None:
        """Start a zygote and load the current store into it (write lock held)."""
        if self._zygote is not None:
            self._zygote.close()
        self._zygote = Zygote()
        self.stats.zygote_starts += 1
        self._reload()

    def _reload(self) -> None:
        """Checkpoint the store and make the zygote serve the checkpoint (write lock held)."""
        started = time.perf_counter()
        self._snapshots += 1
        path = self._views / f"{self.version.version}-{self._snapshots}"
        try:
            self.handle.store.flush()
            self.handle.store.backup(str(path))  # hard links to the store's immutable files
        except OSError as error:
            shutil.rmtree(path, ignore_errors=True)
            raise EngineError(f"could not make a snapshot of the store: {error}") from None
        reply, _ = self._read_view().request(Load(str(path), self._pool), Ack)
        if not reply.ok:
            shutil.rmtree(path, ignore_errors=True)
            raise EngineError(f"the read view could not load the snapshot: {reply.error}")
        self._served = self.version.etag
        # Workers on older snapshots opened every file of theirs when they started; unlinking is safe.
        for old in self._views.iterdir():
            if old != path:
                shutil.rmtree(old, ignore_errors=True)
        self.stats.reloads += 1
        self.stats.reload_seconds += time.perf_counter() - started
        self.stats.snapshot_quads = sum(self.version.graph_quads.values()) + self.version.default_graph_quads
        log.info(
            "snapshot of store version %s served: %d quads, in %.3f s",
            self.version.version,
            self.stats.snapshot_quads,
            time.perf_counter() - started,
        )

    def _fork(self, deadline: float) -> tuple[socket.socket, int, int | None]:
        """A worker for one job: our end of its socket, its PID and a pidfd (None if it is already gone)."""
        ours, theirs = socket.socketpair()
        try:
            try:
                reply, fds = self._read_view().request(
                    Fork(), Forked, [theirs.fileno()], deadline - time.monotonic()
                )
            except EngineError:
                with self._write_lock:  # the zygote died: start another before giving up on this job
                    if not self._read_view().alive():
                        log.error("the read view died; restarting it")
                        self._restart()
                reply, fds = self._read_view().request(
                    Fork(), Forked, [theirs.fileno()], deadline - time.monotonic()
                )
            if reply.pid is None:
                raise EngineError(reply.error or "no query worker")
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        return ours, reply.pid, (fds[0] if fds else None)

    def _read_view(self) -> Zygote:
        """The running zygote (there is one from the constructor until close)."""
        if self._zygote is None:
            raise EngineError("the engine is closed")
        return self._zygote

    def run(self, job: Job, timeout: float | None = None) -> Outcome:
        """Run a job (query, dump or write) in a worker; 503 at the deadline, with the worker killed."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        task = Task(job, cpu_seconds=int(timeout) + 2, memory_bytes=self.memory_bytes)
        if not self._slots.acquire(timeout=timeout):
            return self._count(Outcome(503, message=f"all query workers stayed busy for {timeout:g} s"))
        served = self._served  # read before the fork: the worker's snapshot is this version or a later one
        try:
            ours, pid, pidfd = self._fork(deadline)
        except (TimeoutError, EngineError) as error:
            self._slots.release()
            return self._count(Outcome(503, message=f"the query could not start: {error}"))
        with self._stats_lock:
            self.stats.active += 1
            self._running.add(pid)
        try:
            outcome = self._exchange(ours, task, deadline)
            if outcome is None:
                self._kill(pidfd)
                outcome = Outcome(503, message=f"the query ran out of time ({timeout:g} s) and was stopped")
            outcome.pid, outcome.version = pid, served
            return self._count(outcome)
        finally:
            ours.close()
            if pidfd is not None:
                os.close(pidfd)
            with self._stats_lock:
                self.stats.active -= 1
                self._running.discard(pid)
            self._slots.release()

    def _exchange(self, sock: socket.socket, task: Task, deadline: float) -> Outcome | None:
        """Send the task and read the answer; None if the deadline passed first."""
        chunks = []
        try:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            sock.sendall(encode(task))
            sock.shutdown(socket.SHUT_WR)
            while True:
                sock.settimeout(max(deadline - time.monotonic(), 0.001))
                chunk = sock.recv(1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        except TimeoutError:
            return None
        except OSError as error:
            return Outcome(500, message=f"the query worker failed: {error}")
        data = b"".join(chunks)
        line, newline, body = data.partition(b"\n")
        if not newline:
            # No header: the worker died, most likely at its memory limit (Rust aborts on allocation failure):
            # the request was too big, the server is fine.
            return Outcome(503, message="the query worker died before answering (memory or CPU limit)")
        header = decode(line, Header)
        if header.status != 200:
            return Outcome(header.status, body=body, message=header.message)
        return Outcome(
            200,
            body=body,
            content_type=header.content_type or "",
            truncated=header.truncated,
            family=header.family,
        )

    def running_pids(self) -> set[int]:
        """The workers answering a job now (idle warm workers are not among them)."""
        with self._stats_lock:
            return set(self._running)

    def _kill(self, pidfd: int | None) -> None:
        """SIGKILL a worker by pidfd (race-free: the pidfd can't name a recycled PID)."""
        with self._stats_lock:
            self.stats.timeouts += 1
        if pidfd is None:
            return
        with contextlib.suppress(ProcessLookupError):  # it finished just now
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)

    def _count(self, outcome: Outcome) -> Outcome:
        """Record a job's outcome."""
        with self._stats_lock:
            self.stats.jobs[outcome.status] += 1
        return outcome

    # -- writes ----------------------------------------------------------------------------------------

    def write(self, change: Callable[[ox.Store], object]) -> object:
        """Apply `change` to the store (one transaction inside it), bump the version, renew the snapshot."""
        with self._write_lock:
            result = change(self.handle.store)
            self.version = record_commit(self.handle)
            try:
                self._reload()
            except EngineError as error:
                # The write is committed whatever happens here; only the read view needs a fresh start.
                log.error("reloading the snapshot failed (%s); restarting the read view", error)
                self._restart()
            return result

    def validated_write(
        self, job: WriteJob, agent: str, label: str, timeout: float | None = None
    ) -> tuple[Outcome, WriteAccount | None]:
        """Compute, reason and validate a write in a worker, then commit it in one transaction.

        Returns the worker's outcome and, when it committed, the worker's account of the change. The write
        lock is held throughout, so the delta is computed on the snapshot of the version it commits on.
        """
        with self._write_lock:
            self._warm_up()
            try:
                require_current(self.version, self.handle.path)
            except StoreError as error:
                # Writing would leave a half-migrated graph: the client is told what the operator must do.
                return Outcome(409, message=str(error)), None
            try:
                checkpoint = self._checkpoint()
            except EngineError as error:
                return Outcome(503, message=str(error)), None
            try:
                outcome = self.run(dataclasses.replace(job, checkpoint=str(checkpoint)), timeout)
            finally:
                shutil.rmtree(checkpoint, ignore_errors=True)
            if outcome.status != 200:
                return outcome, None
            account = decode(outcome.body, WriteAccount)
            change = commit.change_of(account)
            if not (change.removed or change.added or change.dropped or change.created):
                return outcome, account
            previous = self.version
            stub = StoreVersion(version=previous.version + 1, store_id=previous.store_id or _store_id())
            # Only what is new (the agent is described once), so the counted commit record stays exact.
            fresh = commit.provenance(stub, agent, label, commit.summary(account), commit.generated(account))
            change.added += [q for q in fresh if q not in self.handle.store and q not in change.added]
            version = commit.next_version(
                StoreVersion(**{**previous.__dict__, "store_id": stub.store_id}), change
            )
            self.version = commit.apply(self.handle, change, version)
            self._renew(change)
            return outcome, account

    def _warm_up(self) -> None:
        """Have the read view import and compile what write jobs need, once (write lock held)."""
        if not self._warm:
            self._read_view().request(Warm(), Ack)
            self._warm = True

    def _checkpoint(self) -> Path:
        """A writable copy of the store for one write job (hard links to its immutable files, so
        milliseconds at any size): the job writes there, never to the store or the readers' snapshot."""
        self._snapshots += 1
        path = self._checks / str(self._snapshots)
        try:
            self.handle.store.flush()
            self.handle.store.backup(str(path))
        except OSError as error:
            shutil.rmtree(path, ignore_errors=True)
            raise EngineError(f"could not make a checkpoint of the store: {error}") from None
        return path

    def _renew(self, change: commit.Change) -> None:
        """Serve a snapshot with the committed change; a new read view if that fails."""
        try:
            self._reload()
        except EngineError as error:
            log.error("renewing the snapshot failed (%s); restarting the read view", error)
            self._restart()

    def exclusive(self, task: Callable[[OpenStore], T]) -> T:
        """Run `task` on the store handle with no write in progress (backup, check)."""
        with self._write_lock:
            return task(self.handle)

    def commit_on_store(self, task: Callable[[OpenStore], T]) -> T:
        """Run `task`, a write that commits on the store handle itself (a source added, replaced or removed),
        with no other write in progress; then serve the version it recorded."""
        with self._write_lock:
            try:
                return task(self.handle)
            finally:
                version = self.handle.version()
                if version != self.version:
                    self.version = version
                    try:
                        self._reload()
                    except EngineError as error:
                        log.error("renewing the snapshot failed (%s); restarting the read view", error)
                        self._restart()

    def restore(self, path: Path, agent: str) -> int:
        """Make the store's content the backup's, in one transaction, as the next version; returns it."""
        from treatykg.graph.store.backup import backup_quads

        with self._write_lock:
            quads, graphs = backup_quads(Path(path))
            wanted = set(quads)
            current = set(self.handle.store.quads_for_pattern(None, None, None, None))
            present = {n.value for n in self.handle.store.named_graphs() if isinstance(n, ox.NamedNode)}
            change = commit.Change(
                removed=sorted(current - wanted, key=str),
                added=sorted(wanted - current, key=str),
                dropped=sorted(present - set(graphs)),
                created=sorted(set(graphs) - present),
            )
            previous = self.version
            stub = StoreVersion(version=previous.version + 1, store_id=previous.store_id or _store_id())
            restored = [q for q in change.added if q.graph_name != ox.NamedNode(commit.WRITES.value)]
            summary = f"restored from a backup: {len(restored)} quads added, {len(change.removed)} removed"
            change.added += [
                q for q in commit.provenance(stub, agent, "Restore", summary, []) if q not in wanted
            ]
            version = commit.next_version(
                StoreVersion(**{**previous.__dict__, "store_id": stub.store_id}), change
            )
            self.version = commit.apply(self.handle, change, version)
            self._reload()
            return self.version.version

    def read_store(self, read: Callable[[ox.Store], T]) -> tuple[T, StoreVersion]:
        """Run a short read on the on-disk store itself, consistent with the current version."""
        with self._write_lock:
            return read(self.handle.store), self.version

    def close(self) -> None:
        """Stop the zygote and remove the snapshots; the store handle stays the caller's to close."""
        with self._write_lock:
            if self._zygote is not None:
                self._zygote.close()
                self._zygote = None
            shutil.rmtree(self._views, ignore_errors=True)
            shutil.rmtree(self._checks, ignore_errors=True)


_: type[QueryEngine] = Engine  # mypy proves the local pool implements the protocol
