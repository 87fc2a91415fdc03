"""Treaty status at scale: the status derivation's share of a fast build of generated data, and `status-on`
answers over HTTP. Prints a table (and writes it with --markdown).

    .venv/bin/python bench/status.py [--sizes 100000 1000000] [--seed 1] [--requests 60]
                                     [--markdown FILE] [--json FILE]

Per size the data comes from `treatykg generate`'s generator (status-changing treaty acts included: the
histories of states with treaties, group suspensions, attributed claims), written before any clock starts
into a temporary folder removed at the end. A child process runs the fast build (graph/build/fast.py) into a
fresh on-disk store, timing each step; the share is the step "derived the treaty status intervals" over the
whole build (target at most 10 %). Then `treatykg serve` serves the store, and `--requests` distinct
(state, treaty, day) questions, one per status interval of the derived graph (the day after the interval's
latest start, so every answer rests on acts), go to `/status` and to `/queries/status-on` (JSON), one at a
time after five warm-up requests; distinct questions, so no answer comes from a cache. Target: p50 under 50 ms
at 1M. The machine's 1-minute load average is recorded before and after each size.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

TARGET_SHARE, TARGET_P50 = 0.10, 0.050
STATUS_STEP = "derived the treaty status intervals"
RECONCILE_STEP = "derived the reconciled view"
WARM_UP = 5
TARGETS = """PREFIX tkg: <https://w3id.org/treatykg/ontology#>
SELECT ?state ?treaty ?start WHERE {
  GRAPH <https://w3id.org/treatykg/graph/status> {
    ?interval tkg:statusOf ?state ; tkg:treaty ?treaty ; tkg:startLatest ?start .
  }
}
ORDER BY ?interval
LIMIT %d
"""


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def build_worker(data: str, store: str) -> int:
    """The child: the fast build of `data` into a fresh store at `store`; prints its steps as JSON."""
    from treatykg.core.iris import STATUS_GRAPH, SYNTHETIC_BASE
    from treatykg.core.progress import Progress
    from treatykg.graph.build.fast import build_fast, load_fast_inputs
    from treatykg.graph.store.embedded import open_store

    progress = Progress(enabled=False)  # records each step's seconds
    started = time.perf_counter()
    inputs = load_fast_inputs(None, [Path(data)], progress)
    with open_store(Path(store), holder="bench/status.py") as handle:
        built = build_fast(handle, inputs, base=SYNTHETIC_BASE, progress=progress)
        total = time.perf_counter() - started
    steps = [(step, seconds) for step, seconds in progress.steps]
    quads = built.version.graph_quads
    print(json.dumps({"steps": steps, "total": total, "status_quads": quads.get(STATUS_GRAPH, 0)}))
    return 0


def generate(size: int, seed: int, folder: Path) -> Path:
    """The size's N-Triples file."""
    from treatykg.graph.synthetic.generate import Generator, write_ntriples

    data = folder / f"synthetic-{size}-{seed}.nt"
    with data.open("wb") as stream:
        write_ntriples(stream, Generator(seed).lines(size))
    return data


def build(data: Path, store: Path) -> dict:
    """The fast build in a child process: its steps, total and the status graph's size."""
    command = [sys.executable, str(Path(__file__).resolve()), "--build-worker", str(data), str(store)]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(result.stdout.splitlines()[-1])


