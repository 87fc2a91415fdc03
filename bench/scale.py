"""Build at scale: load + reason + validate by the fast path at 10k, 100k and 1M triples, the reference path
(owlrl + pySHACL) at 10k, and one ~200-triple article added to the 1M store. Prints a table.

    .venv/bin/python bench/scale.py [--sizes 10000 100000 1000000] [--reference 10000] [--seed 1]
                                    [--repeat 3] [--profile] [--json FILE]

Each measurement runs in its own process, so its peak RSS is its own. Synthetic data comes from
`treatykg generate` (generated before the clock starts, in a temporary folder removed at the end). The fast
path works in an in-memory store, as the build does before it writes the store; "store" is that write into
an on-disk store (bulk load), reported apart, with the peak RSS it reaches (the table's peak RSS is the
build's, before the write). The incremental run adds the article that follows the largest set to that
on-disk store.

The fast path runs `--repeat` times per size, the sizes interleaved (so a burst of other work on the machine
lands on every size alike); the table gives the median of each step and of the total, and the total's
min-max; the growth between sizes is the ratio of the median totals. The reference path and the incremental
write run once (the write follows the largest size's first run, after its timed steps).

`--profile` also times every SPARQL query and update of the fast path (a wrapper around the store that reads
each result in full, so the steps take a little longer) and prints the slowest, with their growth.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS, TARGET_RATIO, TARGET_INCREMENTAL = 60.0, 12.0, 2.0
STEPS = ("load", "reason", "validate")
PROFILE_ROWS = 30


def generate(size: int, seed: int, folder: Path) -> tuple[Path, Path]:
    """The size's N-Triples file, and the ~200-triple article that would come next, both generated once."""
    from treatykg.graph.synthetic.generate import Generator, write_ntriples

    data, article = folder / f"synthetic-{size}-{seed}.nt", folder / f"article-after-{size}-{seed}.nt"
    if not data.exists():
        generator = Generator(seed)
        with data.open("wb") as stream:
            write_ntriples(stream, generator.lines(size))
        with article.open("wb") as stream:
            write_ntriples(stream, generator.article(budget=200))
    return data, article


