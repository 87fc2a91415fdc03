"""The embedded Oxigraph store: where it lives, one process at a time, atomic replacement of build graphs.

A store is a directory:

    <store>/oxigraph/       the RocksDB database (pyoxigraph.Store)
    <store>/treatykg.pid    the lock: PID and name of the process holding the store (flock'ed while held)
    <store>/version.json    the store version: a counter bumped at every commit, the quads per graph at that
                            commit, the graphs the last build owns and that build's provenance
    <store>/oxigraph.next/, oxigraph.old/, version.next.json
                            only while a bulk build swaps in a new database (replace_database), or after one
                            was killed: open_store settles them first

API (the endpoint uses the same):

    path = store_path(args.store)                # --store > $TREATYKG_STORE > the per-user data directory
    with open_store(path, holder="the server") as handle:
        handle.store                             # the pyoxigraph.Store; query it with query_union()
        handle.version()                         # StoreVersion: .version, .etag, .graph_quads, ...
        replace_build_graphs(handle, {iri: rdflib.Graph}, build={...})   # one transaction
        record_commit(handle)                    # after any other write (e.g. over HTTP): bump the version
"""

from __future__ import annotations

import fcntl
import gc
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from treatykg.core.errors import StoreError
from treatykg.core.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, RECONCILED_GRAPH
from treatykg.core.terms import BlankNodeMap, QueryResults, Substitutions, solutions, triples_to_ox
from treatykg.graph.store.sparql_files import read_query

STORE_ENV = "TREATYKG_STORE"
DATABASE_DIR = "oxigraph"
LOCK_FILE = "treatykg.pid"
VERSION_FILE = "version.json"
# The record of a commit being made: written before the store commits, promoted to version.json after.
PENDING_FILE = "version.pending.json"
# A bulk build's new database and version record, and the old database while it is swapped out.
NEXT_DIR, OLD_DIR, NEXT_VERSION_FILE = "oxigraph.next", "oxigraph.old", "version.next.json"

# Always the build's, even in a store whose version file was lost: reasoning must never read an old
# inferred graph back as asserted data.
ALWAYS_BUILD_OWNED = frozenset({ONTOLOGY_GRAPH, INFERRED_GRAPH})


class StoreInUse(StoreError):
    """Another live process holds the store; a second process must never open its database."""

    def __init__(self, pid: int | None, holder: str):
        self.pid = pid
        self.holder = holder
        super().__init__(f"store in use by {holder}, PID {pid if pid is not None else 'unknown'}")


