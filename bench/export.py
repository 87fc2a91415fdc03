"""`treatykg export` at scale: time and peak RSS per format, one or more installations side by side.

    .venv/bin/python bench/export.py --cli after=.venv/bin/treatykg [--cli before=/other/venv/bin/treatykg]
                                     [--sizes 100000 1000000] [--formats nq nt ttl trig rdfxml jsonld]
                                     [--work DIR] [--json bench/results/export.json]
                                     [--out bench/results/export.md]

For each size it generates `treatykg generate --seed 1 --triples N` and builds one on-disk store from it
(kept in `--work`, reused by later runs), then runs `/usr/bin/time -v CLI export --format F` once per format
and installation, each in its own process. Results are merged into the JSON file by (size, format, label),
so installations can be measured in separate runs; the table is rewritten from the JSON after every run.
Every installation's files are hashed: the table says whether they are byte-identical to the first label's.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BASE = "https://example.org/treatykg-synthetic/"
FORMATS = ("nq", "nt", "ttl", "trig", "rdfxml", "jsonld")


def store_for(cli: str, size: int, work: Path) -> Path:
    """The size's store, generated and built once."""
    store = work / f"store-{size}"
    if store.exists():
        return store
    data = work / f"synthetic-{size}.nt"
    with data.open("wb") as stream:
        subprocess.run([cli, "generate", "--seed", "1", "--triples", str(size)], stdout=stream, check=True)
    subprocess.run([cli, "build", "--data", str(data), "--base", BASE, "--store", str(store)], check=True)
    data.unlink()
    return store


def measure(cli: str, store: Path, dump_format: str, out: Path) -> dict:
    """One export in its own process: wall seconds, peak RSS, the SHA-256 of each file written."""
    shutil.rmtree(out, ignore_errors=True)
    command = ["/usr/bin/time", "-v", cli, "export", "--format", dump_format, "--store", str(store)]
    done = subprocess.run([*command, "--out", str(out)], capture_output=True, text=True, check=True)
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    if wall is None or rss is None:
        raise SystemExit(f"no timing from /usr/bin/time:\n{done.stderr}")
    hours, minutes, seconds = (float(group or 0) for group in wall.groups())
    digests = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.iterdir())
        if path.name not in ("void.ttl", "context.jsonld")
    }
    size_bytes = sum((out / name).stat().st_size for name in digests)
    shutil.rmtree(out)
    return {
        "seconds": round(hours * 3600 + minutes * 60 + seconds, 2),
        "peak_rss_mib": round(int(rss.group(1)) / 1024),
        "bytes": size_bytes,
        "sha256": digests,
    }


RAW_DUMP = (
    "import sys, pyoxigraph as ox; "
    "ox.Store.read_only(sys.argv[1]).dump(sys.argv[2], format=ox.RdfFormat.N_QUADS)"
)


