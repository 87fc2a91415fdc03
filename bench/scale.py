"""Build at scale: load + reason + validate by the fast path at 10k, 100k and 1M triples, the reference path
(owlrl + pySHACL) at 10k, and one ~200-triple article added to the 1M store. Prints a table.

    .venv/bin/python bench/scale.py [--sizes 10000 100000 1000000] [--reference 10000] [--seed 1]
                                    [--json FILE]

Each measurement runs in its own process, so its peak RSS is its own. Synthetic data comes from
`treatykg generate` (generated before the clock starts). The fast path works in an in-memory store, as the
build does before it writes the store; "store" is that write into an on-disk store (bulk load), reported
apart. The incremental run adds the article that follows the largest set to that on-disk store.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS, TARGET_RATIO, TARGET_INCREMENTAL = 60.0, 12.0, 2.0


def generate(size: int, seed: int, folder: Path) -> tuple[Path, Path]:
    """The size's N-Triples file, and the ~200-triple article that would come next, both generated once."""
    from treatykg.graph.generate import Generator, write_ntriples

    data, article = folder / f"synthetic-{size}-{seed}.nt", folder / f"article-after-{size}-{seed}.nt"
    if not data.exists():
        generator = Generator(seed)
        with data.open("wb") as stream:
            write_ntriples(stream, generator.lines(size))
        with article.open("wb") as stream:
            write_ntriples(stream, generator.article(budget=200))
    return data, article


def fast(data: Path, article: Path, incremental: bool) -> dict:
    """Worker: the fast path on `data`; with `incremental`, also write the store and add `article` to it."""
    import pyoxigraph as ox

    from treatykg.graph import fastpath, fastshapes, rules
    from treatykg.iris import SYNTHETIC_BASE

    graph = ox.NamedNode(SYNTHETIC_BASE + "graph/synthetic")
    store, seconds = ox.Store(), {}
    started = time.perf_counter()
    fastpath.load_ontology(store)
    fastpath.load_ntriples(store, data, graph)
    seconds["load"] = time.perf_counter() - started
    started = time.perf_counter()
    reasoning = rules.reason(store)
    problems = rules.inconsistencies(store)
    seconds["reason"] = time.perf_counter() - started
    started = time.perf_counter()
    report = fastshapes.validate_build(
        store, fastpath.asserted_graphs(store), rules.INFERRED, fastshapes.shape_plan(SYNTHETIC_BASE)
    )
    seconds["validate"] = time.perf_counter() - started
    result = {
        "triples": sum(1 for _ in data.open("rb")),
        "inferred": reasoning.inferred,
        "rounds": reasoning.rounds,
        "consistent": not problems,
        "conforms": report.conforms,
        "results": len(report.results),
        "seconds": seconds,
    }
    if incremental:
        result["store"], result["incremental"] = _write_and_add(store, graph, article)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _write_and_add(store, graph, article: Path) -> tuple[float, dict]:
    """Write the built store to disk (bulk load), then add the article to it by the fast path."""
    import pyoxigraph as ox

    from treatykg.graph import fastpath
    from treatykg.iris import SYNTHETIC_BASE

    folder = Path(tempfile.mkdtemp(prefix="treatykg-scale-"))
    started = time.perf_counter()
    store.dump(str(folder / "build.nq"), format=ox.RdfFormat.N_QUADS)
    disk = ox.Store(str(folder / "store"))
    disk.bulk_load(path=str(folder / "build.nq"), format=ox.RdfFormat.N_QUADS)
    disk.flush()
    written = time.perf_counter() - started
    triples = [quad.triple for quad in ox.parse(path=str(article), format=ox.RdfFormat.N_TRIPLES)]
    started = time.perf_counter()
    report = fastpath.add_triples(disk, triples, graph, SYNTHETIC_BASE)
    added = {"triples": len(triples), "seconds": time.perf_counter() - started, "conforms": report.conforms}
    return written, added


