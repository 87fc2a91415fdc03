"""The query engine as the app's one extension: `init_app` opens it on the store, `get_engine` reaches it."""

from __future__ import annotations

import logging

from flask import Flask, current_app

from treatykg.graph.store.embedded import OpenStore, open_store, store_path
from treatykg.graph.store.remote import RemoteStore
from treatykg.graph.store.remote_client import is_remote, resolve
from treatykg.server.config import REMOTE_TYPES
from treatykg.server.protocol.description import Describer
from treatykg.server.query.engine import Engine
from treatykg.server.query.interface import QueryEngine
from treatykg.server.query.remote import RemoteEngine

log = logging.getLogger("treatykg.server")

ENGINE = "treatykg.engine"
DESCRIBER = "treatykg.describer"


def init_app(app: Flask) -> QueryEngine:
    """Open the engine on the app's STORE (built first if empty and BUILD_IF_EMPTY) and keep it on the app."""
    engine = open_remote(app) if is_remote(app.config["STORE"]) else open_embedded(app)
    app.extensions[ENGINE] = engine
    app.extensions[DESCRIBER] = Describer()
    return engine


def get_engine() -> QueryEngine:
    """The current app's query engine."""
    engine: QueryEngine = current_app.extensions[ENGINE]
    return engine


def get_describer() -> Describer:
    """The current app's service describer (it caches the dataset description per store version)."""
    return current_app.extensions[DESCRIBER]


def close_engine(app: Flask) -> None:
    """Stop the read view and release the store (idempotent)."""
    engine = app.extensions.pop(ENGINE, None)
    if engine is not None:
        engine.close()
        engine.handle.close()


def open_embedded(app: Flask) -> Engine:
    """Hold the store (as "the server") and start the read view; both are released when the engine closes."""
    handle = open_store(store_path(app.config["STORE"]), holder="the server")
    try:
        if (
            app.config["BUILD_IF_EMPTY"]
            and next(iter(handle.store.quads_for_pattern(None, None, None)), None) is None
        ):
            build_store(handle)
        return Engine(
            handle,
            timeout=app.config["QUERY_TIMEOUT"],
            workers=app.config["QUERY_WORKERS"],
            memory_bytes=app.config["QUERY_MEMORY_MB"] * 1024 * 1024
            if app.config["QUERY_MEMORY_MB"]
            else None,
        )
    except BaseException:
        handle.close()
        raise


def open_remote(app: Flask) -> RemoteEngine:
    """The engine on the remote store its STORE setting names (sparql+http(s)://…): the same interface."""
    options = {key.removeprefix("REMOTE_").lower(): app.config.get(key) for key in REMOTE_TYPES}
    handle = RemoteStore(resolve(app.config["STORE"], options))
    if app.config["BUILD_IF_EMPTY"] and not handle.has_quads():
        build_store(handle)
    return RemoteEngine(handle, timeout=app.config["QUERY_TIMEOUT"], workers=app.config["QUERY_WORKERS"])


def build_store(handle: OpenStore | RemoteStore) -> None:
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
