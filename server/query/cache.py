"""Query answers kept until the store's next commit: keyed by the store version and the whole query job.

The key is the job as it goes to a worker (server/query/messages.py): the query text (a prepared query's
parameters already bound into it), the negotiated format of each result family, the row limit, the base IRI
and the dataset (union, default-graph-uri, named-graph-uri). An entry holds for one store version: the first
lookup at a newer version empties the cache. Answers are stored only when they can be given again as they
are: a 200, not truncated, from a query that calls none of NOW(), RAND(), UUID(), STRUUID() or BNODE()
(server/query/guard.py), read at the version the cache holds. The cache lives in the server process that
receives the workers' answers, so every worker's answer serves every request thread.
"""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass, field

from treatykg.server.query import guard
from treatykg.server.query.interface import Outcome, QueryEngine
from treatykg.server.query.messages import QueryJob, encode

# One answer may fill at most this share of the cache, so one large result cannot flush all the others.
ENTRY_SHARE = 4


@dataclass
class CacheStats:
    """Counters the /metrics route exposes."""

    hits: int = 0
    misses: int = 0
    evictions: int = 0  # entries dropped to stay under the byte cap (least recently used first)
    invalidations: int = 0  # new store versions that emptied a cache holding entries
    # Answers not kept, by reason (volatile, status, truncated, size, version).
    skipped: collections.Counter[str] = field(default_factory=collections.Counter)
    bytes: int = 0
    entries: int = 0


@dataclass(frozen=True)
class _Entry:
    """A kept answer and what it counts against the cap."""

    status: int
    body: bytes
    content_type: str
    family: str | None
    size: int


class ResultCache:
    """Answers of query jobs at the current store version, least recently used dropped beyond `max_bytes`."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(max_bytes, 0)
        self.stats = CacheStats()
        self._lock = threading.Lock()
        self._version: str | None = None
        self._entries: collections.OrderedDict[bytes, _Entry] = collections.OrderedDict()

    @property
    def enabled(self) -> bool:
        """Whether answers are kept at all (a cap of 0 turns the cache off)."""
        return self.max_bytes > 0

    def run(self, engine: QueryEngine, job: QueryJob) -> Outcome:
        """The job's answer: kept at the store's current version, else the engine's (kept if it may)."""
        if not self.enabled:
            return engine.run(job)
        if guard.volatile(job.query):
            self._skip("volatile")
            return engine.run(job)
        key = encode(job)
        current = engine.version.etag
        with self._lock:
            self._follow(current)
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.stats.hits += 1
            else:
                self.stats.misses += 1
        if entry is not None:
            return Outcome(
                entry.status,
                body=entry.body,
                content_type=entry.content_type,
                family=entry.family,
                version=current,
            )
        outcome = engine.run(job)
        self._keep(key, outcome)
        return outcome

    def _keep(self, key: bytes, outcome: Outcome) -> None:
        """Keep an answer if it may be given again as it is, at the version the cache holds."""
        if outcome.status != 200:
            self._skip("status")
            return
        if outcome.truncated:
            self._skip("truncated")
            return
        size = len(key) + len(outcome.body) + len(outcome.content_type) + len(outcome.family or "")
        if size > self.max_bytes // ENTRY_SHARE:
            self._skip("size")
            return
        with self._lock:
            # The answer's version is never older than its data; equal to the version the cache holds (itself
            # the store's newest seen), the data is exactly that version's. A write during the query: skipped.
            if outcome.version is None or outcome.version != self._version:
                self.stats.skipped["version"] += 1
                return
            previous = self._entries.pop(key, None)
            if previous is not None:
                self.stats.bytes -= previous.size
            self._entries[key] = _Entry(
                outcome.status, outcome.body, outcome.content_type, outcome.family, size
            )
            self.stats.bytes += size
            while self.stats.bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.stats.bytes -= dropped.size
                self.stats.evictions += 1
            self.stats.entries = len(self._entries)

    def _follow(self, version: str) -> None:
        """Hold `version` from now on: entries of any other version go (lock held)."""
        if version == self._version:
            return
        if self._entries:
            self.stats.invalidations += 1
        self._entries.clear()
        self.stats.bytes = self.stats.entries = 0
        self._version = version

    def _skip(self, reason: str) -> None:
        """Count an answer not kept."""
        with self._lock:
            self.stats.skipped[reason] += 1

    def snapshot(self) -> CacheStats:
        """A consistent copy of the counters."""
        with self._lock:
            stats = self.stats
            return CacheStats(
                stats.hits,
                stats.misses,
                stats.evictions,
                stats.invalidations,
                collections.Counter(stats.skipped),
                stats.bytes,
                stats.entries,
            )
