"""The query-engine protocol the routes use; two engines implement it: the local worker pool, a remote store.

`Engine` (server/query/engine.py) runs jobs in forked workers over the embedded store; `RemoteEngine`
(server/query/remote.py) runs them on a remote SPARQL store. Both answer with an Outcome and count in Stats.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

import pyoxigraph as ox

from treatykg.graph.store.embedded import OpenStore, StoreVersion
from treatykg.server.query.messages import Job, WriteAccount, WriteJob

T = TypeVar("T")


@dataclass
class Outcome:
    """A job's answer: HTTP status, content type, body, and whether rows were cut."""

    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    truncated: bool = False
    message: str = ""
    pid: int | None = None
    family: str | None = None
    # The ETag of the store version the answer was read at; never newer than the data it was read from.
    version: str | None = None


@dataclass
class Stats:
    """Counters the /metrics route exposes."""

    jobs: collections.Counter[int] = field(default_factory=collections.Counter)  # by outcome status
    timeouts: int = 0
    active: int = 0
    reloads: int = 0
    reload_seconds: float = 0.0
    snapshot_quads: int = 0
    zygote_starts: int = 0


class QueryEngine(Protocol):
    """What a route may ask of the engine: run jobs under a deadline, write, read the store, report."""

    stats: Stats

    @property
    def version(self) -> StoreVersion:
        """The store's current version record."""
        ...

    def run(self, job: Job, timeout: float | None = None) -> Outcome:
        """Run a job (a query or a dump) under the deadline; 503 once it passes."""
        ...

    def validated_write(
        self, job: WriteJob, agent: str, label: str, timeout: float | None = None
    ) -> tuple[Outcome, WriteAccount | None]:
        """Compute, reason over, validate and commit a write; the worker's account when it answered 200."""
        ...

    def read_store(self, read: Callable[[ox.Store], T]) -> tuple[T, StoreVersion]:
        """Run a short read on the store, consistent with the version it returns."""
        ...

    def exclusive(self, task: Callable[[OpenStore], T]) -> T:
        """Run `task` on the store handle with no write in progress (backup, check)."""
        ...

    def commit_on_store(self, task: Callable[[OpenStore], T]) -> T:
        """Run `task`, a write that commits on the store handle itself, then serve the version it made."""
        ...

    def restore(self, path: Path, agent: str) -> int:
        """Make the store's content a backup's, as the next version; returns that version."""
        ...

    def close(self) -> None:
        """Release what the engine holds (the store handle stays the caller's)."""
        ...
