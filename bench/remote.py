"""Remote-store benchmark: the build's push to each engine, and the query mix through `treatykg serve` on it
against the engine queried directly (not part of .ci/run).

    .venv/bin/python bench/remote.py --sizes 100000 --out bench/results/

For each size: generate the synthetic data and build an embedded store from it (bench/endpoint.py's fast
build), then per engine (Oxigraph server, Virtuoso Open Source 7 as `virtuoso-t` with its own ini on
loopback): start it empty, push the build's graphs to it exactly as `treatykg build --store sparql+http://…`
does (RemoteStore.replace_build_graphs, timed), then time the mix (bench/endpoint.py's) at 1 client with
`treatykg serve --store sparql+http://… --result-cache-bytes 0` and the engine itself taking turns query by
query. The engine is asked for the same dataset TreatyKG asks for (Oxigraph: started with
--union-default-graph; Virtuoso: TreatyKG's graphs as default-graph-uri / named-graph-uri). Each query's
answers are compared first (as sets) and the comparison is reported, not required. The must-show figure is
the geometric mean over the mix of p50(treatykg serve) / p50(engine).

Writes remote.json and remote.md into --out and prints the tables. Loopback only; every server it starts
is stopped before it returns.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import endpoint

from treatykg.core.terms import graph_from_quads
from treatykg.graph.store.embedded import open_store
from treatykg.graph.store.remote import open_remote
from treatykg.graph.store.remote_dialects import DIALECTS
from treatykg.server.harness import OxigraphServe, TreatyKGServe, VirtuosoServe

# Virtuoso's settings that matter here (the rest is Debian's default virtuoso.ini): buffers for ~1.3 GiB.
QUERY_DEADLINE = 60  # seconds per query, on both paths; a query past it is reported, not timed
VIRTUOSO_SETTINGS = {"Parameters": {"NumberOfBuffers": "170000", "MaxDirtyBuffers": "130000"}}


@dataclass
class View:
    """An engine as the timing client sees it: a name, an address and the path (with dataset) to POST to."""

    name: str
    host: str
    port: int
    query_path: str
    form: list[tuple[str, str]]  # sent with each query, form-encoded (the dataset, the engine's deadline)


def engine_settings(name: str) -> dict:
    """What the table states about an engine's configuration."""
    dialect = DIALECTS[name]
    if name == "virtuoso":
        return {
            "transaction logging": "log_enable 1 (Virtuoso's default: transactional, logged)",
            "buffers": "NumberOfBuffers 170000, MaxDirtyBuffers 130000",
            "request size": f"{dialect.max_operation_statements} triples per INSERT DATA, "
            f"{dialect.max_update_bytes // 2**20} MiB per request",
            "ResultSetMaxRows": "100000000",
        }
    return {
        "transaction logging": "RocksDB (one transaction per update request)",
        "request size": f"one request up to {dialect.max_update_bytes // 2**20} MiB, else staged",
        "flags": f"--union-default-graph --timeout-s {QUERY_DEADLINE}",
    }


def start(name: str, work: Path):
    """The engine, started empty on loopback."""
    if name == "virtuoso":
        return VirtuosoServe(work / "virtuoso", timeout_s=QUERY_DEADLINE, settings=VIRTUOSO_SETTINGS)
    return OxigraphServe(work / "oxigraph", timeout_s=QUERY_DEADLINE, union_default_graph=True)


def measure_engine(name: str, graphs: dict, mix: list, work: Path, passes: int, seed: int, log) -> dict:
    """Push to one engine, then time the mix through `treatykg serve` and on the engine directly."""
    report: dict = {"settings": engine_settings(name)}
    with start(name, work) as server:
        handle = open_remote(server.store, {"dialect": name})
        started = time.perf_counter()
        version = handle.replace_build_graphs(graphs)
        report["push_seconds"] = round(time.perf_counter() - started, 3)
        report["pushed_quads"] = sum(version.graph_quads.values())
        log(f"  {name}: pushed {report['pushed_quads']:,} quads in {report['push_seconds']:.1f} s")
        default_graphs, named_graphs = handle.union_dataset(version)
        # Form-encoded, with the dataset and deadline TreatyKG's remote client sends (a POSTed
        # application/sparql-query body with the dataset in the URL got no answer from Virtuoso).
        fields = handle.client.query_fields(True, default_graphs, named_graphs, QUERY_DEADLINE)
        raw = View(name, server.host, server.port, server.query_path, fields)
        env = {**os.environ, "TREATYKG_REMOTE_DIALECT": name}
        deadline = str(QUERY_DEADLINE)
        with TreatyKGServe(
            server.store, "--result-cache-bytes", "0", "--query-timeout", deadline, env=env
        ) as ours:
            agree, timed = {}, []
            for query in mix:
                answers = []
                for view in (ours, raw):
                    try:
                        status, body, _ = endpoint.Client(view, timeout=QUERY_DEADLINE + 5).query(query.text)
                    except TimeoutError:
                        status, body = 0, b""
                    answers.append(sorted(endpoint.json_answer(body)) if status == 200 else f"HTTP {status}")
                agree[query.name] = answers[0] == answers[1]
                if all(isinstance(answer, list) for answer in answers):
                    timed.append(query)
                else:
                    log(
                        f"  {name}: {query.name} not answered within {deadline} s: {answers[0]}, {answers[1]}"
                    )
            report["answers_agree"] = agree
            report["not_answered"] = [query.name for query in mix if query not in timed]
            levels = endpoint.interleaved_single_client([ours, raw], timed, passes, seed)
        report["treatykg"], report["engine"] = levels["treatykg"], levels[name]
    ratios = {}
    for query in mix:
        mine = report["treatykg"]["per_query"].get(query.name)
        theirs = report["engine"]["per_query"].get(query.name)
        if mine and theirs:
            ratios[query.name] = round(mine["p50_ms"] / theirs["p50_ms"], 3)
    report["ratios"] = ratios
    if ratios:
        report["geomean_ratio"] = round(math.exp(sum(map(math.log, ratios.values())) / len(ratios)), 3)
    log(f"  {name}: p50 ratio treatykg/engine, geometric mean {report.get('geomean_ratio')}")
    return report


