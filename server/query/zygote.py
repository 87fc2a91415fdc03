"""The read view: one single-threaded process that forks the query workers; each opens the snapshot itself.

Run as `python -m treatykg.server.query.zygote FD`, FD being its end of a SOCK_SEQPACKET control socket.
Requests on it are messages (server/query/messages.py), one per packet:

    Load(path, pool)   serve the snapshot at `path` (a RocksDB checkpoint of the store) from now on, with
                       `pool` warm workers waiting for jobs
    Warm()             import what write jobs need, once, before forking more workers
    Fork() + one fd    hand a job's socket (the fd) to a worker

and each gets one reply: Ack for Load and Warm; Forked(pid, warm) for Fork, plus a pidfd of the worker (none
if it is already gone), with which the server can kill it without any PID-reuse race. The worker reads its
Task from the socket until EOF, then writes back one Header line and the result body.

The snapshot is a checkpoint on disk, opened read-only by every worker after its fork, never by this
process: RocksDB must not be open in a process that forks, and a forked in-memory store is no read-only
sharing at all (Oxigraph's in-memory store writes to the nodes it reads, so each worker would copy the
pages it touches: most of the store after one scan, per worker). A checkpoint costs hard links, and the
workers share the kernel's page cache.

Workers are forked ahead of need (the fork is off the request path) and are kept for the next query while
they stay small: a worker answers a query, waits for the server to close the job's socket (the server
decides on a deadline kill before it closes, so a kill meant for one job can never hit the next), reports
to this process and waits for another job. It exits instead after a write or dump job, after any job that
failed (5xx), after MAX_JOBS, when its snapshot is no longer the current one, or when its anonymous
resident memory passes MAX_WORKER_MEMORY.

Each worker is boxed in. Before its first job a seccomp filter makes socket() fail for good, so neither
SERVICE nor anything else can open a connection, even if the lexical guard were fooled; the descriptors it
was handed (its channel, each job's socket) are all it ever talks through. (RocksDB opens the snapshot's
files as it needs them, so a limit on descriptors can't do this job; it is the fallback on a machine with
no seccomp filter we know how to write.) For every job: a CPU-time limit (so nothing outlives a server that
died) and an address-space limit.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import platform
import resource
import selectors
import signal
import socket
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pyoxigraph as ox

from treatykg.server.query import results
from treatykg.server.query.messages import (
    Ack,
    Done,
    DumpJob,
    ExportJob,
    Fork,
    Forked,
    Header,
    Job,
    Load,
    QueryJob,
    Ready,
    Task,
    WriteJob,
    decode,
    decode_any,
    encode,
)

CHANNEL_FD = 3  # a worker's socket to this process; the job's socket and the store's files come above it
MAX_MESSAGE = 1 << 16
MAX_JOBS = 1000  # queries one worker answers before it is replaced
MAX_WORKER_MEMORY = 256 * 1024 * 1024  # a worker holding more than this after a job is replaced
START_SECONDS = 120.0  # longest a new worker may take to open the snapshot
CLOSE_SECONDS = (
    30.0  # longest a worker waits for the server to close a job's socket before giving up on reuse
)


# -- the worker (a forked child) -----------------------------------------------------------------------

# seccomp (linux/seccomp.h, linux/filter.h, linux/audit.h): the audit arch and the numbers of socket() and
# socketpair() on the machines we know.
SECCOMP_ARCHES = {"x86_64": (0xC000003E, 41, 53), "aarch64": (0xC00000B7, 198, 199)}
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
BPF_LD_W_ABS, BPF_JEQ_K, BPF_JGE_K, BPF_RET_K = 0x20, 0x15, 0x35, 0x06
X32_SYSCALL_BIT = 0x40000000


def _forbid_sockets() -> bool:
    """Install a seccomp filter under which socket() and socketpair() fail with EPERM; False if we can't."""
    arch = SECCOMP_ARCHES.get(platform.machine())
    if arch is None:
        return False
    audit_arch, socket_nr, socketpair_nr = arch
    deny = SECCOMP_RET_ERRNO | 1  # EPERM
    program = [  # (code, jump if true, jump if false, k); a jump skips that many instructions
        (BPF_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (BPF_JEQ_K, 0, 5, audit_arch),  # another ABI (i386, x32 calls): denied
        (BPF_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
        (BPF_JGE_K, 3, 0, X32_SYSCALL_BIT),
        (BPF_JEQ_K, 2, 0, socket_nr),
        (BPF_JEQ_K, 1, 0, socketpair_nr),
        (BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
        (BPF_RET_K, 0, 0, deny),
    ]
    code = b"".join(struct.pack("HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(code)
    fprog = struct.pack("HL", len(program), ctypes.addressof(buffer))  # struct sock_fprog
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
        return False
    argument = ctypes.create_string_buffer(fprog)
    return libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, argument, 0, 0) == 0


@dataclass
class Limits:
    """A worker's resource limits as it started, and its address space with the snapshot open."""

    address_space: int
    cpu: tuple[int, int]
    memory: tuple[int, int]
    files: tuple[int, int]
    sockets_forbidden: bool  # by seccomp; else a query may open no new descriptor at all


def _address_space() -> int:
    """This process's virtual size in bytes: a job gets the memory limit on top of it."""
    with open("/proc/self/statm", encoding="ascii") as stream:
        return int(stream.read().split()[0]) * resource.getpagesize()


def _soft(value: int, hard: int) -> tuple[int, int]:
    """(value, hard) with value no higher than a finite hard limit."""
    return (value if hard == resource.RLIM_INFINITY else min(value, hard)), hard


def _lowest_free_descriptor() -> int:
    """The descriptor number the next open would get (every lower one is in use)."""
    probe = os.dup(CHANNEL_FD)
    os.close(probe)
    return probe


def _confine(task: Task, limits: Limits) -> None:
    """Box the worker in for this job: bounded CPU time and memory (and, without seccomp, descriptors)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    spent = math.ceil(usage.ru_utime + usage.ru_stime)
    resource.setrlimit(resource.RLIMIT_CPU, _soft(spent + int(task.cpu_seconds), limits.cpu[1]))
    memory = task.memory_bytes
    resource.setrlimit(
        resource.RLIMIT_AS,
        _soft(limits.address_space + int(memory), limits.memory[1]) if memory else limits.memory,
    )
    if limits.sockets_forbidden:
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, limits.files)
    if isinstance(task.job, WriteJob | ExportJob):
        # A write job reads the packaged shapes (it never runs SERVICE or LOAD: writes/delta.py); an export
        # job writes its files. Neither runs a query the client wrote.
        return
    # Every descriptor below the lowest free one is in use, so a limit at that number forbids every new
    # one (and a snapshot file RocksDB has not opened yet can't be read: that query fails, alone).
    resource.setrlimit(resource.RLIMIT_NOFILE, (_lowest_free_descriptor(), limits.files[1]))


def _read_task(sock: socket.socket) -> Task | None:
    """The task the server wrote, up to its EOF; None if the server gave up before writing one."""
    chunks = []
    while chunk := sock.recv(MAX_MESSAGE):
        chunks.append(chunk)
    return decode(b"".join(chunks), Task) if chunks else None


def _execute(store: ox.Store, job: Job) -> tuple[Header, bytes]:
    """Run one job on the snapshot: the response header and body."""
    if isinstance(job, DumpJob):
        return _dump(store, job)
    if isinstance(job, ExportJob):
        return _export(store, job)
    if isinstance(job, WriteJob):
        from treatykg.server.writes import job as writejob

        return writejob.run(store, job)
    try:
        result = store.query(
            job.query,
            base_iri=job.base_iri,
            use_default_graph_as_union=job.union,
            # Graph names for the query's dataset (None: the store's own).
            default_graph=None if job.default_graph is None else [ox.NamedNode(n) for n in job.default_graph],
            named_graphs=None if job.named_graphs is None else [ox.NamedNode(n) for n in job.named_graphs],
        )
    except SyntaxError as error:
        return Header(400, f"query syntax error: {error}"), b""
    family, content_type, body, truncated = results.write_result(result, job.formats, job.row_limit)
    if content_type is None:
        return Header(406, f"no acceptable format for a {family} result"), b""
    return Header(200, content_type=content_type, truncated=truncated, family=family), body


def _dump(store: ox.Store, job: DumpJob) -> tuple[Header, bytes]:
    """A graph (or the whole dataset) of the snapshot, as the Graph Store Protocol's GET serves it."""
    graph = job.graph
    source: ox.NamedNode | ox.DefaultGraph | None
    if graph == "default":
        source = ox.DefaultGraph()
    elif graph is None:
        source = None
    else:
        source = ox.NamedNode(graph)
        if not store.contains_named_graph(source):
            return Header(404, f"no graph named <{graph}> in the store"), b""
    key, media_type = job.format
    prefixes = results.PREFIXES if key in ("turtle", "trig") else None
    rdf_format = results.RDF_FORMATS[key]
    if source is None:
        body = store.dump(format=rdf_format, prefixes=prefixes)
    else:
        body = store.dump(format=rdf_format, prefixes=prefixes, from_graph=source)
    return Header(200, content_type=media_type), body  # type: ignore[return-value]  # no output given: the bytes


def _export(store: ox.Store, job: ExportJob) -> tuple[Header, bytes]:
    """Write every export of the snapshot into the job's folder (streamed from the store, bounded memory)."""
    from treatykg.graph.export import dumps

    dumps.export(store, Path(job.folder), job.formats, dict(job.build), dumps_base=job.dumps_base)
    return Header(200), b""


def _answer(sock: socket.socket, store: ox.Store, limits: Limits) -> bool:
    """Run the job on `sock` and answer it; whether this worker may take another job."""
    task = _read_task(sock)
    if task is None:
        return True
    _confine(task, limits)
    try:
        header, body = _execute(store, task.job)
    except MemoryError:
        header, body = Header(507, "the query needs more memory than a query may use"), b""
    except Exception as error:
        header, body = Header(500, f"query failed: {error}"), b""
    sock.sendall(encode(header) + b"\n" + body)
    sock.shutdown(socket.SHUT_WR)  # EOF for the server now
    if not isinstance(task.job, QueryJob) or header.status >= 500:
        return False
    # The server closes its end only after deciding whether this job ran out of time (and killing us if
    # it did): once it has, no kill of that job can land on the next one.
    sock.settimeout(CLOSE_SECONDS)
    try:
        while sock.recv(MAX_MESSAGE):
            pass
    except OSError:
        return False
    return True


def _worker(path: str) -> None:
    """A forked worker: open the snapshot, then answer jobs until told to stop (never returns)."""
    status = 1
    try:
        os.closerange(CHANNEL_FD + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        channel = socket.socket(fileno=CHANNEL_FD)
        try:
            store = ox.Store.read_only(path)
        except (OSError, ValueError) as error:
            channel.send(encode(Ready(False, f"cannot open the snapshot: {error}")))
            return
        limits = Limits(
            _address_space(),
            resource.getrlimit(resource.RLIMIT_CPU),
            resource.getrlimit(resource.RLIMIT_AS),
            resource.getrlimit(resource.RLIMIT_NOFILE),
            _forbid_sockets(),
        )
        trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # glibc: give freed memory back to the system
        channel.send(encode(Ready(True)))
        while True:
            message, fds, _, _ = socket.recv_fds(channel, MAX_MESSAGE, 1)
            if not message or not fds:
                status = 0
                return  # retired, or the read view is gone
            with socket.socket(fileno=fds[0]) as sock:
                reusable = _answer(sock, store, limits)
            if not reusable:
                status = 0
                return
            if trim is not None:
                trim(0)
            channel.send(encode(Done()))
    finally:
        os._exit(status)


# -- the read view -------------------------------------------------------------------------------------


@dataclass(eq=False)
class Worker:
    """A worker as the read view sees it."""

    pid: int
    pidfd: int
    channel: socket.socket
    generation: int
    state: str = "starting"  # starting, idle, busy
    jobs: int = 0


def _private_bytes(pid: int) -> int:
    """A worker's resident memory that is not file-backed, in bytes (0 if it is gone): cheap to read."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as stream:
            fields = stream.read().split()
    except OSError:
        return 0
    return (int(fields[1]) - int(fields[2])) * resource.getpagesize()


class ReadView:
    """The workers of this process, by snapshot generation, and the requests that manage them."""

    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.selector = selectors.DefaultSelector()
        self.selector.register(control, selectors.EVENT_READ, None)
        self.path: str | None = None
        self.generation = 0
        self.pool = 0
        self.workers: list[Worker] = []
        self.failing = False  # a worker could not open the snapshot: no refill until the next load

    # -- workers

    def current(self, state: str | None = None) -> list[Worker]:
        """The workers on the current snapshot (in `state`, if given)."""
        return [w for w in self.workers if w.generation == self.generation and state in (None, w.state)]

    def spawn(self, path: str, generation: int) -> Worker | None:
        """Fork a worker on the snapshot at `path` (it opens it, then reports); None if it died at once."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            try:
                ours.detach()  # closed below with every other descriptor of this process
                os.dup2(theirs.detach(), CHANNEL_FD)
                _worker(path)
            finally:
                os._exit(1)
        theirs.close()
        try:
            pidfd = os.pidfd_open(pid)
        except ProcessLookupError:
            ours.close()
            return None
        worker = Worker(pid, pidfd, ours, generation)
        self.workers.append(worker)
        self.selector.register(ours, selectors.EVENT_READ, worker)
        return worker

    def ready(self, worker: Worker) -> str | None:
        """Wait for a starting worker's report: None once it is idle, else why it failed (it is gone then)."""
        worker.channel.settimeout(START_SECONDS)
        try:
            message = worker.channel.recv(MAX_MESSAGE)
        except OSError as error:
            message, failure = b"", str(error)
        else:
            failure = "the worker exited while opening the snapshot"
        finally:
            worker.channel.settimeout(None)
        report = decode(message, Ready) if message else Ready(False, failure)
        if not report.ok:
            self.retire(worker)
            self.failing = True
            return report.error or failure
        worker.state = "idle"
        return None

    def retire(self, worker: Worker) -> None:
        """Let a worker go: closing its channel makes it exit (after its job, if it has one)."""
        if worker in self.workers:
            self.workers.remove(worker)
            self.selector.unregister(worker.channel)
            worker.channel.close()
            os.close(worker.pidfd)

    def on_message(self, worker: Worker) -> None:
        """A worker reported: ready, or done with a job (kept or retired), or gone (EOF)."""
        try:
            message = worker.channel.recv(MAX_MESSAGE)
        except OSError:
            message = b""
        report = decode_any(message) if message else None
        if isinstance(report, Ready) and report.ok:
            worker.state = "idle"
        elif isinstance(report, Ready):
            self.retire(worker)
            self.failing = True
        elif isinstance(report, Done):
            worker.state = "idle"
            worker.jobs += 1
            self.workers.remove(worker)
            self.workers.append(
                worker
            )  # most recently used last: take() reuses it first (its caches are warm)
            stale = worker.generation != self.generation or worker.jobs >= MAX_JOBS
            if stale or _private_bytes(worker.pid) > MAX_WORKER_MEMORY:
                self.retire(worker)
        else:
            self.retire(worker)

    def wanted(self) -> bool:
        """Whether the pool on the current snapshot is short of workers."""
        return self.path is not None and not self.failing and len(self.current()) < self.pool

    def take(self) -> tuple[Worker | None, bool]:
        """An idle worker for a job (forking one now if none is idle) and whether it was warm."""
        for worker in reversed(self.current("idle")):
            return worker, True
        for worker in self.current("starting"):
            if self.ready(worker) is None:
                return worker, True
        if self.path is None:
            return None, False
        fresh = self.spawn(self.path, self.generation)
        if fresh is None or self.ready(fresh) is not None:
            return None, False
        return fresh, False

    # -- requests

    def load(self, request: Load) -> Ack:
        """Serve the snapshot at request.path: its first worker must open it before the switch."""
        generation, failing = self.generation + 1, self.failing
        worker = self.spawn(request.path, generation)
        failure = "the worker died at once" if worker is None else self.ready(worker)
        if failure is not None:
            self.failing = failing  # the current snapshot is still served as it was
            return Ack(False, failure)
        self.path, self.generation = request.path, generation
        self.pool, self.failing = max(int(request.pool), 1), False
        for old in [w for w in self.workers if w.generation != generation and w.state != "busy"]:
            self.retire(old)  # busy ones are retired when they report done
        return Ack(True)

    def warm(self) -> Ack:
        """Import and compile what write jobs use, once here, so every worker forked from now on has it."""
        import treatykg.server.writes.job  # noqa: F401
        from treatykg.server.writes import entailment

        entailment.prepare()

        for worker in self.current("idle"):
            self.retire(worker)  # forked before the import; the pool refills with workers that have it
        return Ack(True)

    def fork(self, fd: int) -> None:
        """Hand the job's socket to a worker and reply with the worker's PID and a pidfd."""
        try:
            while True:
                worker, warm = self.take()
                if worker is None:
                    socket.send_fds(self.control, [encode(Forked(None, error="no worker"))], [])
                    return
                try:
                    socket.send_fds(worker.channel, [b"job"], [fd])
                except OSError:
                    self.retire(worker)  # it died while idle: try another
                    continue
                worker.state = "busy"
                socket.send_fds(self.control, [encode(Forked(worker.pid, warm))], [worker.pidfd])
                return
        finally:
            os.close(fd)

    def serve(self) -> None:
        """Answer control requests and worker reports until the server closes its end."""
        while True:
            events = self.selector.select(0 if self.wanted() else None)
            if not events:
                # Refill the pool while nothing else is waiting.
                path = cast(str, self.path)  # wanted() holds only once a snapshot is loaded
                self.failing = self.spawn(path, self.generation) is None
                continue
            for key, _ in events:
                if key.data is not None:
                    if key.data in self.workers:
                        self.on_message(key.data)
                    continue
                try:
                    message, fds, _, _ = socket.recv_fds(self.control, MAX_MESSAGE, 1)
                except ConnectionResetError:
                    return
                if not message:
                    return  # the server is gone; running workers finish or hit their CPU limit on their own
                request = decode_any(message)
                if isinstance(request, Fork):
                    self.fork(fds[0])
                    continue
                reply = self.load(request) if isinstance(request, Load) else self.warm()
                self.control.send(encode(reply))


def main(argv: list[str]) -> None:
    """Entry point: the control socket's descriptor is the only argument."""
    # Workers are reaped by the kernel (no zombies); Ctrl-C is for the server, which then closes our socket.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(KeyboardInterrupt):
        ReadView(socket.socket(fileno=int(argv[1]))).serve()


if __name__ == "__main__":
    main(sys.argv)
