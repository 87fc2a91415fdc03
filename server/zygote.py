"""The read view: one single-threaded process with an in-memory snapshot of the store; a forked child per job.

Run as `python -m treatykg.server.zygote FD`, FD being its end of a SOCK_SEQPACKET control socket.
Requests on it are JSON, one per message:

    {"op": "load", "path": P, "graphs": [...]}  replace the snapshot with the N-Quads dump at P
    {"op": "apply", "removed": P, "added": P,   apply a committed write's quads (N-Quads files) and graphs
     "dropped": [...], "created": [...]}
    {"op": "warm"}                              import what write jobs need, once, before forking them
    {"op": "fork"} + one fd                     fork a child that runs a job over that fd (a socket)

and each gets one JSON reply; `fork` replies {"pid": N} plus a pidfd of the child (none if it is already
gone), with which the server can kill it without any PID-reuse race. The child reads its job (JSON) from
its socket until EOF, then writes back one JSON header line and the result body.

In-memory Oxigraph starts no threads, so forking is safe here, and the children share the snapshot's
pages copy-on-write. Each child is boxed in before it runs anything: no new file descriptors (so neither
SERVICE nor anything else can open a socket, even if the lexical guard were fooled), a CPU-time limit
(so nothing outlives a server that died) and an address-space limit.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import sys
import time

import pyoxigraph as ox

from treatykg.server import results

CHILD_FD = 3  # the child's job socket; every other descriptor above stderr is closed
MAX_MESSAGE = 1 << 16


def _load(request: dict) -> tuple[ox.Store, dict]:
    """A fresh in-memory store with the dump, and the store's empty named graphs (N-Quads drops them)."""
    started = time.perf_counter()
    store = ox.Store()
    # parse() keeps the dump's blank-node ids (Store.load renames them): a write's delta computed here
    # names the on-disk store's own blank nodes.
    store.bulk_extend(ox.parse(path=request["path"], format=ox.RdfFormat.N_QUADS))
    for name in request.get("graphs", []):
        store.add_graph(ox.NamedNode(name))
    return store, {"ok": True, "quads": len(store), "seconds": round(time.perf_counter() - started, 4)}


def _apply(store: ox.Store, request: dict) -> dict:
    """Apply a committed write to the snapshot: the same quads and graphs, in the same order as the commit."""
    for quad in ox.parse(path=request["removed"], format=ox.RdfFormat.N_QUADS):
        store.remove(quad)
    store.extend(ox.parse(path=request["added"], format=ox.RdfFormat.N_QUADS))
    for name in request["dropped"]:
        store.remove_graph(ox.NamedNode(name))
    for name in request["created"]:
        store.add_graph(ox.NamedNode(name))
    return {"ok": True, "quads": len(store)}


def _confine(request: dict, address_space: int) -> None:
    """Limit the child: no new descriptors, bounded CPU time and memory."""
    cpu = int(request.get("cpu_seconds", 60))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    memory = request.get("memory_bytes")
    if memory:
        limit = address_space + int(memory)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if request.get("op") == "write":
        return  # a write job reads the packaged shapes; it never runs SERVICE or LOAD (server/delta.py)
    # The lowest free descriptor is always above CHILD_FD, so the limit forbids every new one.
    resource.setrlimit(resource.RLIMIT_NOFILE, (CHILD_FD + 1, CHILD_FD + 1))


def _read_job(sock: socket.socket) -> dict:
    """The job the server wrote, up to its EOF."""
    chunks = []
    while chunk := sock.recv(MAX_MESSAGE):
        chunks.append(chunk)
    return json.loads(b"".join(chunks))


def _graphs(names: list[str] | None) -> list[ox.NamedNode] | None:
    """Graph names for the query's dataset (None: the store's own)."""
    return None if names is None else [ox.NamedNode(name) for name in names]