def reference(data: Path) -> dict:
    """Worker: the reference path on `data`: rdflib parse, owlrl, pySHACL (as build.check runs them)."""
    from rdflib import Graph

    from treatykg import resources
    from treatykg.graph.build import validate_graphs
    from treatykg.graph.load import load
    from treatykg.graph.reason import infer
    from treatykg.iris import SYNTHETIC_BASE

    seconds = {}
    started = time.perf_counter()
    ontology = load(resources.ontology_file())
    asserted = Graph()
    for triple in ontology:
        asserted.add(triple)
    asserted.parse(data, format="nt")
    seconds["load"] = time.perf_counter() - started
    started = time.perf_counter()
    inferred = infer(asserted)
    seconds["reason"] = time.perf_counter() - started
    started = time.perf_counter()
    report = validate_graphs(ontology, asserted, inferred, SYNTHETIC_BASE)
    seconds["validate"] = time.perf_counter() - started
    return {
        "triples": sum(1 for _ in data.open("rb")),
        "inferred": len(inferred),
        "conforms": report.conforms,
        "results": len(report.results),
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_worker(kind: str, data: Path, article: Path, incremental: bool) -> dict:
    """Run one measurement in a fresh process and return what it printed."""
    command = [sys.executable, __file__, "--worker", kind, "--data", str(data), "--article", str(article)]
    output = subprocess.run(
        command + ["--incremental"] * incremental, check=True, capture_output=True, text=True
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def table(rows: list[tuple[str, dict]]) -> str:
    """The measurements as a Markdown table."""
    lines = [
        "| path | triples | load s | reason s | validate s | total s | peak RSS MiB | inferred | results |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in rows:
        s = row["seconds"]
        lines.append(
            f"| {name} | {row['triples']:,} | {s['load']:.2f} | {s['reason']:.2f} | {s['validate']:.2f} | "
            f"{sum(s.values()):.2f} | {row['peak_rss_mb']:.0f} | {row['inferred']:,} | {row['results']:,} |"
        )
    return "\n".join(lines)


def main() -> int:
    """Generate, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument(
        "--reference", type=int, nargs="*", default=[10_000], help="sizes for owlrl + pySHACL"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    parser.add_argument("--worker", choices=["fast", "reference"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--article", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--incremental", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        work = (
            fast(args.data, args.article, args.incremental) if args.worker == "fast" else reference(args.data)
        )
        print(json.dumps(work))
        return 0

    folder = Path(tempfile.mkdtemp(prefix="treatykg-scale-data-"))
    rows, largest = [], max(args.sizes)
    for size in sorted(set(args.sizes) | set(args.reference)):
        data, article = generate(size, args.seed, folder)
        if size in args.sizes:
            rows.append((f"fast {size:,}", run_worker("fast", data, article, incremental=size == largest)))
            print(f"measured fast path at {size:,}", file=sys.stderr)
        if size in args.reference:
            rows.append((f"owlrl + pySHACL {size:,}", run_worker("reference", data, article, False)))
            print(f"measured reference path at {size:,}", file=sys.stderr)
    print(table(rows))
    fast_rows = {int(name.split()[1].replace(",", "")): row for name, row in rows if name.startswith("fast")}
    total = {size: sum(row["seconds"].values()) for size, row in fast_rows.items()}
    top = fast_rows[largest]
    print(
        f"\nlargest ({largest:,}): {total[largest]:.1f} s (target <= {TARGET_SECONDS:.0f} s); written to an "
        f"on-disk store in a further {top['store']:.1f} s"
    )
    if largest // 10 in total:
        print(
            f"growth {largest // 10:,} -> {largest:,}: {total[largest] / total[largest // 10]:.1f}x "
            f"(target <= {TARGET_RATIO:.0f}x)"
        )
    added = top["incremental"]
    print(
        f"incremental: {added['triples']} triples added to the {largest:,}-triple on-disk store (reason the "
        f"delta, validate the affected nodes, commit) in {added['seconds']:.2f} s "
        f"(target < {TARGET_INCREMENTAL:.0f} s)"
    )
    if args.json:
        args.json.write_text(json.dumps(dict(rows), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
