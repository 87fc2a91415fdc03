"""Operations: /healthz, /metrics (Prometheus), a log line per request, CORS, plain-text errors, ETags."""

from __future__ import annotations

import collections
import hashlib
import json
import logging
import threading
import time

from flask import Blueprint, Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException, InternalServerError, TooManyRequests
from werkzeug.wrappers import Response as BaseResponse

from treatykg.server.extensions import get_cache, get_engine
from treatykg.server.query.messages import QueryJob

bp = Blueprint("ops", __name__)
access_log = logging.getLogger("treatykg.server.access")
log = logging.getLogger("treatykg.server")

# Browsers (YASGUI and other clients on other origins) may read every answer: the data is public, and
# writes need a bearer token, never a cookie.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Content-Length, X-TreatyKG-Truncated, X-TreatyKG-Row-Limit",
}
CORS_PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type, If-None-Match",
    "Access-Control-Max-Age": "86400",
}


class Metrics:
    """Request counters and durations by route, method and status, for /metrics."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: collections.Counter[tuple[str, str, int]] = collections.Counter()
        self.seconds: collections.defaultdict[tuple[str, str], float] = collections.defaultdict(float)

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one finished request."""
        with self.lock:
            self.requests[(route, method, status)] += 1
            self.seconds[(route, method)] += seconds


def etag(variant: str) -> str:
    """An entity tag for a representation at the current store version (unquoted, as werkzeug wants it)."""
    return f"{get_engine().version.etag.strip(chr(34))}-{variant}"


def not_modified(tag: str) -> Response | None:
    """A 304 if the client already has this representation (If-None-Match), else None."""
    if request.if_none_match and (request.if_none_match.contains_weak(tag) or request.if_none_match.star_tag):
        response = Response(status=304)
        response.set_etag(tag)
        return response
    return None


def query_hash(text: str | None) -> str:
    """A short, stable fingerprint of a query or update for the log (never the text itself)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12] if text else "-"


@bp.route("/healthz")
def healthz() -> tuple[dict[str, object], int]:
    """200 while the store and the read view answer, else 503."""
    engine = get_engine()
    outcome = engine.run(QueryJob("ASK {}", {"boolean": ("json", "application/json")}, 1), timeout=5)
    healthy = outcome.status == 200
    body: dict[str, object] = {
        "status": "ok" if healthy else "unavailable",
        "store_version": engine.version.version,
        "snapshot_quads": engine.stats.snapshot_quads,
    }
    if not healthy:
        body["reason"] = outcome.message
    return body, 200 if healthy else 503


@bp.route("/metrics")
def metrics() -> Response:
    """Counters in the Prometheus text exposition format."""
    engine, recorded = get_engine(), current_app.extensions["treatykg.metrics"]
    lines = []

    def metric(name: str, kind: str, help_text: str, samples: list[tuple[str, float]]) -> None:
        lines.extend([f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"])
        # Counts exactly (a byte gauge would lose digits in %g); durations with %g's six digits.
        lines.extend(
            f"{name}{labels} {value if isinstance(value, int) else format(value, 'g')}"
            for labels, value in samples
        )

    with recorded.lock:
        requests = sorted(recorded.requests.items())
        seconds = sorted(recorded.seconds.items())
    metric(
        "treatykg_http_requests_total",
        "counter",
        "HTTP requests by route, method and status.",
        [(f'{{route="{r}",method="{m}",status="{s}"}}', n) for (r, m, s), n in requests],
    )
    metric(
        "treatykg_http_request_seconds_total",
        "counter",
        "Time spent answering requests, by route and method.",
        [(f'{{route="{r}",method="{m}"}}', n) for (r, m), n in seconds],
    )
    stats = engine.stats
    metric(
        "treatykg_query_jobs_total",
        "counter",
        "Jobs run by query workers, by outcome status.",
        [(f'{{status="{s}"}}', n) for s, n in sorted(stats.jobs.items())],
    )
    metric(
        "treatykg_query_timeouts_total",
        "counter",
        "Queries stopped at their deadline.",
        [("", stats.timeouts)],
    )
    metric("treatykg_query_workers_active", "gauge", "Query workers running now.", [("", stats.active)])
    metric(
        "treatykg_store_version",
        "gauge",
        "The store version (bumped at every commit).",
        [("", engine.version.version)],
    )
    metric(
        "treatykg_snapshot_quads", "gauge", "Quads in the read view's snapshot.", [("", stats.snapshot_quads)]
    )
    metric(
        "treatykg_snapshot_reloads_total",
        "counter",
        "Snapshot reloads (one per commit).",
        [("", stats.reloads)],
    )
    metric(
        "treatykg_snapshot_reload_seconds_total",
        "counter",
        "Time spent reloading the snapshot.",
        [("", stats.reload_seconds)],
    )
    metric(
        "treatykg_read_view_starts_total",
        "counter",
        "Read-view (zygote) processes started.",
        [("", stats.zygote_starts)],
    )
    cache, kept = get_cache(), get_cache().snapshot()
    metric(
        "treatykg_result_cache_hits_total",
        "counter",
        "Query answers given from the result cache.",
        [("", kept.hits)],
    )
    metric(
        "treatykg_result_cache_misses_total",
        "counter",
        "Cacheable queries the result cache did not hold (run by a worker).",
        [("", kept.misses)],
    )
    metric(
        "treatykg_result_cache_skipped_total",
        "counter",
        "Answers not kept, by reason: volatile (NOW, RAND, UUID, STRUUID, BNODE), status (not 200), "
        "truncated, size (over a quarter of the cap), version (the store changed during the query).",
        [(f'{{reason="{r}"}}', n) for r, n in sorted(kept.skipped.items())],
    )
    metric(
        "treatykg_result_cache_evictions_total",
        "counter",
        "Answers dropped to stay under the cap, least recently used first.",
        [("", kept.evictions)],
    )
    metric(
        "treatykg_result_cache_invalidations_total",
        "counter",
        "Store versions that emptied the result cache.",
        [("", kept.invalidations)],
    )
    metric("treatykg_result_cache_bytes", "gauge", "Bytes the result cache holds.", [("", kept.bytes)])
    metric("treatykg_result_cache_entries", "gauge", "Answers the result cache holds.", [("", kept.entries)])
    metric(
        "treatykg_result_cache_max_bytes",
        "gauge",
        "The result cache's cap in bytes (0: off).",
        [("", cache.max_bytes)],
    )
    return Response("\n".join(lines) + "\n", content_type="text/plain; version=0.0.4; charset=utf-8")


def _plain_error(error: HTTPException) -> BaseResponse:
    """Every error as a short plain-text message: no HTML page, no stack trace."""
    response = error.get_response()
    response.set_data(f"{error.code} {error.name}: {error.description}\n")
    response.content_type = "text/plain; charset=utf-8"
    return response


def _unexpected(error: Exception) -> BaseResponse:
    """A bug: logged with its traceback here, answered with a plain 500 there."""
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _plain_error(InternalServerError("the server failed; the error is in its log"))


# Routes whose requests run a query or a write: they count against MAX_QUERIES.
LIMITED_ENDPOINTS = frozenset(
    {"sparql.query", "sparql.update", "gsp.graph_store", "sources.add", "sources.replace", "sources.remove"}
)


def _start() -> BaseResponse | None:
    """Remember when the request started; 429 + Retry-After when MAX_QUERIES are already in progress."""
    g.started = time.perf_counter()
    if request.endpoint in LIMITED_ENDPOINTS and request.method != "OPTIONS":
        if not current_app.extensions["treatykg.in_progress"].acquire(blocking=False):
            response = _plain_error(TooManyRequests("too many queries in progress; retry in a moment"))
            response.headers["Retry-After"] = "1"
            return response
        g.holds_slot = True
    return None


def _release(_error: BaseException | None) -> None:
    """Give back the request's slot."""
    if g.pop("holds_slot", False):
        current_app.extensions["treatykg.in_progress"].release()


