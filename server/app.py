"""The Flask application factory: settings, the store and its query engine, and one blueprint per concern."""

from __future__ import annotations

import atexit
import logging
from collections.abc import Mapping

from flask import Flask

from treatykg.graph.store.embedded import open_store, store_path
from treatykg.graph.store.remote_client import is_remote
from treatykg.server import config, ops
from treatykg.server.protocol import admin, gsp, sparql
from treatykg.server.protocol.description import Describer
from treatykg.server.query import remote as remote_engine
from treatykg.server.query.engine import Engine
from treatykg.server.query.interface import QueryEngine
from treatykg.server.web import pages as web
from treatykg.server.writes import validated as writes

log = logging.getLogger("treatykg.server")


def init_engine(app: Flask) -> QueryEngine:
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
    from treatykg.graph.build.reference import build, load_inputs

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
    # Templates and static files belong to the pages (server/web/).
    app = Flask("treatykg.server", template_folder="web/templates", static_folder="web/static")
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
