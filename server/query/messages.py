"""Messages between the server, the read view (zygote) and its workers: frozen dataclasses, JSON on the wire.

Every message is encoded as a JSON object with a `kind` tag naming its class (nested ones too, so a field
that holds one of several classes decodes to the right one); decoding rebuilds the dataclass from its type
hints, lists becoming tuples. Only these classes cross a process boundary; the module imports nothing
heavy, as the read view loads it before any worker forks.
"""

from __future__ import annotations

import json
import types
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, is_dataclass
from functools import cache
from typing import Any, TypeVar, Union, cast, get_args, get_origin, get_type_hints

# -- jobs (server -> worker) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryJob:
    """A SPARQL query, answered in the first acceptable format per result family (None: not acceptable)."""

    query: str
    formats: Mapping[str, tuple[str, str] | None]  # family -> (format key, media type)
    row_limit: int
    base_iri: str | None = None
    union: bool = True  # the default graph is the union of all graphs
    default_graph: tuple[str, ...] | None = None  # the protocol's default-graph-uri (None: the store's own)
    named_graphs: tuple[str, ...] | None = None


@dataclass(frozen=True)
class DumpJob:
    """A graph (None: the whole dataset; "default": the default graph) as the Graph Store Protocol's GET."""

    graph: str | None
    format: tuple[str, str]  # (format key, media type)


@dataclass(frozen=True)
class ExportJob:
    """Every export of the snapshot (graph/export/dumps.py) written into `folder`, the files /dumps serves.

    The worker writes them from its own snapshot, streaming: the server never holds the dataset in memory.
    """

    folder: str
    formats: tuple[str, ...]
    build: Mapping[str, Any]  # the store version's build record, which the VoID description cites
    dumps_base: str


@dataclass(frozen=True)
class UpdateWrite:
    """A SPARQL Update to check and commit."""

    update: str
    base_iri: str | None = None


@dataclass(frozen=True)
class GraphStoreWrite:
    """A Graph Store Protocol PUT, POST or DELETE of `target`, its body as N-Quads.

    The target is a graph IRI, "default" (the default graph) or None (the dataset).
    """

    method: str
    target: str | None
    quads: str


@dataclass(frozen=True)
class WriteJob:
    """A write to compute, reason over and validate against the snapshot, under the server's write limits;
    `checkpoint` is a writable copy of the store made for this job alone (None: the region mode on the
    snapshot, read only)."""

    change: UpdateWrite | GraphStoreWrite
    base: str
    max_quads: int
    region_limit: int
    checkpoint: str | None = None


Job = QueryJob | DumpJob | ExportJob | WriteJob


@dataclass(frozen=True)
class Task:
    """What the server writes to a worker's job socket: the job and the CPU and memory it may use."""

    job: Job
    cpu_seconds: int = 60
    memory_bytes: int | None = None


# -- replies (worker -> server) --------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """The first line of a worker's answer; the body follows it."""

    status: int
    message: str = ""
    content_type: str | None = None
    truncated: bool = False
    family: str | None = None


@dataclass(frozen=True)
class WriteAccount:
    """A checked write as the worker found it: the change (N-Quads), what it touches, how it was checked."""

    removed: str
    added: str
    dropped: tuple[str, ...]
    created: tuple[str, ...]
    inferred_removed: str
    inferred_added: str
    graphs: tuple[str, ...]  # the named graphs the change touches
    default_changed: bool
    existed: bool | None  # for a Graph Store write: whether the target graph was there before
    path: str  # the check's path (full, incremental, region)
    focus: int  # focus nodes validated
    counts: tuple[int, int, int, int]  # removed, added, inferred removed, inferred added


@dataclass(frozen=True)
class ShaclResult:
    """One SHACL result of a rejected write, named as the SHACL vocabulary names it (terms in N-Triples)."""

    focusNode: str
    resultPath: str | None
    value: str | None
    sourceConstraintComponent: str
    resultSeverity: str
    sourceShape: str
    resultMessage: str | None


@dataclass(frozen=True)
class Rejection:
    """A write that does not conform: its SHACL results and OWL 2 RL inconsistencies (the 422's JSON body)."""

    conforms: bool
    inconsistencies: tuple[str, ...]
    results: tuple[ShaclResult, ...]

    def document(self) -> dict[str, Any]:
        """The JSON document a client gets (no kind tags)."""
        return asdict(self)


# -- the read view's control socket (server <-> zygote) and worker reports (worker -> zygote) ----------


@dataclass(frozen=True)
class Load:
    """Serve the snapshot at `path` (a RocksDB checkpoint of the store) with `pool` warm workers."""

    path: str
    pool: int = 1


