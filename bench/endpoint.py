"""Endpoint benchmark: `treatykg serve` beside the raw Oxigraph server and rdflib, same data, one run.

    .venv/bin/python bench/endpoint.py --sizes 10000,100000,1000000 --out bench/results/

For each size: generate the synthetic data (`treatykg generate`, seeded), build a fresh store from it (the
fast path: load, reason, validate, store, each timed, with the build's peak RSS and the store's size on
disk), then answer the fixed query mix (queries/ rebased onto the synthetic base, and bench/queries/) three
ways, side by side:

    treatykg   `treatykg serve` on the store (waitress, forked query workers), the result cache off (a
               repeated query would be a cache hit; bench/cache.py measures that): HTTP on loopback
    oxigraph   `oxigraph serve --union-default-graph` on a copy of the same database: HTTP on loopback
    rdflib     an rdflib Dataset (default_union) holding the same quads, queried in-process: no HTTP, so its
               times are query times only; it runs in a child process with a time budget, and whatever the
               budget does not cover is reported as "did not finish"

First every query runs once on each path and the answers must agree as sets (rdflib's where it finished);
then the mix is timed at 1, 4 and 8 concurrent clients: p50 / p95 latency per query and over the mix, and
throughput. At 1 client the two servers take turns query by query, so both see the same machine state. The
server's memory is sampled all along as the sum of PSS over its processes (the server, the read view and
its workers; pages shared by forked workers count once). The must-show ratio is the geometric mean over the
mix of p50(treatykg) / p50(oxigraph) at 1 client.

Writes endpoint.json, endpoint.png and endpoint.md (the tables; `--name` changes the stem) into --out and
prints the tables. `--no-rdflib` leaves the rdflib path out (past a million triples it would only report
"did not finish" after its budget, and its N-Quads copy of the store takes disk and time).
Loopback only; every server it starts is stopped before it returns.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from treatykg.core.iris import BASE, SYNTHETIC_BASE

# Imported where used: the rdflib child runs this file too, and its peak RSS is measured.
if TYPE_CHECKING:
    from treatykg.graph.query.prepared import PreparedQuery
    from treatykg.server.harness import ServerProcess

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "queries"
PATHS = ("treatykg", "oxigraph", "rdflib")
CLIENTS = (1, 4, 8)
TARGET_RATIO = 1.5
PSS_LIMIT = 2 * 1024**3
RESULTS_JSON = "application/sparql-results+json"
XSD = "http://www.w3.org/2001/XMLSchema#"
ROW_LIMIT = 10_000  # the server's default row cap; no query of the mix comes near it


# -- the query mix ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """One query of the mix: its name, text, summary and kind."""

    name: str
    text: str
    summary: str
    kind: str


# The competency questions of queries/ in the mix, each with its parameters bound to an entity of the first
# synthetic article (`treatykg generate --seed 1`), so every size answers with rows. IRIs are relative to the
# synthetic base.
DERIVED: dict[str, dict[str, str]] = {
    "cq-agent-involvement": {"agent": "id/organization/steppe-defence-league"},
    "cq-events-before": {"event": "id/event/a000001-3-withdrawal"},
    "cq-hypothetical-events": {},
    "cq-linkages": {},
    "cq-speaker-statements": {"speaker": "id/organization/steppe-defence-league"},
    "cq-supporting-sentence": {"fact": "id/event/a000001-3-withdrawal"},
    "cq-treaties-left": {"state": "id/state/eskastan"},
    "cq-treaty-aims": {"treaty": "id/treaty/doreleth-treaty-on-naval-arms-limitation"},
    "cq-treaty-history": {"treaty": "id/treaty/doreleth-treaty-on-naval-arms-limitation"},
    "cq-withdrawal-reason": {"state": "id/state/eskastan"},
}
# The article's IRIs (things, sources, graphs), not the ontology's terms, which the synthetic data shares.
_ARTICLE_IRI = re.compile(re.escape(BASE) + "(?!ontology)")


def derive_query(query: PreparedQuery, bindings: dict[str, str], base: str = SYNTHETIC_BASE) -> str:
    """The text of a prepared query for data under `base`: IRIs rebased, each parameter bound to its IRI.

    The header goes (the parameters' defaults name the article's entities); a parameter is bound by a
    VALUES row at the head of the WHERE group and left out of the projection, where it would be constant.
    Every engine of the mix gets this one text: none of them takes bindings beside it over HTTP.
    """
    terms = query.bind({name: base + iri for name, iri in bindings.items()})
    lines = [_ARTICLE_IRI.sub(base, line) for line in query.text.splitlines() if not line.startswith("#+")]
    select = next(index for index, line in enumerate(lines) if line.startswith("SELECT"))
    if not lines[select].endswith("WHERE {"):
        raise ValueError(f"{query.name}: the SELECT line does not open the WHERE group")
    for variable, term in terms.items():
        lines[select] = re.sub(rf" {re.escape(str(variable))}\b", "", lines[select], count=1)
        lines.insert(select + 1, f"  VALUES {variable} {{ {term} }}")
    return "\n".join(lines) + "\n"


def load_mix(names: Iterable[str] | None = None, folder: Path = QUERIES) -> list[Query]:
    """The mix (or the queries of it named), in name order: DERIVED from queries/, the rest from `folder`."""
    from treatykg.graph.query.prepared import load_query

    mix = []
    for name, bindings in DERIVED.items():
        prepared = load_query(name)
        mix.append(Query(name, derive_query(prepared, bindings), prepared.summary, "competency"))
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        meta = dict(re.findall(r"^#\+\s*(\w+)\s*:\s*(.*)$", text, flags=re.MULTILINE))
        mix.append(Query(path.stem, text, meta.get("summary", ""), meta.get("kind", "")))
    mix.sort(key=lambda query: query.name)
    if names:
        wanted = list(names)
        known = {query.name for query in mix}
        unknown = [name for name in wanted if name not in known]
        if unknown:
            raise SystemExit(f"no such queries in the mix: {', '.join(unknown)}")
        mix = [query for query in mix if query.name in wanted]
    return mix


# -- answers as sets -------------------------------------------------------------------------------------


def canonical_literal(value: str, datatype: str | None, language: str | None) -> tuple:
    """A literal as a comparable tuple: numbers and date-times by value, language tags in lower case."""
    if language:
        return ("literal", value, "@" + language.lower())
    datatype = datatype or XSD + "string"
    if datatype in (XSD + "integer", XSD + "decimal", XSD + "double", XSD + "float"):
        with contextlib.suppress(InvalidOperation, ValueError):
            return ("literal", str(Decimal(value).normalize()), "number")
    if datatype == XSD + "dateTime":
        value = value.replace("+00:00", "Z").replace(".000Z", "Z")
    return ("literal", value, datatype)


def canonical_json_term(term: dict) -> tuple:
    """A term of SPARQL 1.1 Query Results JSON as a comparable tuple (blank nodes only as blank nodes)."""
    if term["type"] == "uri":
        return ("uri", term["value"])
    if term["type"] == "bnode":
        return ("bnode",)
    return canonical_literal(term["value"], term.get("datatype"), term.get("xml:lang"))


def json_answer(body: bytes) -> list[tuple]:
    """The rows of a SPARQL JSON result, each a sorted tuple of (variable, term)."""
    document = json.loads(body)
    if "boolean" in document:
        return [(("boolean", bool(document["boolean"])),)]
    return [
        tuple(sorted((name, canonical_json_term(term)) for name, term in binding.items()))
        for binding in document["results"]["bindings"]
    ]


def rdflib_answer(result) -> list[tuple]:
    """The rows of an rdflib query result, as json_answer gives them."""
    from rdflib import BNode, Literal, URIRef

    def term(value) -> tuple:
        if isinstance(value, URIRef):
            return ("uri", str(value))
        if isinstance(value, BNode):
            return ("bnode",)
        if isinstance(value, Literal):
            return canonical_literal(
                str(value), str(value.datatype) if value.datatype else None, value.language
            )
        raise TypeError(f"unexpected term {value!r}")

    if result.type == "ASK":
        return [(("boolean", bool(result.askAnswer)),)]
    names = [str(variable) for variable in result.vars]
    return [
        tuple(sorted((name, term(row[index])) for index, name in enumerate(names) if row[index] is not None))
        for row in result
    ]


# -- memory ------------------------------------------------------------------------------------------------


class MemorySampler:
    """Samples the PSS of process trees in a thread; peak per tree, overall and per phase."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.roots: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self.processes: dict[str, int] = {}
        self.phases: dict[str, dict[str, int]] = {}
        self.phase = "start"
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="pss-sampler", daemon=True)

    def watch(self, name: str, pid: int) -> None:
        with self._lock:
            self.roots[name] = pid

    def unwatch(self, name: str) -> None:
        with self._lock:
            self.roots.pop(name, None)

    def set_phase(self, phase: str) -> None:
        self.sample()
        self.phase = phase

    def sample(self) -> None:
        with self._lock:
            roots = dict(self.roots)
        from treatykg.server.harness import pss_bytes

        for name, pid in roots.items():
            total, count = pss_bytes(pid)
            with self._lock:
                if total > self.peak.get(name, 0):
                    self.peak[name] = total
                self.processes[name] = max(self.processes.get(name, 0), count)
                phase = self.phases.setdefault(self.phase, {})
                phase[name] = max(phase.get(name, 0), total)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()


