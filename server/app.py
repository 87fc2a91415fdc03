"""The Flask application factory: settings, the query engine, hooks, and every blueprint, registered here."""

from __future__ import annotations

import atexit
from collections.abc import Mapping
from typing import Any

from flask import Flask

from treatykg.server import config, extensions, ops
from treatykg.server.protocol import admin, gsp, sources, sparql
from treatykg.server.web import dataset, lod, ontology, pages, prepared, search, timeline, ui
from treatykg.server.writes import validated

# In registration order: operations, the SPARQL protocols, then the pages (linked data, timeline, search,
# query UI, prepared queries).
BLUEPRINTS = (
    ops.bp,
    sparql.bp,
    gsp.bp,
    admin.bp,
    sources.bp,
    lod.bp,
    ontology.bp,
    dataset.bp,
    timeline.bp,
    search.bp,
    ui.bp,
    prepared.bp,
)


def close_app(app: Flask) -> None:
    """Stop the read view and release the store (idempotent)."""
    extensions.close_engine(app)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The TreatyKG server app; `test_config` (or the command-line flags) overrides every other setting."""
    # Templates and static files belong to the pages (server/web/).
    app = Flask("treatykg.server", template_folder="web/templates", static_folder="web/static")
    app.config.update(config.load(test_config))
    # Request-size limit for every body and form (413 beyond it); waitress gets the same limit.
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY"]
    app.config["MAX_FORM_MEMORY_SIZE"] = app.config["MAX_BODY"]
    ops.init_app(app)  # hooks: request log, metrics, CORS, query slots, plain-text errors
    validated.init_app(app)  # the 422 answer of a rejected write
    pages.init_app(app)  # template filters and the CSP on every HTML answer
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    # The SPARQL blueprint hands browsers asking for HTML at /sparql to the query UI.
    app.extensions["treatykg.sparql_html"] = ui.sparql_page
    extensions.init_app(app)
    atexit.register(close_app, app)
    return app
