"""Soak: `treatykg serve` on loopback, 16 clients mixing reads and validated writes for N minutes.

Counts errors other than intended 4xx/429, samples the server's memory (sum of PSS of its processes: the
server, the read view and the query workers) and reports p50/p99 latency. Loopback only; stops by itself.

    .venv/bin/python bench/soak.py --minutes 10 --clients 16 [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

from treatykg.server.harness import TreatyKGServe, http_request, pss_bytes

TOKEN = "soak-token"  # noqa: S105 - the scratch server's own token
READS = [
    "SELECT ?e ?label { ?e a <https://w3id.org/treatykg/ontology#Event> ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 50",
    "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
    "ASK { ?s ?p ?o }",
    "CONSTRUCT WHERE { <https://w3id.org/treatykg/id/state/russia> ?p ?o }",
    "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
]


def pss_kib(root: int) -> int:
    """Sum of PSS (KiB) over `root` and all its descendants."""
    return pss_bytes(root)[0] // 1024


def request(url: str, method: str, path: str, body: str | None = None, headers: dict | None = None):
    """One HTTP request; (status, seconds)."""
    started = time.perf_counter()
    reply = http_request(url, method, path, body, headers, timeout=120)
    return reply.status, time.perf_counter() - started


def client(
    url: str, number: int, until: float, write_share: float, results: list, lock: threading.Lock
) -> None:
    """One client: reads, and now and then a write (mostly conforming, some refused by the shapes)."""
    rng = random.Random(number)  # noqa: S311 - reproducible load, not secrets
    serial = 0
    while time.monotonic() < until:
        if rng.random() < write_share:
            serial += 1
            node = f"https://example.org/soak/c{number}/n{serial % 20}"
            if rng.random() < 0.8:
                text = (
                    f"DELETE WHERE {{ <{node}> ?p ?o }} ; "
                    f"INSERT DATA {{ GRAPH <https://example.org/soak/g{number}> "
                    f'{{ <{node}> <http://www.w3.org/2000/01/rdf-schema#label> "n{serial}" }} }}'
                )
                kind, expected = "write", {204}
            else:  # a Denunciation with none of the provenance the shapes demand: 422
                text = (
                    f"INSERT DATA {{ <https://w3id.org/treatykg/id/event/soak-{number}-{serial}> a "
                    "<https://w3id.org/treatykg/ontology#Denunciation> }"
                )
                kind, expected = "refused-write", {422}
            status, seconds = request(
                url,
                "POST",
                "/update",
                text,
                {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
            )
        else:
            query = rng.choice(READS)
            status, seconds = request(url, "GET", f"/sparql?query={quote(query)}")
            kind, expected = "read", {200}
        with lock:
            results.append((kind, status, seconds, status in expected or status == 429))


def main(argv: list[str] | None = None) -> int:
    """Run the soak and print (or write) its report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--write-share", type=float, default=0.1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="treatykg-soak-"))
    # The server's log beside its store; it stops when the run ends (reported as server_exit -9 if only
    # SIGKILL stopped it).
    server = TreatyKGServe(scratch / "store", "--update-token", TOKEN, log=scratch / "server.log")
    process, url = server.process, server.url
    results: list = []
    lock = threading.Lock()
    samples: list[tuple[float, int]] = []
    started = time.monotonic()
    until = started + args.minutes * 60
    threads = [
        threading.Thread(target=client, args=(url, n, until, args.write_share, results, lock))
        for n in range(args.clients)
    ]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        samples.append((time.monotonic() - started, pss_kib(process.pid)))
        time.sleep(5)
    server.stop(grace=120)
    latencies = sorted(seconds for _, _, seconds, _ in results)
    after_first = [kib for t, kib in samples if t >= 60] or [samples[-1][1]]
    report = {
        "minutes": args.minutes,
        "clients": args.clients,
        "requests": len(results),
        "by_kind": {k: sum(1 for r in results if r[0] == k) for k in ("read", "write", "refused-write")},
        "status_429": sum(1 for r in results if r[1] == 429),
        "errors": sum(1 for r in results if not r[3]),
        "error_statuses": sorted({r[1] for r in results if not r[3]}),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1) if latencies else None,
        "write_p50_ms": round(
            statistics.median([s for k, _, s, _ in results if k != "read"] or [0]) * 1000, 1
        ),
        "pss_mib_after_1_min": round(after_first[0] / 1024, 1),
        "pss_mib_end": round(samples[-1][1] / 1024, 1),
        "pss_growth_percent": round((samples[-1][1] - after_first[0]) / after_first[0] * 100, 1),
        "server_exit": process.returncode,
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0 if report["errors"] == 0 and report["server_exit"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