def questions(server, count: int) -> list[dict[str, str]]:
    """`count` distinct (state, treaty, day) questions from the status graph's intervals."""
    reply = server.request(
        "POST",
        "/sparql",
        TARGETS % count,
        {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        timeout=600,
    )
    rows = json.loads(reply.body)["results"]["bindings"]
    asked = []
    for number in range(count):  # fewer intervals than questions (a small set): later days of the same ones
        row = rows[number % len(rows)]
        later = datetime.timedelta(days=1 + number // len(rows))
        day = datetime.date.fromisoformat(row["start"]["value"][:10]) + later
        asked.append(
            {"state": row["state"]["value"], "treaty": row["treaty"]["value"], "on": day.isoformat()}
        )
    return asked


def timed(server, paths: list[str]) -> tuple[list[float], dict[int, int]]:
    """Each path requested once, in turn (after the warm-up ones): the seconds of each, and the statuses."""
    seconds, statuses = [], {}
    headers = {"Accept": "application/json, application/sparql-results+json"}
    for number, path in enumerate(paths):
        started = time.perf_counter()
        reply = server.request("GET", path, None, headers, timeout=120)
        elapsed = time.perf_counter() - started
        if number >= WARM_UP:
            seconds.append(elapsed)
            statuses[reply.status] = statuses.get(reply.status, 0) + 1
    return seconds, statuses


def measure(size: int, seed: int, requests: int, folder: Path) -> dict:
    """Generate, build and serve one size; the build's shares and the answers' latencies."""
    from treatykg.server.harness import TreatyKGServe

    load_before = os.getloadavg()[0]
    data = generate(size, seed, folder)
    store = folder / f"store-{size}"
    built = build(data, store)
    steps = dict(built["steps"])
    result = {
        "size": size,
        "triples": sum(1 for _ in data.open("rb")),
        "build_seconds": built["total"],
        "status_seconds": steps.get(STATUS_STEP, 0.0),
        "reconcile_seconds": steps.get(RECONCILE_STEP, 0.0),
        "status_quads": built["status_quads"],
    }
    with TreatyKGServe(store) as server:
        asked = questions(server, requests + WARM_UP)
        routes = {
            "/status": [f"/status?{urlencode(q)}" for q in asked],
            "/queries/status-on": [f"/queries/status-on?{urlencode({**q, 'format': 'json'})}" for q in asked],
        }
        for route, paths in routes.items():
            seconds, statuses = timed(server, paths)
            result[route] = {
                "requests": len(seconds),
                "p50": statistics.median(seconds),
                "p95": percentile(seconds, 0.95),
                "statuses": {str(k): v for k, v in statuses.items()},
            }
    result["load"] = [load_before, os.getloadavg()[0]]
    return result


def table(results: list[dict], seed: int) -> str:
    """The results as a Markdown page."""
    cpu = platform.processor() or platform.machine()
    lines = [
        "# Treaty status at scale",
        "",
        f"Generated by `bench/status.py` on {datetime.date.today().isoformat()}: {platform.system()} "
        f"{platform.release()}, {cpu}, {os.cpu_count()} CPU(s), Python {platform.python_version()}; "
        f"synthetic data seed {seed}. The machine is shared: the 1-minute load average before and after "
        "each size is given beside its numbers.",
        "",
        "The status derivation's share of the fast build (target at most 10 %), and one `status-on` "
        "answer over HTTP, p50 and p95 over distinct (state, treaty, day) questions (target: p50 under "
        "50 ms at 1M).",
        "",
        "| triples | build | reconciled view | status derivation | share (≤ 10 %) | status quads "
        "| /status p50 / p95 | /queries/status-on p50 / p95 | requests | load |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        share = r["status_seconds"] / r["build_seconds"]
        status, prepared = r["/status"], r["/queries/status-on"]
        ok = "yes" if share <= TARGET_SHARE else "no"
        lines.append(
            f"| {r['triples']:,} | {r['build_seconds']:.1f} s | {r['reconcile_seconds']:.2f} s "
            f"| {r['status_seconds']:.2f} s | {100 * share:.1f} % ({ok}) | {r['status_quads']:,} "
            f"| {1000 * status['p50']:.1f} / {1000 * status['p95']:.1f} ms "
            f"| {1000 * prepared['p50']:.1f} / {1000 * prepared['p95']:.1f} ms "
            f"| {status['requests']} + {prepared['requests']} "
            f"| {r['load'][0]:.2f} → {r['load'][1]:.2f} |"
        )
    lines += [
        "",
        "HTTP statuses: "
        + "; ".join(
            f"{r['triples']:,}: /status {r['/status']['statuses']}, "
            f"/queries/status-on {r['/queries/status-on']['statuses']}"
            for r in results
        ),
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--build-worker", nargs=2, metavar=("DATA", "STORE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_worker:
        return build_worker(*args.build_worker)
    results = []
    with tempfile.TemporaryDirectory(prefix="treatykg-bench-status-") as folder:
        for size in args.sizes:
            results.append(measure(size, args.seed, args.requests, Path(folder)))
            print(json.dumps(results[-1]), file=sys.stderr)
    text = table(results, args.seed)
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