@dataclass(frozen=True)
class Warm:
    """Import what write jobs need, once, before forking more workers."""


@dataclass(frozen=True)
class Fork:
    """Hand the job socket sent with this message (one descriptor) to a worker."""


@dataclass(frozen=True)
class Ack:
    """The zygote's reply to Load and Warm."""

    ok: bool
    error: str | None = None


@dataclass(frozen=True)
class Forked:
    """The zygote's reply to Fork (with the worker's pidfd, if it is still there); pid None: no worker."""

    pid: int | None
    warm: bool = False
    error: str | None = None


@dataclass(frozen=True)
class Ready:
    """A new worker's report: it opened the snapshot (or why it could not)."""

    ok: bool
    error: str | None = None


@dataclass(frozen=True)
class Done:
    """A worker finished a job and waits for the next."""


Message = (
    Task
    | Header
    | WriteAccount
    | Rejection
    | Load
    | Warm
    | Fork
    | Ack
    | Forked
    | Ready
    | Done
    | QueryJob
    | DumpJob
    | ExportJob
    | WriteJob
    | UpdateWrite
    | GraphStoreWrite
    | ShaclResult
)
KINDS: dict[str, type] = {
    "task": Task,
    "query": QueryJob,
    "dump": DumpJob,
    "export": ExportJob,
    "write": WriteJob,
    "update": UpdateWrite,
    "graph-store": GraphStoreWrite,
    "header": Header,
    "account": WriteAccount,
    "rejection": Rejection,
    "shacl-result": ShaclResult,
    "load": Load,
    "warm": Warm,
    "fork": Fork,
    "ack": Ack,
    "forked": Forked,
    "ready": Ready,
    "done": Done,
}
_TAGS = {cls: kind for kind, cls in KINDS.items()}
M = TypeVar("M")
J = TypeVar("J", dict, list)


def _plain(value: object) -> object:
    """A message (and what it holds) as JSON-ready values, each dataclass tagged with its kind."""
    if is_dataclass(value) and not isinstance(value, type):
        return {"kind": _TAGS[type(value)], **{f.name: _plain(getattr(value, f.name)) for f in fields(value)}}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _typed(hint: object, value: object) -> object:
    """A JSON value rebuilt as the type `hint` says (dataclasses by their fields, lists as tuples)."""
    if value is None:
        return None
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        options = [option for option in args if option is not type(None)]
        if len(options) == 1:
            return _typed(options[0], value)
        document = _json(value, dict)  # one of several message classes: its kind says which
        return _build(KINDS[document["kind"]], document)
    if isinstance(hint, type) and is_dataclass(hint):
        return _build(hint, _json(value, dict))
    if origin is tuple:
        items = _json(value, list)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_typed(args[0], item) for item in items)
        return tuple(_typed(arg, item) for arg, item in zip(args, items, strict=True))
    if origin in (dict, Mapping):
        return {key: _typed(args[1], item) for key, item in _json(value, dict).items()}
    return value


def _json(value: object, kind: type[J]) -> J:
    """`value` if it is a JSON object (dict) or array (list) as expected; ValueError if not."""
    if not isinstance(value, kind):
        raise ValueError(f"expected a JSON {kind.__name__}, got {value!r:.80}")
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    """A message class's field types, resolved once (every job decodes a few messages)."""
    return get_type_hints(cls)


def _build(cls: type[M], data: Mapping[str, object]) -> M:
    """An instance of the message class `cls` from its JSON object."""
    hints = _hints(cast(type, cls))  # a class is hashable; mypy sees type[M] as maybe not
    names = [f.name for f in fields(cast(Any, cls)) if f.name in data]  # cls is a message dataclass
    return cls(**{name: _typed(hints[name], data[name]) for name in names})


def encode(message: Message) -> bytes:
    """A message as the bytes on the wire."""
    return json.dumps(_plain(message)).encode()


def decode(data: bytes, expected: type[M]) -> M:
    """The message of class `expected` in `data`; ValueError if it is another."""
    document = json.loads(data)
    cls = KINDS.get(str(document.get("kind"))) if isinstance(document, dict) else None
    if cls is not expected:
        raise ValueError(f"expected a {expected.__name__} message, got {str(data)[:80]}")
    return _build(expected, document)


def decode_any(data: bytes) -> Message:
    """The message in `data`, whichever kind it is."""
    document = json.loads(data)
    cls = KINDS.get(str(document.get("kind"))) if isinstance(document, dict) else None
    if cls is None:
        raise ValueError(f"not a message: {str(data)[:80]}")
    return cast(Message, _build(cls, document))