# -- clients -----------------------------------------------------------------------------------------------


class Client:
    """One HTTP client with a persistent connection (what a SPARQL client library keeps)."""

    def __init__(self, server: ServerProcess, timeout: float = 900) -> None:
        self.server = server
        self.timeout = timeout
        # A view with form fields (bench/remote.py's engine-direct view: the dataset) is sent its queries
        # form-encoded, as TreatyKG's remote client sends them; otherwise the query is the body.
        self.form: list[tuple[str, str]] | None = getattr(server, "form", None)
        self.connection: http.client.HTTPConnection | None = None

    def query(self, text: str) -> tuple[int, bytes, float]:
        """POST the query (application/sparql-query, or form-encoded with the client's fields), read the
        whole answer: status, body, seconds."""
        if self.form is None:
            payload, content_type = text.encode("utf-8"), "application/sparql-query"
        else:
            payload = urlencode([("query", text), *self.form]).encode("ascii")
            content_type = "application/x-www-form-urlencoded"
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    self.server.host, self.server.port, timeout=self.timeout
                )
            started = time.perf_counter()
            try:
                self.connection.request(
                    "POST",
                    self.server.query_path,
                    body=payload,
                    headers={"Content-Type": content_type, "Accept": RESULTS_JSON},
                )
                response = self.connection.getresponse()
                body = response.read()
                seconds = time.perf_counter() - started
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, body, seconds
            except (http.client.HTTPException, ConnectionError):
                self.close()  # the server closed a kept-alive connection: once more on a new one
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


