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


def render(results: dict, labels: list[str]) -> str:
    """The Markdown table: one row per size and format, a column pair per installation."""
    machine = results["machine"]
    lines = [
        "# `treatykg export` at scale",
        "",
        f"Written by `bench/export.py` ({results['command']});",
        f"measured {results['date']} on {machine}, other work running on the machine at the same time.",
        "One process per export (`/usr/bin/time -v`), one run",
        "each; data from `treatykg generate --seed 1`, built by `treatykg build` into an on-disk store.",
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