def _finish(response: Response) -> Response:
    """CORS headers, then the request's log line and metrics."""
    response.headers.update(CORS_HEADERS)
    if request.method == "OPTIONS":
        response.headers.update(CORS_PREFLIGHT)
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    route = request.url_rule.rule if request.url_rule else "(unmatched)"
    current_app.extensions["treatykg.metrics"].observe(route, request.method, response.status_code, seconds)
    # logfmt: one line per request, key=value pairs that log tools (Loki, Vector, lnav) parse as fields.
    fields = {
        "method": request.method,
        "path": request.path[:200],
        "status": response.status_code,
        "duration_ms": f"{seconds * 1000:.1f}",
        "query_hash": g.get("query_hash", "-"),
        "client": request.remote_addr or "-",
        "bytes": response.calculate_content_length() or 0,
    }
    if g.get("token_name"):
        fields["token"] = g.token_name
    if g.get("write_path"):
        fields["write_check"] = g.write_path
    access_log.info(" ".join(f"{key}={_logfmt(value)}" for key, value in fields.items()))
    return response


def _logfmt(value: object) -> str:
    """A logfmt value: bare if it needs no quoting, else a quoted string with JSON's escapes."""
    text = str(value)
    if text and text.isprintable() and not any(char in text for char in ' "=\\'):
        return text
    return json.dumps(text)


def init_app(app: Flask) -> None:
    """Set up the request hooks, metrics and error handlers (the factory registers the blueprint)."""
    app.extensions["treatykg.metrics"] = Metrics()
    app.extensions["treatykg.in_progress"] = threading.BoundedSemaphore(app.config["MAX_QUERIES"])
    app.teardown_request(_release)
    app.before_request(_start)
    app.after_request(_finish)
    app.register_error_handler(HTTPException, _plain_error)
    app.register_error_handler(Exception, _unexpected)
