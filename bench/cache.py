"""Result-cache benchmark: a repeated identical query, p50 with the cache on, off, and on raw Oxigraph.

    .venv/bin/python bench/cache.py --sizes 10000,100000 --out bench/results/

For each size: generate and build the synthetic data as bench/endpoint.py does, then serve three copies of
the same database side by side: `treatykg serve` with the result cache (the default), `treatykg serve
--result-cache-bytes 0`, and `oxigraph serve --union-default-graph`. Each query is asked `--repeat` times
per server, the servers taking turns request by request, over one persistent connection each (POST
application/sparql-query, SPARQL JSON results); then the cached server alone, back to back. The answers
of the cached and uncached servers must be the same bytes. Writes cache.json and cache.md (with the machine
and the date) into --out.
"""

from __future__ import annotations

import argparse
import datetime
import json
import shutil
import statistics
import tempfile
from pathlib import Path

import endpoint

from treatykg.core.iris import SYNTHETIC_BASE

HERE = Path(__file__).resolve().parent
FIRST_TREATY = (
    "SELECT ?treaty WHERE { ?treaty a <https://w3id.org/treatykg/ontology#Treaty> "
    f'FILTER(STRSTARTS(STR(?treaty), "{SYNTHETIC_BASE}")) }} ORDER BY ?treaty LIMIT 1'
)
CLASS_PARTITION = (HERE / "queries" / "an-class-partition.rq").read_text(encoding="utf-8")
SERVERS = ("cached", "uncached", "oxigraph")


def first_treaty(client: endpoint.Client) -> str:
    """The IRI of the first synthetic treaty (the data is seeded: the same one every run)."""
    status, body, _ = client.query(FIRST_TREATY)
    if status != 200:
        raise SystemExit(f"could not find a treaty: {status} {body[:200]!r}")
    return json.loads(body)["results"]["bindings"][0]["treaty"]["value"]


def cache_hits(server: endpoint.ServerProcess) -> int:
    """The cached server's hit counter."""
    for line in server.request("GET", "/metrics").text.splitlines():
        if line.startswith("treatykg_result_cache_hits_total "):
            return int(line.split()[1])
    raise SystemExit("no treatykg_result_cache_hits_total in /metrics")


def time_query(clients: dict[str, endpoint.Client], text: str, repeat: int, warmup: int = 5) -> dict:
    """p50 / p95 (ms) per server for `text` asked `repeat` times, the servers taking turns."""
    samples: dict[str, list[float]] = {name: [] for name in clients}
    answers: dict[str, bytes] = {}
    for round_number in range(warmup + repeat):
        for name, client in clients.items():
            status, body, seconds = client.query(text)
            if status != 200:
                raise SystemExit(f"{name} answered {status}: {body[:300]!r}")
            answers.setdefault(name, body)
            if round_number >= warmup:
                samples[name].append(seconds)
    if answers["cached"] != answers["uncached"]:
        raise SystemExit("the cached and uncached answers differ")
    # The cached server again, with no other server working between its requests: the cache's own cost.
    samples["cached alone"] = [clients["cached"].query(text)[2] for _ in range(repeat)]
    return {
        name: {
            "n": len(values),
            "p50_ms": round(1000 * statistics.median(values), 3),
            "p95_ms": round(1000 * endpoint.percentile(values, 0.95), 3),
        }
        for name, values in samples.items()
    } | {"rows": len(json.loads(answers["cached"])["results"]["bindings"])}


