"""For the remote-store tests: a real Oxigraph server (the `oxigraph` package's binary) on a loopback port."""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from treatykg.graph.store.remote import META_GRAPH


def oxigraph_binary() -> str:
    """The `oxigraph` command installed beside this Python (the test extra brings it), else on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the oxigraph server is not installed: pip install '.[test]' brings it")
    return found


def free_port() -> int:
    """A port nothing listens on now (the server binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OxigraphServer:
    """`oxigraph serve` on 127.0.0.1 over a scratch directory; a context manager that stops it."""

    def __init__(self, location: Path, timeout_s: int = 5):
        self.location = location
        self.timeout_s = timeout_s

    def __enter__(self) -> OxigraphServer:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                oxigraph_binary(),
                "serve",
                "--location",
                str(self.location),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout-s",
                str(self.timeout_s),  # its own limit, so a query the endpoint gave up on stops here too
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.store = f"sparql+{self.url}"
        deadline = time.monotonic() + 20
        while True:
            try:
                if self.request("GET", "/query?query=ASK%7B%7D")[0] == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"oxigraph serve did not start on port {self.port}")
            time.sleep(0.05)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        """(status, body) of one request to the server itself."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def update(self, text: str) -> None:
        """A SPARQL update straight to the server (a client that bypasses TreatyKG)."""
        status, body = self.request(
            "POST", "/update", text.encode(), {"Content-Type": "application/sparql-update"}
        )
        assert status == 204, body

    def put_graph(self, graph: str, turtle: str) -> None:
        """A Graph Store PUT straight to the server."""
        status, body = self.request(
            "PUT", f"/store?graph={quote(graph, safe='')}", turtle.encode(), {"Content-Type": "text/turtle"}
        )
        assert status in (201, 204), body

    def quads(self, with_record: bool = False) -> list[ox.Quad]:
        """Every quad the server holds (without TreatyKG's version record unless asked)."""
        status, body = self.request("GET", "/store", headers={"Accept": "application/n-quads"})
        assert status == 200, body
        quads = list(ox.parse(body, format=ox.RdfFormat.N_QUADS))
        return [q for q in quads if with_record or q.graph_name != ox.NamedNode(META_GRAPH)]

    def __exit__(self, *exc_info) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
