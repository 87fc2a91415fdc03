"""`treatykg serve`: build an empty store, then serve it with waitress (a production WSGI server)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time

from treatykg.cli.common import add_store_option, examples
from treatykg.core.errors import EXIT_OK


def access_formatter() -> logging.Formatter:
    """The access log formatter: logfmt with an RFC 3339 UTC `ts` (no space in it, so no quotes needed)."""
    formatter = logging.Formatter(
        "ts=%(asctime)s.%(msecs)03dZ level=%(levelname)s %(message)s", datefmt="%Y-%m-%dT%H:%M:%S"
    )
    formatter.converter = time.gmtime
    return formatter


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
    parser.add_argument(
        "--max-queries", type=int, metavar="N", help="queries and writes at once; 429 beyond (default 16)"
    )
    parser.add_argument(
        "--result-cache-bytes",
        type=int,
        metavar="BYTES",
        help="query answers kept until the next commit, in bytes; 0 turns the cache off (default 64 MiB)",
    )
    parser.add_argument(
        "--remote-cache-trusted",
        action="store_true",
        default=None,
        help="cache a remote store's answers: only this server writes it (env TREATYKG_REMOTE_CACHE_TRUSTED)",
    )
    add_store_option(parser)
    parser.set_defaults(run=run_serve)


SERVER_URL_FILE = "treatykg.url"  # in the store directory while a server holds it
DRAIN_SECONDS = 90.0  # longest a SIGTERM waits for requests in progress (a write's deadline is 60 s)


def _drained(server) -> bool:
    """No request running or queued, and every answer sent."""
    dispatcher = server.task_dispatcher
    if dispatcher.active_count or dispatcher.queue:
        return False
    return all(not getattr(channel, "total_outbufs_len", 0) for channel in list(server._map.values()))


def _graceful(server) -> None:
    """SIGTERM: accept no new connection, let requests in progress finish and be answered, then stop."""

    def drain() -> None:
        deadline = time.monotonic() + DRAIN_SECONDS
        while not _drained(server) and time.monotonic() < deadline:
            time.sleep(0.05)
        signal.raise_signal(signal.SIGINT)  # the main loop stops as on Ctrl-C; the store is closed cleanly

    def stop(signum, frame) -> None:
        logging.getLogger("treatykg.server").info(
            "SIGTERM: finishing the requests in progress, then stopping"
        )
        server.accepting = False
        # SIGINT may be ignored (a background job inherits that); the drain's SIGINT must stop the loop.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        threading.Thread(target=drain, name="drain", daemon=True).start()

    signal.signal(signal.SIGTERM, stop)


def overrides(args: argparse.Namespace) -> dict[str, object]:
    """The settings the flags give (None where a flag is absent: the environment, file or default holds)."""
    return {
        "HOST": args.host,
        "PORT": args.port,
        "STORE": args.store,
        "UPDATE_TOKEN": args.update_token,
        "CONFIG": args.config,
        "QUERY_TIMEOUT": args.query_timeout,
        "ROW_LIMIT": args.row_limit,
        "MAX_QUERIES": args.max_queries,
        "RESULT_CACHE_BYTES": args.result_cache_bytes,
        "REMOTE_CACHE_TRUSTED": args.remote_cache_trusted,
    }


def run_serve(args: argparse.Namespace) -> int:
    """Open (and if empty, build) the store, start the read view, serve until interrupted."""
    import waitress

    from treatykg.server.app import close_app, create_app

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    # The access log is logfmt throughout (ts=… level=… method=… path=… status=… duration_ms=…).
    access = logging.StreamHandler(sys.stderr)
    access.setFormatter(access_formatter())
    logging.getLogger("treatykg.server.access").addHandler(access)
    logging.getLogger("treatykg.server.access").propagate = False
    app = create_app(overrides(args))
    settings = app.config
    server = waitress.create_server(
        app,
        host=settings["HOST"],
        port=settings["PORT"],
        threads=settings["THREADS"],
        max_request_body_size=settings["MAX_BODY"],
        ident="treatykg",
    )
    _graceful(server)
    writes = "writes with a token" if settings["UPDATE_TOKENS"] else "read-only"
    print(
        f"serving {app.extensions['treatykg.engine'].handle.path} at "
        f"http://{settings['HOST']}:{server.effective_port}/sparql ({writes})",
        file=sys.stderr,
        flush=True,
    )
    # Where `treatykg check / backup / restore` find the server that holds this store.
    host = "127.0.0.1" if settings["HOST"] in ("0.0.0.0", "", "::") else settings["HOST"]  # noqa: S104
    store = app.extensions["treatykg.engine"].handle.path
    # A remote store (sparql+http://…) has no directory; commands reach it directly, not through us.
    url_file = None if isinstance(store, str) else store / SERVER_URL_FILE
    if url_file is not None:
        url_file.write_text(f"http://{host}:{server.effective_port}\n", encoding="utf-8")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        if url_file is not None:
            url_file.unlink(missing_ok=True)
        server.close()
        close_app(app)
    return EXIT_OK