# -- timing ------------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of `values` (share in 0..1)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summarise(samples: dict[str, list[float]], wall: float, errors: int) -> dict:
    """Latency (ms) per query and over the mix, and throughput, for one level."""
    every = [seconds for values in samples.values() for seconds in values]
    level = {
        "queries": len(every),
        "errors": errors,
        "wall_seconds": round(wall, 3),
        "throughput_qps": round(len(every) / wall, 3) if wall > 0 and every else None,
        "p50_ms": round(1000 * statistics.median(every), 3) if every else None,
        "p95_ms": round(1000 * percentile(every, 0.95), 3) if every else None,
        "per_query": {},
    }
    for name, values in samples.items():
        if values:
            level["per_query"][name] = {
                "n": len(values),
                "p50_ms": round(1000 * statistics.median(values), 3),
                "p95_ms": round(1000 * percentile(values, 0.95), 3),
            }
    return level


def orders(mix: list[Query], passes: int, seed: int) -> list[list[Query]]:
    """`passes` shuffled orders of the mix (seeded: every run times the same sequence)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible order, not a secret
    result = []
    for _ in range(passes):
        order = list(mix)
        rng.shuffle(order)
        result.append(order)
    return result


def interleaved_single_client(servers: list[ServerProcess], mix: list[Query], passes: int, seed: int) -> dict:
    """1 client per server, the servers taking turns query by query: {server: level}."""
    clients = {server.name: Client(server) for server in servers}
    samples = {server.name: {query.name: [] for query in mix} for server in servers}
    errors = dict.fromkeys(clients, 0)
    for number, order in enumerate(orders(mix, passes, seed)):
        for query in order:
            turn = servers if number % 2 == 0 else list(reversed(servers))
            for server in turn:
                status, _, seconds = clients[server.name].query(query.text)
                if status == 200:
                    samples[server.name][query.name].append(seconds)
                else:
                    errors[server.name] += 1
    for client in clients.values():
        client.close()
    return {
        name: summarise(samples[name], sum(sum(values) for values in samples[name].values()), errors[name])
        for name in clients
    }


def concurrent_clients(server: ServerProcess, mix: list[Query], clients: int, passes: int, seed: int) -> dict:
    """`clients` clients at once, each running ceil(passes / clients) shuffled passes over the mix."""
    each = max(1, math.ceil(passes / clients))
    samples: dict[str, list[float]] = {query.name: [] for query in mix}
    errors = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def run(number: int) -> None:
        client = Client(server)
        plan = [query for order in orders(mix, each, seed * 1000 + number) for query in order]
        barrier.wait()
        try:
            for query in plan:
                status, _, seconds = client.query(query.text)
                with lock:
                    if status == 200:
                        samples[query.name].append(seconds)
                    else:
                        errors[0] += 1
        finally:
            client.close()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return summarise(samples, time.perf_counter() - started, errors[0])


# -- rdflib, in a child process ------------------------------------------------------------------------------


class QueryTimeout(Exception):
    """The query ran past its budget."""


def rdflib_worker(nquads: str) -> int:
    """The child: load the quads into an rdflib Dataset, then answer requests (JSON lines) on stdin."""
    from rdflib import Dataset

    def alarm(signum, frame):
        raise QueryTimeout

    signal.signal(signal.SIGALRM, alarm)
    out = sys.stdout
    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(nquads, format="nquads")
    quads = len(dataset)
    print(
        json.dumps({"ready": True, "load_seconds": time.perf_counter() - started, "quads": quads}), file=out
    )
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "query":
            signal.setitimer(signal.ITIMER_REAL, request["budget"])
            started = time.perf_counter()
            try:
                rows = rdflib_answer(dataset.query(request["text"]))
                reply = {"seconds": time.perf_counter() - started, "rows": rows}
            except QueryTimeout:
                reply = {"timeout": True}
            except Exception as error:  # a query rdflib can't run is a finding, not a crash
                reply = {"error": f"{type(error).__name__}: {error}"}
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            print(json.dumps(reply), file=out)
        elif request["op"] == "level":
            print(json.dumps(rdflib_level(dataset, request)), file=out)
        out.flush()
    return 0


def rdflib_level(dataset, request: dict) -> dict:
    """Threads over one Dataset, each running its plan until done or the deadline: samples per query."""
    from rdflib.plugins.sparql import prepareQuery

    samples: dict[str, list[float]] = {}
    lock, parsing = threading.Lock(), threading.Lock()  # rdflib's parser (pyparsing) is not thread-safe
    deadline = time.monotonic() + request["budget"]
    unfinished = [0]

    def run(plan: list[list[str]]) -> None:
        for index, (name, text) in enumerate(plan):
            if time.monotonic() > deadline:
                with lock:
                    unfinished[0] += len(plan) - index
                return
            started = time.perf_counter()
            with parsing:
                prepared = prepareQuery(text)
            dataset.query(prepared).bindings  # noqa: B018 - evaluate the whole result
            with lock:
                samples.setdefault(name, []).append(time.perf_counter() - started)

    threads = [threading.Thread(target=run, args=(plan,), daemon=True) for plan in request["plans"]]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()) + 0.5)
    running = sum(thread.is_alive() for thread in threads)
    return {"samples": samples, "wall": time.perf_counter() - started, "unfinished": unfinished[0] + running}


class RdflibPath:
    """The rdflib child process, under a total time budget; peak RSS from wait4."""

    def __init__(self, nquads: Path, budget: float, log: Path) -> None:
        self.deadline = time.monotonic() + budget
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--rdflib-worker", str(nquads)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        self.ready = self._reply(self.remaining())
        self.peak_rss = None

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def alive(self) -> bool:
        """Whether the child still runs (without reaping it: close() reads its peak RSS when it does)."""
        try:
            return os.waitid(os.P_PID, self.process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
        except ChildProcessError:
            return False

    def _reply(self, timeout: float) -> dict | None:
        """The child's next JSON line, or None (and the child killed) if it doesn't come in time."""
        if not self.alive() or timeout <= 0:
            self.kill()
            return None
        answer: list[str] = []
        reader = threading.Thread(target=lambda: answer.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not answer or not answer[0]:
            self.kill()
            return None
        return json.loads(answer[0])

    def request(self, message: dict, timeout: float) -> dict | None:
        if not self.alive():
            return None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()
        return self._reply(min(timeout, self.remaining()))

    def kill(self) -> None:
        if self.alive():
            self.process.kill()

    def close(self) -> None:
        """Stop the child and reap it, keeping its peak RSS."""
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        deadline = time.monotonic() + 30
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.kill()
        with contextlib.suppress(ChildProcessError):
            _, status, usage = os.wait4(self.process.pid, 0)
            self.process.returncode = os.waitstatus_to_exitcode(status)
            self.peak_rss = usage.ru_maxrss * 1024
        self.process.stdout.close()
        self.log.close()


# -- the build ---------------------------------------------------------------------------------------------


def build_worker(data: str, store: str, base: str) -> int:
    """The child that runs `treatykg build --engine fast` on `data`, timing each step; prints its report."""
    from treatykg.core.errors import TreatyKGError
    from treatykg.core.iris import INFERRED_GRAPH
    from treatykg.core.progress import Progress
    from treatykg.graph.build.fast import build_fast, load_fast_inputs, phase_seconds
    from treatykg.graph.store.embedded import open_store

    progress = Progress(enabled=False)  # records each step's seconds
    try:
        inputs = load_fast_inputs(None, [Path(data)], progress)
        asserted = len(inputs.store)
        with open_store(store, holder="bench/endpoint.py") as handle:
            result = build_fast(handle, inputs, base=base, progress=progress)
    except TreatyKGError as error:
        print(json.dumps({"error": str(error).splitlines()[0]}))
        return 1
    steps = {phase: round(seconds, 3) for phase, seconds in phase_seconds(progress.steps).items()}
    version = result.version
    print(
        json.dumps(
            {
                "steps": steps,
                "asserted_quads": asserted,
                "inferred_quads": version.graph_quads.get(INFERRED_GRAPH, 0),
                "quads": sum(version.graph_quads.values()) + version.default_graph_quads,
                "warnings": len(result.report.results),
                "method": "treatykg build --engine fast (graph/build/fast.py)",
            }
        )
    )
    return 0


def dump_quads(database: Path, target: Path) -> None:
    """Every quad of a closed database as N-Quads (what rdflib loads), in a child: no RocksDB open here."""
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, pyoxigraph as ox; "
            "ox.Store.read_only(sys.argv[1]).dump(sys.argv[2], format=ox.RdfFormat.N_QUADS)",
            str(database),
            str(target),
        ],
        check=True,
    )


def directory_bytes(path: Path) -> int:
    """The size of the files under `path` (apparent size; hard links counted once)."""
    seen, total = set(), 0
    for root, _, files in os.walk(path):
        for name in files:
            info = os.lstat(os.path.join(root, name))
            if (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                total += info.st_size
    return total


def run_child(command: list[str], log: Path) -> tuple[int, str, int, float]:
    """Run a command to the end: exit code, stdout, peak RSS in bytes (wait4), seconds."""
    started = time.perf_counter()
    with log.open("w") as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, out, usage.ru_maxrss * 1024, time.perf_counter() - started


def generate_and_build(size: int, seed: int, work: Path, log: Callable[[str], None]) -> tuple[dict, Path]:
    """Generate the data, build the store: the build's report and the store's path."""
    from treatykg.server.harness import installed

    data = work / f"synthetic-{size}.nt"
    started = time.perf_counter()
    with data.open("wb") as stream:
        subprocess.run(
            [installed("treatykg"), "generate", "--triples", str(size), "--seed", str(seed)],
            stdout=stream,
            check=True,
        )
    generated = time.perf_counter() - started
    triples = sum(1 for _ in data.open("rb"))
    log(f"generated {triples:,} triples in {generated:.1f} s")
    store = work / "store"
    code, out, peak, _ = run_child(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--build-worker",
            str(data),
            str(store),
            SYNTHETIC_BASE,
        ],
        work / "build.log",
    )
    if code != 0:
        raise SystemExit(f"the build failed ({out.strip() or 'see ' + str(work / 'build.log')})")
    build = json.loads(out)
    build.update(
        {
            "generate_seconds": round(generated, 3),
            "triples": triples,
            "total_seconds": round(sum(build["steps"].values()), 3),
            "peak_rss_bytes": peak,
            "store_bytes": directory_bytes(store / "oxigraph"),
        }
    )
    data.unlink()
    log(
        "built {quads:,} quads: ".format(**build)
        + ", ".join(f"{name} {value:.1f} s" for name, value in build["steps"].items())
        + f"; peak RSS {peak / 2**20:.0f} MiB, store {build['store_bytes'] / 2**20:.0f} MiB"
    )
    return build, store


# -- one size ----------------------------------------------------------------------------------------------


@dataclass
class Settings:
    """What the run measures and how hard."""

    seed: int = 1
    clients: tuple[int, ...] = CLIENTS
    passes: int = 5
    timeout: float = 600.0
    rdflib_budget: float = 300.0
    rdflib_query_budget: float = 30.0
    queries: list[str] | None = None
    log: Callable[[str], None] = print
    interval: float = 0.2
    rdflib: bool = True
    name: str = "endpoint"


@dataclass
class Outcome:
    """The report for one size."""

    size: int
    build: dict
    answers: dict = field(default_factory=dict)
    paths: dict = field(default_factory=dict)
    ratio: dict = field(default_factory=dict)


def compare_answers(mix: list[Query], answers: dict[str, dict[str, list | None]]) -> dict:
    """Per query: rows per path and whether the paths that answered agree as sets."""
    report: dict = {"queries": {}, "agree": True}
    for query in mix:
        given = {path: rows for path, rows in answers.items() if rows.get(query.name) is not None}
        sets = {path: set(rows[query.name]) for path, rows in given.items()}
        agree = len({frozenset(rows) for rows in sets.values()}) <= 1
        report["queries"][query.name] = {
            "rows": {
                path: (len(rows[query.name]) if path in given else None) for path, rows in answers.items()
            },
            "agree": agree,
        }
        if not agree:
            report["agree"] = False
            report["queries"][query.name]["differences"] = {
                path: sorted(map(str, rows - sets["oxigraph"]))[:3]
                for path, rows in sets.items()
                if "oxigraph" in sets and rows != sets["oxigraph"]
            }
    return report


def measure_size(size: int, work: Path, settings: Settings) -> Outcome:
    """Generate, build and serve one size; everything measured for it."""
    from treatykg.server.harness import OxigraphServe, TreatyKGServe

    log, mix = settings.log, load_mix(settings.queries)
    log(f"== {size:,} triples")
    build, store = generate_and_build(size, settings.seed, work, log)
    outcome = Outcome(size, build)
    copy = work / "oxigraph-copy"
    shutil.copytree(store / "oxigraph", copy)  # the same database, closed: both servers start from it
    nquads = work / "dataset.nq"
    if settings.rdflib:
        dump_quads(store / "oxigraph", nquads)
    paths = PATHS if settings.rdflib else tuple(path for path in PATHS if path != "rdflib")
    answers: dict[str, dict[str, list | None]] = {path: {} for path in paths}
    with (
        MemorySampler(settings.interval) as memory,
        TreatyKGServe(
            store,
            *("--query-timeout", str(settings.timeout), "--row-limit", str(ROW_LIMIT)),
            *("--result-cache-bytes", "0"),  # the engine's own speed; bench/cache.py measures the cache
            log=work / "treatykg.log",
        ) as treatykg,
        OxigraphServe(
            copy, timeout_s=int(settings.timeout), union_default_graph=True, log=work / "oxigraph.log"
        ) as oxigraph,
    ):
        servers: list[ServerProcess] = [treatykg, oxigraph]
        for server in servers:
            memory.watch(server.name, server.process.pid)
            outcome.paths[server.name] = {
                "transport": "HTTP/1.1 on loopback, one persistent connection per client",
                "start_seconds": round(server.started_seconds, 3),
            }
        outcome.paths["treatykg"]["server"] = "treatykg serve (waitress; read view with forked query workers)"
        outcome.paths["oxigraph"]["server"] = "oxigraph serve --union-default-graph (same database, copied)"
        memory.set_phase("check")
        for server in servers:
            client = Client(server)
            for query in mix:
                status, body, _ = client.query(query.text)
                if status != 200:
                    raise SystemExit(f"{server.name} answered {status} to {query.name}: {body[:300]!r}")
                answers[server.name][query.name] = json_answer(body)
            client.close()
        for count in settings.clients:
            memory.set_phase(f"{count} clients")
            if count == 1:
                levels = interleaved_single_client(servers, mix, settings.passes, settings.seed)
            else:
                levels = {
                    server.name: concurrent_clients(
                        server, mix, count, max(settings.passes, count), settings.seed
                    )
                    for server in servers
                }
            for name, level in levels.items():
                outcome.paths[name].setdefault("levels", {})[str(count)] = level
                log(
                    f"  {name:<9} {count} client(s): p50 {level['p50_ms']:.1f} ms, "
                    f"p95 {level['p95_ms']:.1f} ms, "
                    f"{level['throughput_qps']:.1f} q/s, {level['errors']} errors"
                )
        memory.set_phase("end")
        for server in servers:
            outcome.paths[server.name]["pss_peak_bytes"] = memory.peak.get(server.name)
            outcome.paths[server.name]["pss_peak_by_phase"] = {
                phase: peaks[server.name] for phase, peaks in memory.phases.items() if server.name in peaks
            }
            outcome.paths[server.name]["processes_max"] = memory.processes.get(server.name)
    shutil.rmtree(copy, ignore_errors=True)
    if settings.rdflib:
        outcome.paths["rdflib"] = measure_rdflib(mix, nquads, work, settings, answers["rdflib"])
        nquads.unlink(missing_ok=True)
    outcome.answers = compare_answers(mix, answers)
    if not outcome.answers["agree"]:
        log("  ANSWERS DIFFER: " + json.dumps(outcome.answers, default=str)[:2000])
    outcome.ratio = must_show_ratio(outcome.paths)
    log(f"  ratio p50(treatykg)/p50(oxigraph) at 1 client, geometric mean: {outcome.ratio.get('geomean')}")
    return outcome


def measure_rdflib(mix: list[Query], nquads: Path, work: Path, settings: Settings, answers: dict) -> dict:
    """The rdflib path: load, check answers, then the levels while the budget lasts."""
    log = settings.log
    report: dict = {
        "transport": "in-process (rdflib Dataset, default_union): query time only, no HTTP",
        "budget_seconds": settings.rdflib_budget,
        "query_budget_seconds": settings.rdflib_query_budget,
        "levels": {},
        "did_not_finish": [],
    }
    rdflib = RdflibPath(nquads, settings.rdflib_budget, work / "rdflib.log")
    try:
        if rdflib.ready is None:
            report["did_not_finish"] = ["load"]
            log("  rdflib    did not finish loading within its budget")
            return report
        report["load_seconds"] = round(rdflib.ready["load_seconds"], 3)
        finished = []
        for query in mix:
            reply = rdflib.request(
                {"op": "query", "text": query.text, "budget": settings.rdflib_query_budget},
                settings.rdflib_query_budget + 30,
            )
            if reply is None or "rows" not in reply:
                answers[query.name] = None
                report["did_not_finish"].append(query.name)
                if reply and reply.get("error"):
                    report.setdefault("errors", {})[query.name] = reply["error"]
                if reply is None:
                    break  # out of budget: the child is gone
                continue
            answers[query.name] = _tuples(reply["rows"])
            finished.append(query)
        for query in mix:
            if query.name not in answers and query.name not in report["did_not_finish"]:
                answers[query.name] = None
                report["did_not_finish"].append(query.name)
        if report["did_not_finish"]:
            log(f"  rdflib    did not finish: {', '.join(report['did_not_finish'])}")
        for count in settings.clients:
            if not finished or rdflib.remaining() <= 5:
                report["levels"][str(count)] = {"did_not_finish": True}
                continue
            each = max(1, math.ceil(max(settings.passes, count) / count)) if count > 1 else settings.passes
            plans = [
                [
                    [query.name, query.text]
                    for order in orders(finished, each, settings.seed * 1000 + number)
                    for query in order
                ]
                for number in range(count)
            ]
            budget = rdflib.remaining() - 5
            reply = rdflib.request({"op": "level", "plans": plans, "budget": budget}, budget + 60)
            if reply is None:
                report["levels"][str(count)] = {"did_not_finish": True}
                continue
            level = summarise(reply["samples"], reply["wall"], 0)
            level["unfinished"] = reply["unfinished"]
            level["did_not_finish"] = bool(reply["unfinished"])
            report["levels"][str(count)] = level
            log(
                f"  rdflib    {count} client(s): p50 {level['p50_ms']} ms, p95 {level['p95_ms']} ms, "
                f"{level['throughput_qps']} q/s" + (" (budget ran out)" if level["did_not_finish"] else "")
            )
    finally:
        rdflib.close()
        report["peak_rss_bytes"] = rdflib.peak_rss
    return report


def _tuples(rows: list) -> list[tuple]:
    """Rows as JSON gave them back (lists) turned into the tuples json_answer makes."""
    return [
        tuple((name, tuple(term) if isinstance(term, list) else term) for name, term in row) for row in rows
    ]


def must_show_ratio(paths: dict) -> dict:
    """Geometric mean over the mix of p50(treatykg) / p50(oxigraph) at 1 client, and each query's ratio."""
    ours = paths.get("treatykg", {}).get("levels", {}).get("1", {}).get("per_query", {})
    theirs = paths.get("oxigraph", {}).get("levels", {}).get("1", {}).get("per_query", {})
    ratios = {
        name: round(ours[name]["p50_ms"] / theirs[name]["p50_ms"], 3)
        for name in ours
        if name in theirs and theirs[name]["p50_ms"] > 0
    }
    if not ratios:
        return {}
    geomean = math.exp(sum(math.log(value) for value in ratios.values()) / len(ratios))
    return {
        "geomean": round(geomean, 3),
        "target": TARGET_RATIO,
        "met": geomean <= TARGET_RATIO,
        "per_query": ratios,
    }