@dataclass(frozen=True)
class StoreVersion:
    """What the store holds as of its last commit."""

    version: int = 0
    store_id: str = ""
    graph_quads: dict[str, int] = field(default_factory=dict)
    default_graph_quads: int = 0
    build_graphs: tuple[str, ...] = ()
    build: dict = field(default_factory=dict)

    @property
    def etag(self) -> str:
        """A strong HTTP entity tag for everything the store serves at this version."""
        # The store id keeps a recreated store (counter back at 1) from matching a cached ETag.
        return f'"{self.store_id}-{self.version}"'

    def to_json(self) -> str:
        """The version file's content: stable key order, so the file itself diffs cleanly."""
        document = {
            "version": self.version,
            "store_id": self.store_id,
            "graph_quads": dict(sorted(self.graph_quads.items())),
            "default_graph_quads": self.default_graph_quads,
            "build_graphs": sorted(self.build_graphs),
            "build": self.build,
        }
        return json.dumps(document, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> StoreVersion:
        """Parse a version file."""
        document = json.loads(text)
        return cls(
            version=int(document["version"]),
            store_id=str(document["store_id"]),
            graph_quads={str(k): int(v) for k, v in document["graph_quads"].items()},
            default_graph_quads=int(document["default_graph_quads"]),
            build_graphs=tuple(document["build_graphs"]),
            build=document.get("build", {}),
        )


def default_store_path() -> Path:
    """The per-user store: `$XDG_DATA_HOME/treatykg/store`, or `~/.local/share/treatykg/store`."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "treatykg" / "store"


def store_path(option: str | os.PathLike[str] | None = None) -> Path:
    """The store to use: the `--store` option, else `$TREATYKG_STORE`, else the per-user default."""
    if option:
        return Path(option)
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV])
    return default_store_path()


class OpenStore:
    """A store this process holds: the pyoxigraph Store plus the lock that keeps other processes out."""

    def __init__(self, path: Path, store: ox.Store, lock_fd: int):
        self.path = path
        self.store = store
        self._lock_fd = lock_fd

    def version(self) -> StoreVersion:
        """The store version recorded at the last commit (version 0 for a store never written)."""
        return read_version(self.path)

    def query_union(self, text: str, substitutions: Substitutions | None = None) -> QueryResults:
        """Run a query over the union of all graphs."""
        return query_union(self.store, text, substitutions=substitutions)

    def replace_build_graphs(self, graphs: Mapping[str, Graph], build: dict | None = None) -> StoreVersion:
        """Atomically drop the build-owned graphs and insert `graphs` in their place, keeping all others."""
        return replace_build_graphs(self, graphs, build)

    def has_quads(self) -> bool:
        """Whether the store holds any quad at all."""
        return next(iter(self.store.quads_for_pattern(None, None, None)), None) is not None

    def embedded(self) -> OpenStore:
        """This store: it has a directory, a lock and a database that can be swapped whole."""
        return self

    def close(self) -> None:
        """Close the database, then release the lock."""
        if self._lock_fd < 0:
            return
        self.store = None  # type: ignore[assignment]  # a closed handle holds no database: RocksDB closes
        # RocksDB closes when the last reference goes; result iterators may hold one in a cycle.
        gc.collect()
        # Truncate, never unlink: unlinking would let a waiting process lock an orphaned inode while a
        # third creates and locks a new file, and both would believe they hold the store.
        os.ftruncate(self._lock_fd, 0)
        fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        os.close(self._lock_fd)
        self._lock_fd = -1

    def __enter__(self) -> OpenStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_store(path: str | os.PathLike[str], holder: str = "treatykg", create: bool = True) -> OpenStore:
    """Lock and open the store at `path` (created if missing and `create`); StoreInUse if another holds it."""
    path = Path(path)
    if not create and not (path / DATABASE_DIR).is_dir() and not (path / OLD_DIR).is_dir():
        raise StoreError(f"{path}: no store here; run `treatykg build` first")
    try:
        path.mkdir(parents=True, exist_ok=True)
        lock_fd = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise StoreError(f"{path}: cannot create the store: {error.strerror}") from None
    try:
        # flock, not the PID alone: the kernel drops it when the holder dies, so a stale PID file
        # never locks anyone out, and two processes can't both pass a check-then-write race.
        fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pid, name = _read_lock(lock_fd)
        os.close(lock_fd)
        raise StoreInUse(pid, name) from None
    os.ftruncate(lock_fd, 0)
    os.pwrite(lock_fd, f"{os.getpid()}\n{holder}\n".encode(), 0)
    try:
        settle_swap(path)
        store = ox.Store(str(path / DATABASE_DIR))
    except OSError as error:
        os.ftruncate(lock_fd, 0)
        fcntl.flock(lock_fd, fcntl.LOCK_UN)
        os.close(lock_fd)
        raise StoreError(f"{path}: cannot open the store: {error}") from None
    return OpenStore(path, store, lock_fd)


def _read_lock(lock_fd: int) -> tuple[int | None, str]:
    """The PID and holder name written in a lock file."""
    lines = os.pread(lock_fd, 4096, 0).decode("utf-8", errors="replace").splitlines()
    pid = int(lines[0]) if lines and lines[0].strip().isdigit() else None
    holder = lines[1].strip() if len(lines) > 1 and lines[1].strip() else "another process"
    return pid, holder


def read_version(path: str | os.PathLike[str]) -> StoreVersion:
    """The version file of the store at `path`, or version 0 if it has none yet."""
    try:
        return StoreVersion.from_json((Path(path) / VERSION_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return StoreVersion()
    except (ValueError, KeyError, TypeError) as error:
        raise StoreError(f"{Path(path) / VERSION_FILE}: unreadable store version ({error})") from None


def _write_record(path: Path, name: str, version: StoreVersion) -> None:
    """Write a version record atomically and durably: a reader sees the old file or the new one, never a
    torn one."""
    temporary = path / f".{name}.{os.getpid()}.tmp"
    with temporary.open("w", encoding="utf-8") as stream:
        stream.write(version.to_json())
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path / name)


def graph_quads(store: ox.Store) -> tuple[dict[str, int], int]:
    """Quads per named graph, and quads in the default graph."""
    named = {
        solution["graph"].value: int(solution["quads"].value)
        for solution in solutions(store.query(read_query("graph-quads")))
        if isinstance(solution["graph"], ox.NamedNode)
    }
    default = int(next(iter(solutions(store.query(read_query("default-graph-quads")))))["quads"].value)
    return named, default


def next_version(
    previous: StoreVersion,
    store: ox.Store,
    build_graphs: Iterable[str] | None,
    build: dict | None,
    changed: Iterable[str] | None = None,
) -> StoreVersion:
    """The version after `previous` for what `store` now holds (build graphs and provenance kept if None).

    With `changed`, only those named graphs are recounted (a GROUP BY over every quad takes a second at a
    million triples); the others keep their recorded counts."""
    if changed is None:
        named, default = graph_quads(store)
    else:
        named, default = dict(previous.graph_quads), previous.default_graph_quads
        for name in changed:
            query = f"SELECT (COUNT(*) AS ?quads) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
            named[name] = int(next(iter(solutions(store.query(query))))["quads"].value)
        named = {name: quads for name, quads in named.items() if quads}
    return StoreVersion(
        version=previous.version + 1,
        store_id=previous.store_id or uuid.uuid4().hex[:12],
        graph_quads=named,
        default_graph_quads=default,
        build_graphs=tuple(sorted(build_graphs)) if build_graphs is not None else previous.build_graphs,
        build=build if build is not None else previous.build,
    )


def record_commit(
    handle: OpenStore,
    build_graphs: Iterable[str] | None = None,
    build: dict | None = None,
    changed: Iterable[str] | None = None,
) -> StoreVersion:
    """Bump the version after a committed write and record the quads per graph (only the `changed` graphs
    recounted, if given); returns the new version."""
    version = next_version(handle.version(), handle.store, build_graphs, build, changed)
    # Written after the commit: a crash in between leaves the data new and the counter old, which
    # `treatykg check` sees as counts that differ from the store's.
    _write_record(handle.path, VERSION_FILE, version)
    return version


def write_pending(handle: OpenStore, version: StoreVersion) -> None:
    """Record the commit about to be made (before the store commits it), durably."""
    _write_record(handle.path, PENDING_FILE, version)


def finish_pending(handle: OpenStore, landed: bool) -> StoreVersion:
    """After the commit (or at the next open, if it was killed): promote the pending record, or drop it."""
    pending = handle.path / PENDING_FILE
    if landed:
        version = StoreVersion.from_json(pending.read_text(encoding="utf-8"))
        _write_record(handle.path, VERSION_FILE, version)
    pending.unlink(missing_ok=True)
    return handle.version()


def read_pending(path: str | os.PathLike[str]) -> StoreVersion | None:
    """The record of a commit that was being made when the last holder stopped, if any."""
    try:
        return StoreVersion.from_json((Path(path) / PENDING_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        return None  # torn before its rename: the commit never started


def require_current(version: StoreVersion, path: object) -> None:
    """StoreError if the store was built by a treatykg that predates the accounts: its version record names
    no reconciled graph, so a write would leave the graph half-migrated."""
    if version.build and RECONCILED_GRAPH not in version.build.get("derived", []):
        raise StoreError(
            f"the store at {path} was built by an earlier version of treatykg, without the reconciled view "
            "of the sources' accounts; rebuild it with `treatykg build` before writing to it"
        )


def build_owned_graphs(version: StoreVersion) -> frozenset[str]:
    """The graphs the build recorded in `version` wrote, which the next build replaces."""
    return ALWAYS_BUILD_OWNED | frozenset(version.build_graphs)


def replace_request(drop: Iterable[str], graphs: Mapping[str, Graph]) -> str:
    """One SPARQL Update request that drops `drop` and inserts `graphs`."""
    blank_nodes = BlankNodeMap()  # one map for the whole request: the inferred graph names ontology bnodes
    parts = [f"DROP SILENT GRAPH <{name}> ;\n" for name in sorted(drop)]
    parts.append("INSERT DATA {\n")
    for name in sorted(graphs):
        parts.append(f"GRAPH <{name}> {{\n")
        parts.extend(f"{triple} .\n" for triple in triples_to_ox(graphs[name], blank_nodes))
        parts.append("}\n")
    parts.append("}\n")
    return "".join(parts)


def replace_build_graphs(
    handle: OpenStore, graphs: Mapping[str, Graph], build: dict | None = None
) -> StoreVersion:
    """Atomically drop the build-owned graphs and insert `graphs` in their place, keeping all others."""
    drop = build_owned_graphs(handle.version()) | frozenset(graphs)
    # One Store.update() call is one transaction (pyoxigraph: "either the full operation succeeds, or
    # nothing is written"); Store.extend() is too, but cannot drop, and bulk_load is not atomic at all.
    try:
        handle.store.update(replace_request(drop, graphs))
    except (OSError, RuntimeError, SyntaxError, ValueError) as error:
        raise StoreError(f"{handle.path}: the store was left unchanged: {error}") from None
    return record_commit(handle, build_graphs=graphs, build=build)


def replace_database(
    handle: OpenStore, fill: Callable[[ox.Store], None], build_graphs: Iterable[str], build: dict
) -> StoreVersion:
    """Replace the whole database with one `fill` writes, for a build too large for one update request.

    The new database is built beside the old one (`oxigraph.next/`, with `version.next.json`), then
    swapped in by two renames. Renaming the old database away is the commit point: a process killed before
    it leaves the old store, one killed after it the new store, which the next open_store completes
    (settle_swap). `fill` must copy whatever of the old store is
    to be kept; the old store stays open and readable while it runs.
    """
    path = handle.path
    settle_swap(path)  # a leftover of a build killed before its commit point
    try:
        database = ox.Store(str(path / NEXT_DIR))
        try:
            fill(database)
            database.flush()
            version = next_version(handle.version(), database, build_graphs, build)
        finally:
            del database  # closes it: RocksDB closes when the last reference goes
            gc.collect()
        _write_record(path, NEXT_VERSION_FILE, version)
    except BaseException as error:
        settle_swap(path)
        if isinstance(error, OSError):  # a full disk, say: the user's to fix, not a crash
            raise StoreError(f"{path}: the store was left unchanged: {error}") from None
        raise
    handle.store = None  # type: ignore[assignment]  # the last reference goes, so RocksDB closes
    gc.collect()  # closes the old database before its directory is renamed away
    try:
        (path / DATABASE_DIR).rename(path / OLD_DIR)  # the commit point
        _sync_directory(path)
        settle_swap(path)
        handle.store = ox.Store(str(path / DATABASE_DIR))
    except OSError as error:
        raise StoreError(f"{path}: the new database was not swapped in: {error}") from None
    return version


def settle_swap(path: Path) -> None:
    """Finish or undo a database swap that replace_database started, so `oxigraph/` is whole again."""
    if (path / OLD_DIR).is_dir():  # past the commit point: the new database and record win
        if (path / NEXT_DIR).is_dir():
            (path / NEXT_DIR).rename(path / DATABASE_DIR)
        if (path / NEXT_VERSION_FILE).exists():
            (path / NEXT_VERSION_FILE).rename(path / VERSION_FILE)
        _sync_directory(path)
        shutil.rmtree(path / OLD_DIR)
    else:  # before it: whatever the swap had written is dropped
        shutil.rmtree(path / NEXT_DIR, ignore_errors=True)
        (path / NEXT_VERSION_FILE).unlink(missing_ok=True)
    # A record's temporary file (_write_record) outlives a process killed before its rename; whoever calls
    # this holds the store, so no live writer owns one.
    for temporary in path.glob(".*.tmp"):
        temporary.unlink(missing_ok=True)


def _sync_directory(path: Path) -> None:
    """Make the renames inside `path` durable."""
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def query_union(store: ox.Store, query: str, substitutions: Substitutions | None = None) -> QueryResults:
    """Run a SPARQL query whose default graph is the union of all graphs, as every TreatyKG query is."""
    return store.query(query, use_default_graph_as_union=True, substitutions=substitutions)