def measure_size(size: int, work: Path, seed: int, repeat: int, log) -> dict:
    """Build one size and time each query on the three servers."""
    from treatykg.server.harness import OxigraphServe, TreatyKGServe

    log(f"== {size:,} triples")
    build, store = endpoint.generate_and_build(size, seed, work, log)
    uncached_store, raw = work / "store-uncached", work / "oxigraph-copy"
    shutil.copytree(store, uncached_store)
    shutil.copytree(store / "oxigraph", raw)
    result: dict = {"size": size, "quads": build["quads"], "queries": {}}
    with (
        TreatyKGServe(store, log=work / "cached.log") as cached,
        TreatyKGServe(uncached_store, "--result-cache-bytes", "0", log=work / "uncached.log") as uncached,
        OxigraphServe(raw, timeout_s=600, union_default_graph=True, log=work / "oxigraph.log") as oxigraph,
    ):
        servers = dict(zip(SERVERS, (cached, uncached, oxigraph), strict=True))
        clients = {name: endpoint.Client(server) for name, server in servers.items()}
        treaty = first_treaty(clients["uncached"])
        queries = {
            "one treaty's triples": f"SELECT ?p ?o WHERE {{ <{treaty}> ?p ?o }}",
            "class partition (an-class-partition)": CLASS_PARTITION,
        }
        for name, text in queries.items():
            hits = cache_hits(cached)
            timing = time_query(clients, text, repeat)
            timing["cache_hits"] = cache_hits(cached) - hits  # every cached request but the first
            result["queries"][name] = timing
            log(
                f"  {name}: {timing['rows']} rows; p50 "
                + ", ".join(
                    f"{server} {timing[server]['p50_ms']:.2f} ms" for server in (*SERVERS, "cached alone")
                )
            )
        for client in clients.values():
            client.close()
    result["treaty"] = treaty
    return result


def table(document: dict) -> str:
    """The results as Markdown."""
    lines = [
        "# Result cache: a repeated identical query",
        "",
        f"Written by `{document['command']}` on {document['date']}; "
        f"machine: {document['machine']['summary']}, Python {document['machine']['python']}, "
        + ", ".join(f"{name} {version}" for name, version in sorted(document["machine"]["versions"].items()))
        + ". Other work ran on the machine at the same time.",
        "",
        f"Each query asked {document['repeat']} times per server after 5 warm-up requests, the three "
        "servers taking turns, one persistent connection each (POST, SPARQL JSON results). *cached*: "
        "`treatykg serve` (result cache on, the default); *uncached*: `--result-cache-bytes 0`; *oxigraph*: "
        "`oxigraph serve --union-default-graph` on a copy of the same database. Latency is the client's, "
        "request to last byte.",
        "",
        "*cached alone*: the cached server asked the same number of times again, back to back, with no other "
        "server working between its requests (the cache's own cost, without the machine's load from the "
        "other two).",
        "",
        "| triples | query | rows | cached p50 (p95) ms | uncached p50 (p95) ms | oxigraph p50 (p95) ms "
        "| cached alone p50 (p95) ms | cached / oxigraph | cache hits |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for size in document["sizes"]:
        for name, timing in size["queries"].items():
            cells = [
                f"{timing[s]['p50_ms']:.2f} ({timing[s]['p95_ms']:.2f})" for s in (*SERVERS, "cached alone")
            ]
            ratio = timing["cached"]["p50_ms"] / timing["oxigraph"]["p50_ms"]
            lines.append(
                f"| {size['size']:,} | {name} | {timing['rows']} | {' | '.join(cells)} | {ratio:.2f}x "
                f"| {timing['cache_hits']} |"
            )
    lines += [
        "",
        "Target (issue 15): cached ≤ 2 ms p50 at every size, and ≤ 0.5x Oxigraph where it needs ≥ 5 ms.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="triples per size, comma-separated")
    parser.add_argument(
        "--out", type=Path, default=HERE / "results", help="folder for cache.json and cache.md"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=200, help="timed requests per query and server")
    args = parser.parse_args(argv)
    sizes = [int(value) for value in args.sizes.split(",")]
    document = {
        "command": f"bench/cache.py --sizes {args.sizes} --repeat {args.repeat} --seed {args.seed}",
        "date": datetime.date.today().isoformat(),
        "machine": endpoint.machine(),
        "repeat": args.repeat,
        "sizes": [],
    }
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix=f"treatykg-cache-{size}-") as work:
            document["sizes"].append(
                measure_size(size, Path(work), args.seed, args.repeat, lambda line: print(line, flush=True))
            )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "cache.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    text = table(document)
    (args.out / "cache.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