def _execute(store: ox.Store, job: dict) -> tuple[dict, bytes]:
    """Run one job on the snapshot: the response header and body."""
    if job["op"] == "dump":
        return _dump(store, job)
    if job["op"] == "write":
        from treatykg.server import writejob

        return writejob.run(store, job)
    try:
        result = store.query(
            job["query"],
            base_iri=job.get("base_iri"),
            use_default_graph_as_union=job.get("union", True),
            default_graph=_graphs(job.get("default_graph")),
            named_graphs=_graphs(job.get("named_graphs")),
        )
    except SyntaxError as error:
        return {"status": 400, "message": f"query syntax error: {error}"}, b""
    formats, limit = job["formats"], job["row_limit"]
    if isinstance(result, ox.QueryBoolean):
        family, write = "boolean", lambda key: (results.write_boolean(bool(result), key), False)
    elif isinstance(result, ox.QuerySolutions):
        family, write = "solutions", lambda key: results.write_solutions(result, key, limit)
    else:
        family, write = "graph", lambda key: results.write_graph(result, key, limit)
    choice = formats.get(family)
    if choice is None:
        return {"status": 406, "message": f"no acceptable format for a {family} result"}, b""
    body, truncated = write(choice[0])
    return {"status": 200, "content_type": choice[1], "truncated": truncated, "family": family}, body


def _dump(store: ox.Store, job: dict) -> tuple[dict, bytes]:
    """A graph (or the whole dataset) of the snapshot, as the Graph Store Protocol's GET serves it."""
    graph = job.get("graph")
    if graph == "default":
        source = ox.DefaultGraph()
    elif graph is None:
        source = None
    else:
        source = ox.NamedNode(graph)
        if not store.contains_named_graph(source):
            return {"status": 404, "message": f"no graph named <{graph}> in the store"}, b""
    key, media_type = job["format"]
    prefixes = results.PREFIXES if key in ("turtle", "trig") else None
    options = {"from_graph": source} if source is not None else {}
    body = store.dump(format=results.RDF_FORMATS[key], prefixes=prefixes, **options)
    return {"status": 200, "content_type": media_type, "truncated": False}, body


def _child(fd: int, store: ox.Store, address_space: int) -> None:
    """The forked child: confine itself, run the job, write the answer, exit without Python's cleanup."""
    status = 1
    try:
        os.dup2(fd, CHILD_FD)
        os.closerange(CHILD_FD + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        sock = socket.socket(fileno=CHILD_FD)
        job = _read_job(sock)
        _confine(job, address_space)
        try:
            header, body = _execute(store, job)
        except MemoryError:
            header, body = {"status": 507, "message": "the query needs more memory than a query may use"}, b""
        except Exception as error:
            header, body = {"status": 500, "message": f"query failed: {error}"}, b""
        sock.sendall(json.dumps(header).encode() + b"\n" + body)
        sock.close()  # EOF now, not after the exit has unmapped this process's copy of the snapshot
        status = 0
    finally:
        os._exit(status)


def _address_space() -> int:
    """This process's virtual size in bytes: children get the memory limit on top of it."""
    with open("/proc/self/statm", encoding="ascii") as stream:
        return int(stream.read().split()[0]) * resource.getpagesize()


def serve(control: socket.socket) -> None:
    """Answer control requests until the server closes its end."""
    store, address_space = ox.Store(), _address_space()
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, MAX_MESSAGE, 1)
        except ConnectionResetError:
            return
        if not message:
            return  # the server is gone; running children finish or hit their CPU limit on their own
        request = json.loads(message)
        if request["op"] == "load":
            try:
                store, reply = _load(request)
                address_space = _address_space()
            except (OSError, SyntaxError, ValueError) as error:
                reply = {"ok": False, "error": str(error)}
            control.send(json.dumps(reply).encode())
        elif request["op"] == "apply":
            try:
                reply = _apply(store, request)
            except (OSError, SyntaxError, ValueError) as error:
                reply = {"ok": False, "error": str(error)}
            control.send(json.dumps(reply).encode())
        elif request["op"] == "warm":
            # What write jobs use, imported once here so every forked child has it already.
            import treatykg.server.writejob  # noqa: F401

            control.send(json.dumps({"ok": True}).encode())
        elif request["op"] == "fork":
            pid = os.fork()
            if pid == 0:
                control.close()
                _child(fds[0], store, address_space)
            os.close(fds[0])
            try:
                pidfd = [os.pidfd_open(pid)]
            except ProcessLookupError:
                pidfd = []  # already finished and reaped: nothing left to kill
            socket.send_fds(control, [json.dumps({"pid": pid}).encode()], pidfd)
            for fd in pidfd:
                os.close(fd)


def main(argv: list[str]) -> None:
    """Entry point: the control socket's descriptor is the only argument."""
    # Children are reaped by the kernel (no zombies); Ctrl-C is for the server, which then closes our socket.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    serve(socket.socket(fileno=int(argv[1])))


if __name__ == "__main__":
    main(sys.argv)
