"""The query engine as the app's one extension: `init_app` opens it on the store, `get_engine` reaches it.

Beside it, the result cache (server/query/cache.py) that query routes go through with `run_query`.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app

from treatykg.core.errors import InputError
from treatykg.graph.store.protocol import Store, open_location
from treatykg.graph.store.remote import RemoteStore
from treatykg.server.config import REMOTE_TYPES
from treatykg.server.protocol.description import Describer
from treatykg.server.query.cache import ResultCache
from treatykg.server.query.engine import Engine
from treatykg.server.query.interface import Outcome, QueryEngine
from treatykg.server.query.messages import QueryJob
from treatykg.server.query.remote import RemoteEngine

log = logging.getLogger("treatykg.server")

ENGINE = "treatykg.engine"
STORE = "treatykg.store"
DESCRIBER = "treatykg.describer"
CACHE = "treatykg.result_cache"


def init_app(app: Flask) -> QueryEngine:
    """Open the engine on the app's STORE (built first if empty and BUILD_IF_EMPTY) and keep it on the app."""
    # Remote settings the configuration leaves unset fall back to the TREATYKG_REMOTE_* defaults.
    options = {key.removeprefix("REMOTE_").lower(): app.config.get(key) for key in REMOTE_TYPES}
    handle = open_location(
        app.config["STORE"],
        holder="the server",
        options={key: value for key, value in options.items() if value is not None},
    )
    try:
        if app.config["BUILD_IF_EMPTY"] and not handle.has_quads():
            build_store(handle)
        engine = open_engine(app, handle)
    except BaseException:
        handle.close()
        raise
    app.extensions[ENGINE] = engine
    app.extensions[STORE] = handle
    app.extensions[DESCRIBER] = Describer()
    app.extensions[CACHE] = ResultCache(cache_bytes(app, handle))
    return engine


def cache_bytes(app: Flask, handle: Store) -> int:
    """The result cache's cap: RESULT_CACHE_BYTES, or 0 (off) on a remote store others may write."""
    wanted: int = app.config["RESULT_CACHE_BYTES"]
    if wanted < 0:
        raise InputError(f"result_cache_bytes must be 0 (no cache) or more, not {wanted}")
    if wanted and handle.embedded() is None and not app.config["REMOTE_CACHE_TRUSTED"]:
        # A write by another client of the remote need not move its version record: a kept answer could
        # outlive it. Only with REMOTE_CACHE_TRUSTED (this server is the remote's one writer) is it kept.
        log.info("the result cache is off: the store is remote and remote_cache_trusted is not set")
        return 0
    return wanted


def get_engine() -> QueryEngine:
    """The current app's query engine."""
    engine: QueryEngine = current_app.extensions[ENGINE]
    return engine


def get_cache() -> ResultCache:
    """The current app's result cache."""
    cache: ResultCache = current_app.extensions[CACHE]
    return cache


def run_query(job: QueryJob) -> Outcome:
    """A query job's answer, from the result cache when it holds one for the store's version."""
    return get_cache().run(get_engine(), job)


def get_describer() -> Describer:
    """The current app's service describer (it caches the dataset description per store version)."""
    describer: Describer = current_app.extensions[DESCRIBER]
    return describer


def close_engine(app: Flask) -> None:
    """Stop the read view and release the store (idempotent)."""
    engine = app.extensions.pop(ENGINE, None)
    handle = app.extensions.pop(STORE, None)
    if engine is not None:
        engine.close()
    if handle is not None:
        handle.close()


def open_engine(app: Flask, handle: Store) -> QueryEngine:
    """The engine for the store: forked workers over the embedded store's read view, or the remote's."""
    embedded = handle.embedded()
    if embedded is not None:
        return Engine(
            embedded,
            timeout=app.config["QUERY_TIMEOUT"],
            workers=app.config["QUERY_WORKERS"],
            memory_bytes=app.config["QUERY_MEMORY_MB"] * 1024 * 1024
            if app.config["QUERY_MEMORY_MB"]
            else None,
            writes=bool(app.config["UPDATE_TOKENS"]),
        )
    assert isinstance(handle, RemoteStore)  # noqa: S101 - a Store is embedded or remote
    return RemoteEngine(handle, timeout=app.config["QUERY_TIMEOUT"], workers=app.config["QUERY_WORKERS"])


def build_store(handle: Store) -> None:
    """Build the packaged ontology and data into an empty store (what `treatykg build` does)."""
    # owlrl and pySHACL load only when a store needs building, not at every server start.
    from treatykg.graph.build.reference import build, load_inputs

    log.info("the store %s is empty: building it first", handle.path)
    result = build(handle, load_inputs(), reasoned=True)
    log.info(
        "built store version %s: %s",
        result.version.version,
        ", ".join(f"{name} ({count} triples)" for name, count in sorted(result.graphs.items())),
    )