# -- report ------------------------------------------------------------------------------------------------


def mib(value: int | None) -> str:
    return "–" if value is None else f"{value / 2**20:,.0f} MiB"


def number(value, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def tables(document: dict) -> str:
    """The report's tables in Markdown, under the run's date, machine and load."""
    load = document.get("load_average", {})
    lines = [
        f"Measured {document.get('date', 'on an unrecorded date')} on {document['machine']['summary']} with "
        f"`{document['command']}`; 1-minute load average {load.get('start', '?')} at the start and "
        f"{load.get('end', '?')} at the end (other work may share the machine).",
        "",
        "| triples | quads stored | load s | reason s | validate s | store s | build peak RSS "
        "| store on disk |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in document["sizes"]:
        build = size["build"]
        steps = build["steps"]
        lines.append(
            f"| {size['size']:,} | {build['quads']:,} | {number(steps.get('load'))} "
            f"| {number(steps.get('reason'))} "
            f"| {number(steps.get('validate'))} | {number(steps.get('store'))} "
            f"| {mib(build['peak_rss_bytes'])} "
            f"| {mib(build['store_bytes'])} |"
        )
    lines += [
        "",
        "| triples | path | clients | p50 ms | p95 ms | queries/s | memory peak |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size in document["sizes"]:
        for path in (path for path in PATHS if path in size["paths"]):
            report = size["paths"][path]
            memory = report.get("pss_peak_bytes") if path != "rdflib" else report.get("peak_rss_bytes")
            memory_text = (mib(memory) + (" PSS" if path != "rdflib" else " RSS")) if memory else "–"
            for count in document["clients"]:
                level = report.get("levels", {}).get(str(count), {})
                if not level or level.get("p50_ms") is None:
                    lines.append(
                        f"| {size['size']:,} | {path} | {count} | did not finish | | | {memory_text} |"
                    )
                    continue
                note = " (budget ran out)" if level.get("did_not_finish") else ""
                lines.append(
                    f"| {size['size']:,} | {path} | {count} | {number(level['p50_ms'])} "
                    f"| {number(level['p95_ms'])} "
                    f"| {number(level['throughput_qps'])}{note} | {memory_text} |"
                )
    lines += [
        "",
        "| triples | p50 ratio treatykg / oxigraph (1 client, geometric mean) | answers agree "
        "| rdflib did not finish |",
        "|---:|---:|---|---|",
    ]
    for size in document["sizes"]:
        ratio = size["ratio"].get("geomean")
        dnf = size["paths"].get("rdflib", {}).get("did_not_finish", [])
        rdflib = (", ".join(dnf) if dnf else "none") if "rdflib" in size["paths"] else "not run"
        lines.append(
            f"| {size['size']:,} | {number(ratio, 2)} (target ≤ {TARGET_RATIO}) | "
            f"{'yes' if size['answers'].get('agree') else 'NO'} | {rdflib} |"
        )
    return "\n".join(lines) + "\n"


def plot(document: dict, target: Path) -> None:
    """Four panels: p50 by size at 1 client, throughput by clients, build steps, server memory."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [size["size"] for size in document["sizes"]]
    figure, axes = plt.subplots(2, 2, figsize=(12, 9))
    ax = axes[0][0]
    for path in PATHS:
        points = [
            (size["size"], size["paths"].get(path, {}).get("levels", {}).get("1", {}).get("p50_ms"))
            for size in document["sizes"]
        ]
        points = [(x, y) for x, y in points if y]
        if points:
            ax.plot(*zip(*points, strict=True), marker="o", label=path)
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="triples",
        ylabel="p50 latency over the mix (ms)",
        title="1 client (rdflib: in-process, no HTTP)",
    )
    ax.legend()
    ax = axes[0][1]
    largest = document["sizes"][-1]
    for path in PATHS:
        points = [
            (
                count,
                largest["paths"].get(path, {}).get("levels", {}).get(str(count), {}).get("throughput_qps"),
            )
            for count in document["clients"]
        ]
        points = [(x, y) for x, y in points if y]
        if points:
            ax.plot(*zip(*points, strict=True), marker="o", label=path)
    ax.set(
        xlabel="concurrent clients",
        ylabel="queries per second",
        title=f"throughput at {largest['size']:,} triples",
    )
    ax.legend()
    ax = axes[1][0]
    bottom = [0.0] * len(sizes)
    for step in ("load", "reason", "validate", "store"):
        values = [size["build"]["steps"].get(step, 0) for size in document["sizes"]]
        ax.bar([str(size) for size in sizes], values, bottom=bottom, label=step)
        bottom = [a + b for a, b in zip(bottom, values, strict=True)]
    ax.set(xlabel="triples", ylabel="seconds", title="build time per step")
    ax.legend()
    ax = axes[1][1]
    for path in ("treatykg", "oxigraph"):
        ax.plot(
            sizes,
            [size["paths"][path].get("pss_peak_bytes", 0) / 2**20 for size in document["sizes"]],
            marker="o",
            label=f"{path} (PSS)",
        )
    ax.axhline(PSS_LIMIT / 2**20, color="red", linestyle="--", label="2 GiB")
    ax.set(xscale="log", xlabel="triples", ylabel="MiB", title="server memory, peak during the run")
    ax.legend()
    figure.suptitle("TreatyKG endpoint benchmark (" + document["machine"]["summary"] + ")")
    figure.tight_layout()
    figure.savefig(target, dpi=100)
    plt.close(figure)


def machine() -> dict:
    """What the numbers were measured on."""
    from importlib.metadata import version

    memory = next(
        (
            int(line.split()[1]) * 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        ),
        0,
    )
    versions = {}
    for name in ("treatykg", "pyoxigraph", "oxigraph", "rdflib", "waitress"):
        with contextlib.suppress(Exception):
            versions[name] = version(name)
    return {
        "cpus": os.cpu_count(),
        "memory_bytes": memory,
        "python": sys.version.split()[0],
        "versions": versions,
        "summary": f"{os.cpu_count()} cores, {memory / 2**30:.0f} GiB",
    }


def run(sizes: list[int], out: Path, settings: Settings, work: Path | None = None) -> dict:
    """The whole benchmark: every size, then the JSON, the plot and the tables in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="treatykg-bench-", dir=work))
    mix = load_mix(settings.queries)
    document = {
        "benchmark": "endpoint",
        "command": " ".join(sys.argv),
        "seed": settings.seed,
        "clients": list(settings.clients),
        "passes": settings.passes,
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d"),
        "load_average": {"start": round(os.getloadavg()[0], 2)},
        "queries": {query.name: {"summary": query.summary, "kind": query.kind} for query in mix},
        "sizes": [],
    }
    try:
        for size in sizes:
            folder = scratch / str(size)
            folder.mkdir()
            outcome = measure_size(size, folder, settings)
            document["sizes"].append(outcome.__dict__)
            shutil.rmtree(folder, ignore_errors=True)
            (out / f"{settings.name}.json").write_text(json.dumps(document, indent=2) + "\n")  # done so far
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    document["load_average"]["end"] = round(os.getloadavg()[0], 2)
    largest = document["sizes"][-1]
    document["must_show"] = {
        "size": largest["size"],
        "p50_ratio_geomean_1_client": largest["ratio"].get("geomean"),
        "ratio_target": TARGET_RATIO,
        "treatykg_pss_peak_bytes": largest["paths"]["treatykg"].get("pss_peak_bytes"),
        "pss_limit_bytes": PSS_LIMIT,
        "answers_agree": all(size["answers"]["agree"] for size in document["sizes"]),
    }
    (out / f"{settings.name}.json").write_text(json.dumps(document, indent=2) + "\n")
    (out / f"{settings.name}.md").write_text(tables(document))
    try:
        plot(document, out / f"{settings.name}.png")
    except ImportError:
        settings.log("no plot: matplotlib is missing (pip install '.[bench]')")
    return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="triples per size, comma-separated")
    parser.add_argument(
        "--out", type=Path, default=HERE / "results", help="folder for the JSON, PNG and tables"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", default="1,4,8", help="concurrent clients per level, comma-separated")
    parser.add_argument("--passes", type=int, default=5, help="passes over the mix at 1 client (and in all)")
    parser.add_argument("--queries", help="only these queries of the mix (names, comma-separated)")
    parser.add_argument("--timeout", type=float, default=600.0, help="both servers' query deadline (s)")
    parser.add_argument("--rdflib-budget", type=float, default=300.0, help="rdflib's time per size (s)")
    parser.add_argument("--rdflib-query-budget", type=float, default=30.0, help="rdflib's time per query (s)")
    parser.add_argument("--work", type=Path, help="scratch folder (default: the system's temporary folder)")
    parser.add_argument("--no-rdflib", action="store_true", help="leave the rdflib path out")
    parser.add_argument("--name", default="endpoint", help="the output files' stem (default: endpoint)")
    parser.add_argument("--rdflib-worker", help=argparse.SUPPRESS)
    parser.add_argument("--build-worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rdflib_worker:
        return rdflib_worker(args.rdflib_worker)
    if args.build_worker:
        return build_worker(*args.build_worker)
    settings = Settings(
        seed=args.seed,
        clients=tuple(int(value) for value in args.clients.split(",")),
        passes=args.passes,
        timeout=args.timeout,
        rdflib_budget=args.rdflib_budget,
        rdflib_query_budget=args.rdflib_query_budget,
        queries=args.queries.split(",") if args.queries else None,
        log=lambda line: print(line, flush=True),
        rdflib=not args.no_rdflib,
        name=args.name,
    )
    document = run([int(value) for value in args.sizes.split(",")], args.out, settings, args.work)
    print()
    print(tables(document))
    must = document["must_show"]
    print(
        f"must-show at {must['size']:,} triples: p50 ratio {must['p50_ratio_geomean_1_client']} "
        f"(target <= {TARGET_RATIO}); treatykg PSS peak {mib(must['treatykg_pss_peak_bytes'])} "
        f"(limit 2 GiB); answers agree: {must['answers_agree']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
