"""For the server tests: a real waitress server on a loopback port over a scratch store, and a canary."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import waitress

from treatykg.server.app import close_app, create_app
from treatykg.server.harness import Reply, http_request

TOKEN = "test-token"  # noqa: S105 - the scratch server's own token
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class LiveServer:
    """create_app() served by waitress on 127.0.0.1 (a free port) in a thread; a context manager."""

    def __init__(self, store: Path, **settings):
        self.settings = {"STORE": str(store), "UPDATE_TOKEN": TOKEN, "BUILD_IF_EMPTY": False, **settings}

    def __enter__(self) -> LiveServer:
        self.app = create_app(self.settings)
        self.engine = self.app.extensions["treatykg.engine"]
        self.server = waitress.create_server(
            self.app, host="127.0.0.1", port=0, threads=8, max_request_body_size=self.app.config["MAX_BODY"]
        )
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        return self

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        headers: dict | None = None,
        timeout: float = 60,
    ) -> Reply:
        """A request to this server."""
        return http_request(self.url, method, path, body, headers, timeout)

    def update(self, text: str) -> Reply:
        """POST a SPARQL update with the token."""
        return self.request("POST", "/update", text, {"Content-Type": "application/sparql-update", **AUTH})

    def __exit__(self, *exc_info) -> None:
        self.server.close()
        self.thread.join(timeout=10)
        close_app(self.app)


class Canary:
    """A loopback HTTP server that records every request it gets; the server under test must never call it."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        canary = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self) -> None:
                canary.requests.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("Content-Type", "text/turtle")
                self.end_headers()
                self.wfile.write(
                    b"<http://canary.example/s> <http://canary.example/p> <http://canary.example/o> .\n"
                )

            do_GET = do_POST = do_HEAD = _record

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Canary:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()
