"""`treatykg serve`: build an empty store, then serve it with waitress (a production WSGI server)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from treatykg.cmd_common import add_store_option, examples
from treatykg.errors import EXIT_OK


def add_serve(subcommands: argparse._SubParsersAction) -> None:
    """Register `treatykg serve`."""
    parser = subcommands.add_parser(
        "serve",
        help="serve the store over HTTP: SPARQL 1.1 Protocol, Graph Store Protocol, service description",
        description=(
            "Serve the store at /sparql (queries), /update (updates, with a token) and /store (Graph Store "
            "Protocol; writes with a token), with /healthz and /metrics. An empty store is built first. "
            "Settings: these flags > TREATYKG_* environment variables > the --config file > defaults."
        ),
        **examples("""
            treatykg serve                                   # http://127.0.0.1:8000/sparql, read-only
            treatykg serve --port 0                          # any free port (printed)
            TREATYKG_UPDATE_TOKEN=s3cret treatykg serve      # writes with Authorization: Bearer s3cret
            treatykg serve --config treatykg.toml            # named tokens, limits (treatykg.server.config)
            python -m treatykg.server.config hash s3cret     # the hashed form of a token for the config file
        """),
    )
    parser.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default 8000; 0 picks a free one)")
    parser.add_argument(
        "--update-token",
        metavar="TOKEN",
        help="allow writes with this bearer token, named `default` (env TREATYKG_UPDATE_TOKEN)",
    )
    parser.add_argument("--config", metavar="FILE", help="a TOML config file (env TREATYKG_CONFIG)")
    parser.add_argument("--query-timeout", type=float, metavar="SECONDS", help="query deadline (default 30)")
    parser.add_argument("--row-limit", type=int, metavar="ROWS", help="result row cap (default 10000)")
    add_store_option(parser)
    parser.set_defaults(run=run_serve)


def _stop(signum, frame) -> None:
    """SIGTERM stops the server like Ctrl-C, so the store is closed cleanly."""
    raise KeyboardInterrupt


def run_serve(args: argparse.Namespace) -> int:
    """Open (and if empty, build) the store, start the read view, serve until interrupted."""
    import waitress

    from treatykg.server.app import close_app, create_app

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    overrides = {
        "HOST": args.host,
        "PORT": args.port,
        "STORE": args.store,
        "UPDATE_TOKEN": args.update_token,
        "CONFIG": args.config,
        "QUERY_TIMEOUT": args.query_timeout,
        "ROW_LIMIT": args.row_limit,
    }
    app = create_app(overrides)
    settings = app.config
    server = waitress.create_server(
        app,
        host=settings["HOST"],
        port=settings["PORT"],
        threads=settings["THREADS"],
        max_request_body_size=settings["MAX_BODY"],
        ident="treatykg",
    )
    signal.signal(signal.SIGTERM, _stop)
    writes = "writes with a token" if settings["UPDATE_TOKENS"] else "read-only"
    print(
        f"serving {app.extensions['treatykg.engine'].handle.path} at "
        f"http://{settings['HOST']}:{server.effective_port}/sparql ({writes})",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        close_app(app)
    return EXIT_OK
