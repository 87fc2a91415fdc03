"""The Flask application factory: settings, the store and its query engine, and one blueprint per concern."""

from __future__ import annotations

import atexit
import logging
from collections.abc import Mapping

from flask import Flask

from treatykg.graph.remote import is_remote
from treatykg.graph.store import open_store, store_path
from treatykg.server import admin, config, gsp, ops, remote_engine, sparql, web, writes
from treatykg.server.description import Describer
from treatykg.server.engine import Engine

log = logging.getLogger("treatykg.server")


def init_engine(app: Flask) -> Engine:
    """Hold the store (as "the server") and start the read view; both are released when the engine closes."""
    if is_remote(app.config["STORE"]):
        return remote_engine.init_engine(app)  # sparql+http(s)://…: the same interface, over the Protocol
    handle = open_store(store_path(app.config["STORE"]), holder="the server")
    try:
        if (
            app.config["BUILD_IF_EMPTY"]
            and next(iter(handle.store.quads_for_pattern(None, None, None)), None) is None
        ):
            build_store(handle)
        engine = Engine(
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
    app.extensions["treatykg.engine"] = engine
    app.extensions["treatykg.describer"] = Describer()
    return engine


def build_store(handle) -> None:
    """Build the packaged ontology and data into an empty store (what `treatykg build` does)."""
    from treatykg.graph.build import build, load_inputs

    log.info("the store %s is empty: building it first", handle.path)
    result = build(handle, load_inputs(), reasoned=True)
    log.info(
        "built store version %s: %s",
        result.version.version,
        ", ".join(f"{name} ({count} triples)" for name, count in sorted(result.graphs.items())),
    )


def close_app(app: Flask) -> None:
    """Stop the read view and release the store (idempotent)."""
    engine = app.extensions.pop("treatykg.engine", None)
    if engine is not None:
        engine.close()
        engine.handle.close()


def create_app(test_config: Mapping | None = None) -> Flask:
    """The TreatyKG server app; `test_config` (or the command-line flags) overrides every other setting."""
    app = Flask("treatykg.server")
    app.config.update(config.load(test_config))
    # Request-size limit for every body and form (413 beyond it); waitress gets the same limit.
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY"]
    app.config["MAX_FORM_MEMORY_SIZE"] = app.config["MAX_BODY"]
    ops.init_app(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(gsp.bp)
    app.register_blueprint(admin.bp)
    writes.init_app(app)
    web.init_app(app)  # linked-data pages, timeline, search, query UI, prepared queries
    init_engine(app)
    atexit.register(close_app, app)
    return app