def fast(data: Path, article: Path, incremental: bool, profile: bool) -> dict:
    """Worker: the fast path on `data`; with `incremental`, also write the store and add `article` to it."""
    import pyoxigraph as ox

    from treatykg.core.iris import SYNTHETIC_BASE
    from treatykg.graph.semantics import fastpath, fastshapes, rules

    graph = ox.NamedNode(SYNTHETIC_BASE + "graph/synthetic")
    store, seconds = ox.Store(), {}
    timed = TimedStore(store) if profile else store
    started = time.perf_counter()
    fastpath.load_ontology(store)
    fastpath.load_ntriples(store, data, graph)
    seconds["load"] = time.perf_counter() - started
    started = time.perf_counter()
    reasoning = rules.reason(timed)
    problems = rules.inconsistencies(timed)
    seconds["reason"] = time.perf_counter() - started
    started = time.perf_counter()
    report = fastshapes.validate_build(
        timed, fastpath.asserted_graphs(store), rules.INFERRED, fastshapes.shape_plan(SYNTHETIC_BASE)
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
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if profile:
        result["profile"] = timed.seconds
    if incremental:
        result["store"], result["incremental"] = _write_and_add(store, graph, article)
        result["store_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


class TimedStore:
    """A pyoxigraph store that adds up the seconds of each query and update it runs (for --profile).

    A query's results are read in full inside the clock (evaluation is lazy). Rule files are named by their
    file; other text by the function that ran it, the classes it names and a digest of the text without its
    VALUES blocks and USING clauses (so a check re-run on batches of focus nodes adds up under one name).
    """

    def __init__(self, store):
        from treatykg.graph.semantics.rules import rules

        self.store, self.seconds = store, {}
        self.rules = {rule.text.replace("$FOCUS", ""): f"rule {name}" for name, rule in rules().items()}

    def __getattr__(self, name: str):
        return getattr(self.store, name)

    def query(self, text: str, **options):
        import pyoxigraph as ox

        started = time.perf_counter()
        results = self.store.query(text, **options)
        if isinstance(results, ox.QuerySolutions):
            results = Solutions(results)
        self._add(text, time.perf_counter() - started)
        return results

    def update(self, text: str, **options) -> None:
        started = time.perf_counter()
        self.store.update(text, **options)
        self._add(text, time.perf_counter() - started)

    def _add(self, text: str, seconds: float) -> None:
        label = self.rules.get(text)
        if label is None:
            caller = sys._getframe(2).f_code.co_name
            shape = re.sub(r"VALUES \?\w+ \{[^}]*\}|USING <[^>]*>", "", text)
            classes = sorted(set(re.findall(r"(?:#type>|#subClassOf>\*) <[^>]*[#/]([^>#/]+)>", shape)))
            digest = hashlib.sha256(shape.encode()).hexdigest()[:6]
            label = f"{caller} {' '.join(classes[:3])}{' ...' * (len(classes) > 3)} #{digest}"
        total, calls = self.seconds.get(label, (0.0, 0))
        self.seconds[label] = (total + seconds, calls + 1)


class Solutions(list):
    """Query solutions read into a list, with their variables."""

    def __init__(self, solutions):
        super().__init__(solutions)
        self.variables = solutions.variables


def _write_and_add(store, graph, article: Path) -> tuple[float, dict]:
    """Write the built store to disk (bulk load), then add the article to it by the fast path."""
    import pyoxigraph as ox

    from treatykg.core.iris import SYNTHETIC_BASE
    from treatykg.graph.semantics import fastpath

    with tempfile.TemporaryDirectory(prefix="treatykg-scale-") as name:
        folder = Path(name)
        started = time.perf_counter()
        store.dump(str(folder / "build.nq"), format=ox.RdfFormat.N_QUADS)
        disk = ox.Store(str(folder / "store"))
        disk.bulk_load(path=str(folder / "build.nq"), format=ox.RdfFormat.N_QUADS)
        disk.flush()
        written = time.perf_counter() - started
        triples = [quad.triple for quad in ox.parse(path=str(article), format=ox.RdfFormat.N_TRIPLES)]
        started = time.perf_counter()
        report = fastpath.add_triples(disk, triples, graph, SYNTHETIC_BASE)
        seconds = time.perf_counter() - started
        del disk  # closed before its folder goes
    return written, {"triples": len(triples), "seconds": seconds, "conforms": report.conforms}


def reference(data: Path) -> dict:
    """Worker: the reference path on `data`: rdflib parse, owlrl, pySHACL (as build.check runs them)."""
    from rdflib import Graph

    from treatykg.core import resources
    from treatykg.core.iris import SYNTHETIC_BASE
    from treatykg.graph.build.reference import validate_graphs
    from treatykg.graph.rdf.load import load
    from treatykg.graph.semantics.reason import infer

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


def run_worker(
    kind: str, data: Path, article: Path, incremental: bool = False, profile: bool = False
) -> dict:
    """Run one measurement in a fresh process and return what it printed."""
    command = [sys.executable, __file__, "--worker", kind, "--data", str(data), "--article", str(article)]
    command += ["--incremental"] * incremental + ["--profile"] * profile
    output = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def summarise(runs: list[dict]) -> dict:
    """One row from repeated runs of the same size: the median of each step and of the total, the total's
    min and max, the largest peak RSS; the counts (the same in every run) and the incremental write."""
    counts = {(run["inferred"], run["results"]) for run in runs}
    if len(counts) > 1:
        raise RuntimeError(f"runs of the same data disagree (inferred, results): {sorted(counts)}")
    totals = [sum(run["seconds"].values()) for run in runs]
    row = {key: value for key, value in runs[0].items() if key != "profile"}  # the first run did the write
    row.update(
        seconds={step: statistics.median(run["seconds"][step] for run in runs) for step in STEPS},
        total=statistics.median(totals),
        spread=[min(totals), max(totals)],
        runs=[run["seconds"] for run in runs],
        peak_rss_mb=max(run["peak_rss_mb"] for run in runs),
    )
    if all("profile" in run for run in runs):
        labels = {label for run in runs for label in run["profile"]}
        row["profile"] = {
            label: statistics.median(run["profile"].get(label, (0.0, 0))[0] for run in runs)
            for label in labels
        }
    return row


def table(rows: list[tuple[str, dict]]) -> str:
    """The measurements as a Markdown table (medians where a size ran more than once)."""
    lines = [
        "| path | triples | runs | load s | reason s | validate s | total s | total min-max s | peak RSS MiB "
        "| inferred | results |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in rows:
        s = row["seconds"]
        total = row.get("total", sum(s.values()))
        low, high = row.get("spread", (total, total))
        lines.append(
            f"| {name} | {row['triples']:,} | {len(row.get('runs', [s]))} | {s['load']:.2f} "
            f"| {s['reason']:.2f} | {s['validate']:.2f} | {total:.2f} | {low:.2f}-{high:.2f} "
            f"| {row['peak_rss_mb']:.0f} | {row['inferred']:,} | {row['results']:,} |"
        )
    return "\n".join(lines)


def profile_table(fast_rows: dict[int, dict]) -> str:
    """The slowest queries and updates at the largest size (medians over the runs), with their growth."""
    sizes = sorted(fast_rows)
    largest, previous = sizes[-1], sizes[-2] if len(sizes) > 1 else None
    seconds = {size: fast_rows[size]["profile"] for size in sizes}
    slowest = sorted(seconds[largest], key=lambda label: -seconds[largest][label])[:PROFILE_ROWS]
    head = " | ".join(f"{size:,} s" for size in sizes)
    lines = [f"| query or update | {head} | growth |", "|---|" + "---:|" * (len(sizes) + 1)]
    for label in slowest:
        cells = " | ".join(f"{seconds[size].get(label, 0.0):.3f}" for size in sizes)
        before = seconds[previous].get(label, 0.0) if previous else 0.0
        growth = f"{seconds[largest][label] / before:.1f}x" if before else ""
        lines.append(f"| {label} | {cells} | {growth} |")
    return "\n".join(lines)


def measure(args: argparse.Namespace, folder: Path) -> tuple[list[tuple[str, dict]], dict[int, dict]]:
    """Every measurement, the data generated in `folder`: the table's rows, and the fast path's by size."""
    sizes, largest = sorted(set(args.sizes)), max(args.sizes)
    files = {
        size: generate(size, args.seed, folder) for size in sorted(set(args.sizes) | set(args.reference))
    }
    runs: dict[int, list[dict]] = {size: [] for size in sizes}
    for repeat in range(max(args.repeat, 1)):
        for size in sizes:
            incremental = repeat == 0 and size == largest
            runs[size].append(run_worker("fast", *files[size], incremental, args.profile))
            print(f"measured fast path at {size:,} (run {repeat + 1})", file=sys.stderr)
    fast_rows = {size: summarise(runs[size]) for size in sizes}
    rows = []
    for size in sorted(files):
        if size in fast_rows:
            rows.append((f"fast {size:,}", fast_rows[size]))
        if size in args.reference:
            rows.append((f"owlrl + pySHACL {size:,}", run_worker("reference", *files[size])))
            print(f"measured reference path at {size:,}", file=sys.stderr)
    return rows, fast_rows


def main() -> int:
    """Generate, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument(
        "--reference", type=int, nargs="*", default=[10_000], help="sizes for owlrl + pySHACL"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="fast-path runs per size (medians reported)")
    parser.add_argument("--profile", action="store_true", help="also time each query and update")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    parser.add_argument("--worker", choices=["fast", "reference"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--article", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--incremental", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        work = (
            fast(args.data, args.article, args.incremental, args.profile)
            if args.worker == "fast"
            else reference(args.data)
        )
        print(json.dumps(work))
        return 0

    largest = max(args.sizes)
    with tempfile.TemporaryDirectory(prefix="treatykg-scale-data-") as folder:
        rows, fast_rows = measure(args, Path(folder))
    print(table(rows))
    top = fast_rows[largest]
    print(
        f"\nlargest ({largest:,}): {top['total']:.1f} s median (target <= {TARGET_SECONDS:.0f} s); "
        f"written to an on-disk store in a further {top['store']:.1f} s "
        f"(peak RSS then {top['store_peak_rss_mb']:.0f} MiB)"
    )
    if largest // 10 in fast_rows:
        small = fast_rows[largest // 10]
        steps = ", ".join(f"{step} {top['seconds'][step] / small['seconds'][step]:.1f}x" for step in STEPS)
        print(
            f"growth {largest // 10:,} -> {largest:,}: {top['total'] / small['total']:.1f}x of the medians "
            f"(target <= {TARGET_RATIO:.0f}x; {steps}); from the fastest and slowest runs "
            f"{top['spread'][0] / small['spread'][1]:.1f}x-{top['spread'][1] / small['spread'][0]:.1f}x"
        )
    added = top["incremental"]
    print(
        f"incremental: {added['triples']} triples added to the {largest:,}-triple on-disk store (reason the "
        f"delta, validate the affected nodes, commit) in {added['seconds']:.2f} s "
        f"(target < {TARGET_INCREMENTAL:.0f} s)"
    )
    if args.profile:
        print("\n" + profile_table(fast_rows))
    if args.json:
        args.json.write_text(json.dumps(dict(rows), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
