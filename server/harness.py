"""Servers in child processes on loopback (`treatykg serve`, `oxigraph serve`, `virtuoso-t`): start, reach,
measure, stop.

One harness for the tests, the benchmarks and scripts: each server waits until it answers, binds 127.0.0.1
only, and is stopped (SIGTERM, then SIGKILL) when its `with` block ends.
"""

from __future__ import annotations

import configparser
import http.client
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Self
from urllib.parse import quote, urlencode, urlsplit
from urllib.request import HTTPDigestAuthHandler, HTTPPasswordMgrWithDefaultRealm, Request, build_opener

import pyoxigraph as ox

from treatykg.graph.store.embedded import open_store, record_commit
from treatykg.graph.store.remote import META_GRAPH

# `treatykg serve` announces itself on stderr: "serving STORE at http://HOST:PORT/sparql (…)".
_SERVING = re.compile(r"^serving .* at (http://[^\s/]+)/sparql \(")


def installed(name: str) -> str:
    """A command installed beside this Python (the venv's `treatykg`, `oxigraph`), else found on PATH."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} is not installed: pip install '.[test]' brings it")
    return found


def free_port() -> int:
    """A port nothing listens on now (the server binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# -- HTTP ----------------------------------------------------------------------------------------------------


@dataclass
class Reply:
    """An HTTP response, read whole."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        """The body as UTF-8 text."""
        return self.body.decode("utf-8")

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters."""
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()


def http_request(
    base_url: str,
    method: str,
    path: str,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> Reply:
    """Send exactly this request (http.client adds no Content-Type of its own) and read the reply."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        connection.request(
            method, path, body=body.encode("utf-8") if isinstance(body, str) else body, headers=headers or {}
        )
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


# -- processes -----------------------------------------------------------------------------------------------


def children(pid: int) -> dict[int, str]:
    """The processes whose parent is `pid`, each with its state letter (R, S, Z…), from /proc."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue  # it just exited
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == pid:
                found[int(entry)] = fields[0]
    return found


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants."""
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending += children(pid)
    return tree


def pss_bytes(root: int) -> tuple[int, int]:
    """Sum of PSS over `root` and its descendants, in bytes, and how many processes that is."""
    total = count = 0
    for pid in process_tree(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as stream:
                for line in stream:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        count += 1
                        break
        except OSError:
            pass  # a worker that just exited
    return total, count


class ServerProcess:
    """A server in a child process of its own session on loopback; a context manager that stops it."""

    name = ""
    query_path = ""

    process: subprocess.Popen[str]

    def __init__(self) -> None:
        self.host, self.port = "127.0.0.1", 0
        self.started_seconds = 0.0

    @property
    def url(self) -> str:
        """The server's root, http://127.0.0.1:PORT."""
        return f"http://{self.host}:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Reply:
        """One request to this server."""
        return http_request(self.url, method, path, body, headers, timeout)

    def stop(self, grace: float = 60) -> None:
        """SIGTERM, then SIGKILL if it lingers past `grace` seconds; always reaped."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL the server's whole process group at once, as a crash would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class TreatyKGServe(ServerProcess):
    """`treatykg serve --port 0 --store STORE [ARGS…]`, ready once it has announced its URL.

    Its stderr is kept in `lines` (and copied to `log` when given) as long as it runs.
    """

    name, query_path = "treatykg", "/sparql"

    def __init__(
        self,
        store: Path | str,
        *args: str,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        log: Path | None = None,
        start_timeout: float = 600,
    ) -> None:
        super().__init__()
        started = time.perf_counter()
        self.lines: list[str] = []
        self._log: IO[str] | None = log.open("w") if log else None
        self.process = subprocess.Popen(
            [installed("treatykg"), "serve", "--port", "0", "--store", str(store), *args],
            stdout=self._log or subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        self._announced = threading.Event()
        reader = threading.Thread(target=self._read, args=(self.process.stderr,), daemon=True)
        reader.start()
        deadline = time.monotonic() + start_timeout
        while not self._announced.wait(0.05):
            if not reader.is_alive() or time.monotonic() > deadline:
                self.stop()
                reader.join(5)  # what it wrote before it ended
                where = f"see {log}" if log else "its log:\n" + "".join(self.lines)
                raise RuntimeError(f"treatykg serve did not start; {where}")
        self.started_seconds = time.perf_counter() - started

    def _read(self, stream: IO[str]) -> None:
        """Keep every line of stderr (so the pipe never fills); note the URL when it comes."""
        for line in stream:
            self.lines.append(line)
            if self._log:
                self._log.write(line)
                self._log.flush()
            found = _SERVING.search(line)
            if found and not self._announced.is_set():
                parts = urlsplit(found.group(1))
                self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
                self._announced.set()
        if self._log:
            self._log.close()

    def update(self, text: str, token: str, timeout: float = 30) -> Reply:
        """POST a SPARQL update with the bearer token."""
        headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"}
        return self.request("POST", "/update", text, headers, timeout)


class OxigraphServe(ServerProcess):
    """`oxigraph serve` (the `oxigraph` package's binary) over a database folder, ready once it answers."""

    name, query_path = "oxigraph", "/query"
    dialect = "oxigraph"  # TreatyKG's remote_dialect for it

    def __init__(
        self,
        location: Path,
        timeout_s: int = 5,
        union_default_graph: bool = False,
        log: Path | None = None,
        start_timeout: float = 120,
    ) -> None:
        super().__init__()
        started = time.perf_counter()
        self.location = location
        self.port = free_port()
        # Its own query limit, so a query the caller gave up on stops here too.
        command = [installed("oxigraph"), "serve", "--location", str(location)]
        command += ["--bind", f"127.0.0.1:{self.port}", "--timeout-s", str(timeout_s)]
        command += ["--union-default-graph"] if union_default_graph else []
        with log.open("w") if log else open(os.devnull, "w") as stream:
            self.process = subprocess.Popen(
                command, stdout=stream, stderr=stream, text=True, start_new_session=True
            )
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                if self.request("GET", "/query?query=ASK%7B%7D").status == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"oxigraph serve did not start on port {self.port}")
            time.sleep(0.05)
        self.started_seconds = time.perf_counter() - started
        self.store = f"sparql+{self.url}"  # TreatyKG's name for this server as a remote store

    def update(self, text: str) -> None:
        """A SPARQL update straight to the server (a client that bypasses TreatyKG)."""
        reply = self.request("POST", "/update", text, {"Content-Type": "application/sparql-update"})
        if reply.status != 204:
            raise RuntimeError(f"update refused ({reply.status}): {reply.text}")

    def put_graph(self, graph: str, turtle: str) -> None:
        """A Graph Store PUT straight to the server."""
        path = f"/store?graph={quote(graph, safe='')}"
        reply = self.request("PUT", path, turtle, {"Content-Type": "text/turtle"})
        if reply.status not in (201, 204):
            raise RuntimeError(f"PUT refused ({reply.status}): {reply.text}")

    def quads(self, with_record: bool = False) -> list[ox.Quad]:
        """Every quad the server holds (without TreatyKG's version record unless asked)."""
        reply = self.request("GET", "/store", headers={"Accept": "application/n-quads"})
        if reply.status != 200:
            raise RuntimeError(f"GET /store failed ({reply.status}): {reply.text}")
        quads = list(ox.parse(reply.body, format=ox.RdfFormat.N_QUADS))
        return [q for q in quads if with_record or q.graph_name != ox.NamedNode(META_GRAPH)]

    def clear(self) -> None:
        """Drop every graph."""
        self.update("DROP ALL")


VIRTUOSO_INI = Path("/usr/share/virtuoso-opensource-7/virtuoso.ini")  # Debian's default configuration
VIRTUOSO_PACKAGE = "virtuoso-opensource"
VIRTUOSO_USER = VIRTUOSO_PASSWORD = "dba"  # noqa: S105 - a new database's administrator, on loopback only


class VirtuosoServe(ServerProcess):
    """`virtuoso-t` in the foreground with its own ini (Debian's default, paths into a throw-away database
    folder, its own ports on loopback), never the system service; ready once /sparql answers.

    `settings` overrides ini keys by section, e.g. {"Parameters": {"NumberOfBuffers": "170000"}}.
    """

    name, query_path = "virtuoso", "/sparql"
    dialect = "virtuoso"

    def __init__(
        self,
        location: Path,
        timeout_s: int = 60,
        settings: dict[str, dict[str, str]] | None = None,
        log: Path | None = None,
        start_timeout: float = 180,
    ) -> None:
        super().__init__()
        started = time.perf_counter()
        binary = shutil.which("virtuoso-t")
        if binary is None or not VIRTUOSO_INI.exists():
            raise RuntimeError(f"virtuoso-t is not installed: apt-get install {VIRTUOSO_PACKAGE}")
        location.mkdir(parents=True, exist_ok=True)
        self.location = location
        self.port, self.sql_port = free_port(), free_port()
        self.ini = location / "virtuoso.ini"
        self.ini.write_text(self._ini(timeout_s, settings or {}))
        with log.open("w") if log else open(os.devnull, "w") as stream:
            self.process = subprocess.Popen(
                [binary, "+foreground", "+configfile", str(self.ini)],
                stdout=stream,
                stderr=stream,
                text=True,
                cwd=location,
                start_new_session=True,
            )
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                if self.request("GET", "/sparql?query=ASK%7B%7D").status == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop(grace=10)
                raise RuntimeError(
                    f"virtuoso-t did not start on port {self.port}; see {location}/virtuoso.log"
                )
            time.sleep(0.2)
        self.started_seconds = time.perf_counter() - started
        # TreatyKG's name for this server: the administrator's credentials answer its Digest challenges.
        self.store = f"sparql+http://{VIRTUOSO_USER}:{VIRTUOSO_PASSWORD}@{self.host}:{self.port}"
        self.system_graphs = frozenset(self._graph_names())  # what a new database holds of its own
        passwords = HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, self.url, VIRTUOSO_USER, VIRTUOSO_PASSWORD)
        self._opener = build_opener(HTTPDigestAuthHandler(passwords))

    def _ini(self, timeout_s: int, settings: dict[str, dict[str, str]]) -> str:
        """Debian's virtuoso.ini with this server's paths, ports and limits."""
        ini = configparser.ConfigParser(strict=False, inline_comment_prefixes=(";",), interpolation=None)
        ini.optionxform = str  # type: ignore[assignment, method-assign]  # keys keep their case
        ini.read(VIRTUOSO_INI)
        folder = str(self.location)
        for section in ("Database", "TempDatabase"):
            for key, value in ini[section].items():
                if value.startswith("/var/lib/virtuoso-opensource-7/db/"):
                    ini[section][key] = folder + "/" + value.rsplit("/", 1)[1]
        ini["Parameters"]["ServerPort"] = f"127.0.0.1:{self.sql_port}"
        ini["Parameters"]["DirsAllowed"] = f"., {folder}"
        ini["HTTPServer"]["ServerPort"] = f"127.0.0.1:{self.port}"
        ini["URIQA"]["DefaultHost"] = f"127.0.0.1:{self.port}"
        # Answers above ResultSetMaxRows are cut without a sign: far above any row cap and dump here.
        ini["SPARQL"]["ResultSetMaxRows"] = "100000000"
        ini["SPARQL"]["MaxQueryExecutionTime"] = str(timeout_s)
        ini.remove_section("Plugins")  # wiki and mail hosting plugins: nothing a SPARQL store needs
        for section, values in settings.items():
            for key, value in values.items():
                ini[section][key] = value
        lines = []
        for section in ini.sections():
            lines.append(f"[{section}]")
            lines += [f"{key} = {value}" for key, value in ini[section].items()]
            lines.append("")
        return "\n".join(lines)

    def stop(self, grace: float = 30) -> None:
        """SIGTERM (virtuoso-t checkpoints and exits), then SIGKILL past `grace` seconds."""
        super().stop(grace)

    def _graph_names(self) -> list[str]:
        """Every graph the server holds."""
        query = quote("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        reply = self.request("GET", f"/sparql?query={query}", headers={"Accept": "text/csv"})
        if reply.status != 200:
            raise RuntimeError(f"listing graphs failed ({reply.status}): {reply.text}")
        return [line.strip().strip('"') for line in reply.text.splitlines()[1:] if line.strip()]

    def _signed(self, method: str, path: str, body: bytes, content_type: str) -> int:
        """A request with the administrator's Digest credentials (urllib's own handler); its status."""
        headers = {"Content-Type": content_type}
        request = Request(self.url + path, data=body, method=method, headers=headers)  # noqa: S310
        with self._opener.open(request, timeout=120) as response:
            response.read()
            return int(response.status)

    def update(self, text: str) -> None:
        """A SPARQL update straight to the server (a client that bypasses TreatyKG)."""
        self._signed("POST", "/sparql-auth", text.encode("utf-8"), "application/sparql-update")

    def put_graph(self, graph: str, turtle: str) -> None:
        """A Graph Store PUT straight to the server."""
        path = f"/sparql-graph-crud-auth?{urlencode({'graph': graph})}"
        self._signed("PUT", path, turtle.encode("utf-8"), "text/turtle")

    def quads(self, with_record: bool = False) -> list[ox.Quad]:
        """Every quad in the server's graphs but its own system graphs (and TreatyKG's version record)."""
        quads = []
        for name in self._graph_names():
            if name in self.system_graphs or (name == META_GRAPH and not with_record):
                continue
            reply = self.request(
                "GET",
                f"/sparql-graph-crud?{urlencode({'graph': name})}",
                headers={"Accept": "application/n-triples"},
            )
            if reply.status != 200:
                raise RuntimeError(f"GET graph {name} failed ({reply.status}): {reply.text}")
            graph_name = ox.NamedNode(name)
            quads += [
                ox.Quad(q.subject, q.predicate, q.object, graph_name)
                for q in ox.parse(reply.body, format=ox.RdfFormat.N_TRIPLES)
            ]
        return quads

    def clear(self) -> None:
        """Drop every graph but the server's own."""
        drops = [
            f"DROP SILENT GRAPH <{name}>" for name in self._graph_names() if name not in self.system_graphs
        ]
        if drops:
            self.update(" ;\n".join(drops))


# -- durability: SIGKILL during a stream of writes -----------------------------------------------------------

FAULT_TOKEN = "fault-token"  # noqa: S105 - the scratch server's own token


def seed_store(path: Path) -> None:
    """A store that is not empty (so serve builds nothing) with a first commit record."""
    with open_store(path) as handle:
        handle.store.update("INSERT DATA { <http://e/seed> <http://e/p> 0 }")
        record_commit(handle)


def write_text(n: int) -> str:
    """Write n: two quads in two graphs (so a half-applied write would show), replacing write n-1's marker."""
    return (
        "DELETE WHERE { GRAPH <http://e/marker> { <http://e/marker> <http://e/last> ?n } } ; "
        f"INSERT DATA {{ GRAPH <http://e/a> {{ <http://e/w{n}> <http://e/p> {n} }} "
        f"GRAPH <http://e/b> {{ <http://e/w{n}> <http://e/q> {n} }} "
        f"GRAPH <http://e/marker> {{ <http://e/marker> <http://e/last> {n} }} }}"
    )


def stream_and_kill(store: Path, kills: int, seed: int, acknowledged: set[int], budget: float) -> int:
    """Start, stream writes, SIGKILL at a random moment, restart: `kills` times or until `budget` s."""
    rng = random.Random(seed)  # noqa: S311 - reproducible timing, not secrets
    n, done, started = 0, 0, time.monotonic()
    while done < kills and time.monotonic() - started < budget:
        served = TreatyKGServe(store, "--update-token", FAULT_TOKEN)
        stop = threading.Event()

        def writer(served: TreatyKGServe, stop: threading.Event) -> None:
            nonlocal n
            while not stop.is_set():
                n += 1
                try:
                    if served.update(write_text(n), FAULT_TOKEN).status == 204:
                        acknowledged.add(n)
                except OSError:
                    return

        thread = threading.Thread(target=writer, args=(served, stop))
        thread.start()
        time.sleep(rng.uniform(0.2, 2.0))
        served.kill()
        stop.set()
        thread.join()
        done += 1
    return done


def verify(store: Path, acknowledged: set[int]) -> list[str]:
    """Problems: an acknowledged write missing, or a write half there."""
    problems = []
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    with open_store(store, holder="verify") as handle:
        s = handle.store
        for n in range(1, max(acknowledged, default=0) + 2):
            subject, value = ox.NamedNode(f"http://e/w{n}"), ox.Literal(str(n), datatype=integer)
            a = ox.Quad(subject, ox.NamedNode("http://e/p"), value, ox.NamedNode("http://e/a"))
            b = ox.Quad(subject, ox.NamedNode("http://e/q"), value, ox.NamedNode("http://e/b"))
            if (a in s) != (b in s):
                problems.append(f"write {n} is half there")
            if n in acknowledged and a not in s:
                problems.append(f"acknowledged write {n} is missing")
        markers = list(s.quads_for_pattern(None, None, None, ox.NamedNode("http://e/marker")))
        if len(markers) > 1:
            problems.append(f"{len(markers)} markers: a write's deletion and insertion came apart")
    return problems