def tables(document: dict) -> str:
    """The Markdown tables."""
    lines = [
        "# Remote store: push and query mix per engine",
        "",
        f"Written by `bench/remote.py` on {document['date']} ({document['machine']['summary']}; load "
        f"before the run: {document['load']}). The result cache off; 1 client, `treatykg serve` and the "
        "engine taking "
        "turns query by query; p50 over the passes. Ratio: p50(treatykg serve) / p50(engine), geometric mean "
        "over the mix.",
        "",
    ]
    for size, engines in document["sizes"].items():
        lines += [f"## {int(size):,} generated triples ({engines['build']['quads']:,} quads built)", ""]
        lines += [
            "| engine | push (s) | p50 treatykg (ms) | p50 engine (ms) | ratio (geomean) | answers agree |"
        ]
        lines += ["| --- | --- | --- | --- | --- | --- |"]
        for name in ("oxigraph", "virtuoso"):
            if name not in engines:
                continue
            report = engines[name]
            agree = sum(report["answers_agree"].values())
            lines.append(
                f"| {name} | {report['push_seconds']:.1f} | {report['treatykg']['p50_ms']:.1f} | "
                f"{report['engine']['p50_ms']:.1f} | {report.get('geomean_ratio')} | "
                f"{agree} of {len(report['answers_agree'])} |"
            )
        lines.append("")
        for name in ("oxigraph", "virtuoso"):
            if name in engines:
                settings = "; ".join(f"{key}: {value}" for key, value in engines[name]["settings"].items())
                differ = [query for query, same in engines[name]["answers_agree"].items() if not same]
                missing = engines[name].get("not_answered") or []
                lines.append(
                    f"- {name}: {settings}."
                    + (f" Answers differ: {', '.join(differ)}." if differ else "")
                    + (
                        f" Not answered within {QUERY_DEADLINE} s, not timed: {', '.join(missing)}."
                        if missing
                        else ""
                    )
                )
        lines += [
            "",
            "| query | "
            + " | ".join(f"{name} ratio" for name in ("oxigraph", "virtuoso") if name in engines)
            + " |",
        ]
        present = [name for name in ("oxigraph", "virtuoso") if name in engines]
        lines += ["| --- |" + " --- |" * len(present)]
        names = sorted({query for name in present for query in engines[name]["ratios"]})
        for query in names:
            lines.append(
                f"| {query} | "
                + " | ".join(str(engines[name]["ratios"].get(query, "–")) for name in present)
                + " |"
            )
        lines.append("")
    return "\n".join(lines)


def run(sizes: list[int], engines: list[str], out: Path, passes: int, seed: int, work: Path) -> dict:
    """Every size, every engine."""
    document: dict = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": endpoint.machine(),
        "load": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        "sizes": {},
    }
    mix = endpoint.load_mix()
    for size in sizes:
        folder = work / str(size)
        folder.mkdir(parents=True)
        build, store = endpoint.generate_and_build(size, seed, folder, print)
        with open_store(store, holder="bench/remote.py") as handle:
            graphs = {
                name.value: graph_from_quads(handle.store.quads_for_pattern(None, None, None, name))
                for name in handle.store.named_graphs()
            }
        results: dict = {"build": build}
        document["sizes"][str(size)] = results
        for name in engines:
            results[name] = measure_engine(name, graphs, mix, folder, passes, seed, print)
            # Kept as each engine finishes: a run cut short still leaves what it measured.
            out.mkdir(parents=True, exist_ok=True)
            (out / "remote.json").write_text(json.dumps(document, indent=2) + "\n")
    text = tables(document)
    (out / "remote.md").write_text(text + "\n")
    print(text)
    return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000", help="generated triples per size, comma-separated")
    parser.add_argument("--engines", default="oxigraph,virtuoso")
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument("--work", type=Path, help="scratch folder (default: the system's temporary folder)")
    args = parser.parse_args(argv)
    sizes = [int(value) for value in args.sizes.split(",")]
    with contextlib.ExitStack() as stack:
        work = args.work or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="treatykg-remote-")))
        run(sizes, args.engines.split(","), args.out, args.passes, args.seed, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