def measure_raw(python: str, store: Path, out: Path) -> dict:
    """The floor: pyoxigraph's own dump of the whole store (unsorted N-Quads), in its own process."""
    out.mkdir(parents=True, exist_ok=True)
    target = out / "raw.nq"
    command = ["/usr/bin/time", "-v", python, "-c", RAW_DUMP, str(store / "oxigraph"), str(target)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    if wall is None or rss is None:
        raise SystemExit(f"no timing from /usr/bin/time:\n{done.stderr}")
    hours, minutes, seconds = (float(group or 0) for group in wall.groups())
    size = target.stat().st_size
    shutil.rmtree(out)
    return {
        "seconds": round(hours * 3600 + minutes * 60 + seconds, 2),
        "peak_rss_mib": round(int(rss.group(1)) / 1024),
        "bytes": size,
    }


def render(results: dict, labels: list[str]) -> str:
    """The Markdown table: one row per size and format, a column pair per installation."""
    machine = results["machine"]
    lines = [
        "# `treatykg export` at scale",
        "",
        "Written by `bench/export.py`, rows merged from its runs (each cell holds its latest measurement;",
        f"the last run: `{results['command']}`); measured {results['date']} on {machine}, other work",
        "running on the machine at the same time, which varied between runs: read a cell as its order of",
        "magnitude (docs/scale.md). One process per export (`/usr/bin/time -v`), one run each; data from",
        "`treatykg generate --seed 1`, built by `treatykg build` into an on-disk store.",
        f"*Identical* compares every dump's SHA-256 with the {labels[0]} installation's.",
        "",
        "| triples | format | size of the dumps | "
        + " | ".join(f"{label}: time | {label}: peak RSS" for label in labels)
        + " | identical |",
        "|---|---|---|" + "---|---|" * len(labels) + "---|",
    ]
    for size in sorted(results["runs"], key=int):
        for dump_format in FORMATS:
            runs = results["runs"][size].get(dump_format)
            if not runs:
                continue
            cells = []
            for label in labels:
                run = runs.get(label)
                cells.append(f"{run['seconds']:.1f} s | {run['peak_rss_mib']} MiB" if run else "– | –")
            measured = [runs[label] for label in labels if label in runs]
            same = all(run["sha256"] == measured[0]["sha256"] for run in measured)
            megabytes = measured[0]["bytes"] / 2**20
            lines.append(
                f"| {int(size):,} | {dump_format} | {megabytes:.0f} MiB | "
                + " | ".join(cells)
                + f" | {'yes' if same and len(measured) > 1 else ('no' if not same else '–')} |"
            )
    if results.get("raw"):
        lines += [
            "",
            "The floor, in the same runs: pyoxigraph's own `Store.dump` of the whole store as N-Quads",
            "(unsorted, blank nodes as stored, one thread), reading the on-disk store as every export must.",
            "",
            "| triples | size | time | peak RSS |",
            "|---|---|---|---|",
        ]
        for size in sorted(results["raw"], key=int):
            raw = results["raw"][size]
            megabytes, seconds, peak = raw["bytes"] / 2**20, raw["seconds"], raw["peak_rss_mib"]
            lines.append(f"| {int(size):,} | {megabytes:.0f} MiB | {seconds:.1f} s | {peak} MiB |")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Measure, merge into the JSON, rewrite the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", action="append", required=True, metavar="LABEL=PATH")
    parser.add_argument("--sizes", nargs="+", type=int, default=[100_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "treatykg-bench-export")
    parser.add_argument("--json", type=Path, default=Path("bench/results/export.json"))
    parser.add_argument("--out", type=Path, default=Path("bench/results/export.md"))
    parser.add_argument("--labels", nargs="+", help="column order (default: as measured)")
    parser.add_argument(
        "--raw", metavar="PYTHON", help="also time pyoxigraph's own dump with this interpreter"
    )
    args = parser.parse_args()
    clis = dict(item.split("=", 1) for item in args.cli)
    args.work.mkdir(parents=True, exist_ok=True)
    results = json.loads(args.json.read_text()) if args.json.exists() else {"runs": {}}
    results["date"] = datetime.date.today().isoformat()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    results["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB"
    results["command"] = "python bench/export.py " + " ".join(sys.argv[1:])
    builder = next(iter(clis.values()))
    for size in args.sizes:
        store = store_for(builder, size, args.work)
        if args.raw:
            raw = measure_raw(args.raw, store, args.work / "out-raw")
            results.setdefault("raw", {})[str(size)] = raw
            print(f"{size} raw store.dump: {raw['seconds']} s, {raw['peak_rss_mib']} MiB", flush=True)
        for dump_format in args.formats:
            for label, cli in clis.items():
                run = measure(cli, store, dump_format, args.work / f"out-{label}")
                results["runs"].setdefault(str(size), {}).setdefault(dump_format, {})[label] = run
                print(
                    f"{size} {dump_format} {label}: {run['seconds']} s, {run['peak_rss_mib']} MiB", flush=True
                )
                args.json.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    labels = args.labels or list(
        dict.fromkeys(label for r in results["runs"].values() for f in r.values() for label in f)
    )
    args.out.write_text(render(results, labels))


if __name__ == "__main__":
    main()
