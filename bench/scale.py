"""Build at scale: `treatykg build`'s fast engine into an on-disk store at 10k, 100k and 1M triples, beside
raw Oxigraph loading the same file, the reference path (owlrl + pySHACL) at 10k, and one ~200-triple article
added to the largest store. Prints a table.

    .venv/bin/python bench/scale.py [--sizes 10000 100000 1000000] [--reference 10000] [--seed 1]
                                    [--repeat 3] [--profile] [--json FILE] [--markdown FILE]

Each measurement runs in its own process, so its peak RSS is its own. Synthetic data comes from
`treatykg generate` (generated before the clock starts, in a temporary folder removed at the end). The fast
path is the build the command line runs (graph/build/fast.py: load, derive the reconciled view, reason,
validate, then write the new on-disk database and swap it in), timed step by step; its peak RSS covers the
whole build, the write included. "raw Oxigraph" is `oxigraph load` (the Rust command line pyoxigraph ships)
bulk-loading the same N-Triples file into an empty on-disk store: the floor for loading alone, with no
reasoning or validation. The incremental run adds the article that follows the largest set to its built
store (`treatykg add`'s path).

The fast path and the raw load run `--repeat` times per size, the sizes interleaved (so a burst of other work
on the machine lands on every size alike); the table gives the median of each step and of the total, and the
total's min-max; the growth between sizes is the ratio of the median totals. The reference path and the
incremental write run once (the write follows the largest size's first run). The machine's 1-minute load
average is recorded before and after every run: other work on the machine slows every number.

`--profile` also times every SPARQL query and update of the fast path (a wrapper around the build store that
reads each result in full, so the steps take a little longer) and prints the slowest, with their growth.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS, TARGET_RSS_MIB, TARGET_RATIO, TARGET_INCREMENTAL = 35.0, 1536, 12.0, 2.0
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
    """Worker: the fast build of `data` into a new on-disk store; with `incremental`, then add `article`."""
    from treatykg.core.iris import INFERRED_GRAPH, SYNTHETIC_BASE
    from treatykg.core.progress import Progress
    from treatykg.graph.build.fast import add_file, build_fast, load_fast_inputs, phase_seconds
    from treatykg.graph.store.embedded import open_store

    progress = Progress(enabled=False)  # records each step's seconds
    with tempfile.TemporaryDirectory(prefix="treatykg-scale-") as folder:
        started = time.perf_counter()
        inputs = load_fast_inputs(None, [data], progress)
        if profile:
            inputs.store = TimedStore(inputs.store)
        with open_store(Path(folder) / "store", holder="bench/scale.py") as handle:
            built = build_fast(handle, inputs, base=SYNTHETIC_BASE, progress=progress)
            total = time.perf_counter() - started
            seconds = phase_seconds(progress.steps)
            result = {
                "triples": sum(1 for _ in data.open("rb")),
                "inferred": built.version.graph_quads.get(INFERRED_GRAPH, 0),
                "quads": sum(built.version.graph_quads.values()),
                "results": len(built.report.results),
                "seconds": seconds,
                "total": total,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
            if profile:
                result["profile"] = inputs.store.seconds
            if incremental:
                added = time.perf_counter()
                _, report, _ = add_file(handle, article, base=SYNTHETIC_BASE)
                result["incremental"] = {
                    "triples": sum(1 for _ in article.open("rb")),
                    "seconds": time.perf_counter() - added,
                    "conforms": report.conforms,
                }
    return result


def raw(data: Path) -> dict:
    """Worker: `oxigraph load` of `data` into a new on-disk store (the Rust command line, one graph)."""
    from treatykg.core.iris import SYNTHETIC_BASE
    from treatykg.server.harness import installed

    with tempfile.TemporaryDirectory(prefix="treatykg-scale-raw-") as folder:
        command = [installed("oxigraph"), "load", "--location", f"{folder}/store", "--file", str(data)]
        started = time.perf_counter()
        subprocess.run(
            [*command, "--graph", SYNTHETIC_BASE + "graph/synthetic"], check=True, capture_output=True
        )
        seconds = time.perf_counter() - started
    return {
        "triples": sum(1 for _ in data.open("rb")),
        "total": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


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
        "total": sum(seconds.values()),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_worker(
    kind: str, data: Path, article: Path, incremental: bool = False, profile: bool = False
) -> dict:
    """Run one measurement in a fresh process and return what it printed, with the load around it."""
    command = [sys.executable, __file__, "--worker", kind, "--data", str(data), "--article", str(article)]
    command += ["--incremental"] * incremental + ["--profile"] * profile
    before = os.getloadavg()[0]
    output = subprocess.run(command, check=True, capture_output=True, text=True)
    result = json.loads(output.stdout.strip().splitlines()[-1])
    result["load_average"] = [round(before, 2), round(os.getloadavg()[0], 2)]
    return result


def summarise(runs: list[dict]) -> dict:
    """One row from repeated runs of the same size: the median of each step and of the total, the total's
    min and max, the largest peak RSS; the counts (the same in every run) and the incremental write."""
    counts = {(run.get("inferred"), run.get("results")) for run in runs}
    if len(counts) > 1:
        raise RuntimeError(f"runs of the same data disagree (inferred, results): {sorted(counts)}")
    totals = [run["total"] for run in runs]
    row = {key: value for key, value in runs[0].items() if key != "profile"}  # the first run did the write
    row.update(
        total=statistics.median(totals),
        spread=[min(totals), max(totals)],
        runs=len(runs),
        peak_rss_mb=max(run["peak_rss_mb"] for run in runs),
        load_average=[
            min(min(run["load_average"]) for run in runs),
            max(max(run["load_average"]) for run in runs),
        ],
    )
    if "seconds" in runs[0]:
        row["seconds"] = {
            step: statistics.median(run["seconds"][step] for run in runs) for step in runs[0]["seconds"]
        }
    if all("profile" in run for run in runs):
        labels = {label for run in runs for label in run["profile"]}
        row["profile"] = {
            label: statistics.median(run["profile"].get(label, (0.0, 0))[0] for run in runs)
            for label in labels
        }
    return row


def cell(value: float | None, digits: int = 2) -> str:
    """A number for the table, or a dash where the path has no such step."""
    return "–" if value is None else f"{value:.{digits}f}"


def table(rows: list[tuple[str, dict]]) -> str:
    """The measurements as a Markdown table (medians where a size ran more than once)."""
    lines = [
        "| path | triples | runs | load s | reason s | validate s | store s | total s | total min-max s "
        "| peak RSS MiB | inferred | results | load average |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in rows:
        s = row.get("seconds", {})
        low, high = row.get("spread", (row["total"], row["total"]))
        inferred, results = row.get("inferred"), row.get("results")
        lines.append(
            f"| {name} | {row['triples']:,} | {row.get('runs', 1)} | {cell(s.get('load'))} "
            f"| {cell(s.get('reason'))} | {cell(s.get('validate'))} | {cell(s.get('store'))} "
            f"| {row['total']:.2f} | {low:.2f}-{high:.2f} | {row['peak_rss_mb']:.0f} "
            f"| {'–' if inferred is None else f'{inferred:,}'} "
            f"| {'–' if results is None else f'{results:,}'} "
            f"| {row['load_average'][0]:.1f}-{row['load_average'][1]:.1f} |"
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
    raws: dict[int, list[dict]] = {size: [] for size in sizes}
    for repeat in range(max(args.repeat, 1)):
        for size in sizes:
            incremental = repeat == 0 and size == largest
            runs[size].append(run_worker("fast", *files[size], incremental, args.profile))
            raws[size].append(run_worker("raw", *files[size]))
            print(f"measured the fast build and raw Oxigraph at {size:,} (run {repeat + 1})", file=sys.stderr)
    fast_rows = {size: summarise(runs[size]) for size in sizes}
    rows = []
    for size in sorted(files):
        if size in fast_rows:
            rows.append((f"treatykg build (fast) {size:,}", fast_rows[size]))
            rows.append((f"raw Oxigraph load {size:,}", summarise(raws[size])))
        if size in args.reference:
            rows.append((f"owlrl + pySHACL {size:,}", run_worker("reference", *files[size])))
            print(f"measured reference path at {size:,}", file=sys.stderr)
    return rows, fast_rows


def report(args: argparse.Namespace, rows: list[tuple[str, dict]], fast_rows: dict[int, dict]) -> str:
    """The table and what it shows against the targets, as Markdown."""
    largest = max(args.sizes)
    top = fast_rows[largest]
    raw = dict(rows)[f"raw Oxigraph load {largest:,}"]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} Linux, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, with "
        f"`bench/scale.py {' '.join(sys.argv[1:])}`. The machine was shared with other work: the load "
        "average column gives the 1-minute load before and after the runs of each row (2: both cores busy).",
        "",
        table(rows),
        "",
        f"- {largest:,}: the build takes {top['total']:.1f} s median (target <= {TARGET_SECONDS:.0f} s on an "
        f"idle machine), the write into the on-disk store {top['seconds']['store']:.1f} s of it; peak RSS "
        f"{top['peak_rss_mb']:.0f} MiB (target <= {TARGET_RSS_MIB} MiB). Raw Oxigraph loads the same file "
        f"in {raw['total']:.1f} s median (peak RSS {raw['peak_rss_mb']:.0f} MiB), without reasoning or "
        "validating.",
    ]
    if largest // 10 in fast_rows:
        small = fast_rows[largest // 10]
        growth = {step: top["seconds"][step] / small["seconds"][step] for step in top["seconds"]}
        steps = ", ".join(f"{step} {ratio:.1f}x" for step, ratio in growth.items())
        lines.append(
            f"- Growth {largest // 10:,} -> {largest:,}: {top['total'] / small['total']:.1f}x of the medians "
            f"(target <= {TARGET_RATIO:.0f}x; {steps})."
        )
    added = top["incremental"]
    lines.append(
        f"- Incremental: {added['triples']} triples added to the {largest:,}-triple on-disk store (reason "
        f"the delta, validate the affected nodes, commit) in {added['seconds']:.2f} s (target < "
        f"{TARGET_INCREMENTAL:.0f} s)."
    )
    if args.profile:
        lines += ["", profile_table(fast_rows)]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Generate, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument(
        "--reference", type=int, nargs="*", default=[10_000], help="sizes for owlrl + pySHACL"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (medians reported)")
    parser.add_argument("--profile", action="store_true", help="also time each query and update")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    parser.add_argument("--markdown", type=Path, help="also write the report here (bench/results/scale.md)")
    parser.add_argument("--worker", choices=["fast", "raw", "reference"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--article", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--incremental", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        workers = {
            "fast": lambda: fast(args.data, args.article, args.incremental, args.profile),
            "raw": lambda: raw(args.data),
            "reference": lambda: reference(args.data),
        }
        print(json.dumps(workers[args.worker]()))
        return 0

    with tempfile.TemporaryDirectory(prefix="treatykg-scale-data-") as folder:
        rows, fast_rows = measure(args, Path(folder))
    text = report(args, rows, fast_rows)
    print(text)
    if args.markdown:
        args.markdown.write_text("# bench/scale.py: the build at scale, beside raw Oxigraph\n\n" + text)
    if args.json:
        args.json.write_text(json.dumps(dict(rows), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
