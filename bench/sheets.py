"""Compiling a statement sheet the size of the seed article (tests/fixtures/sheets/cfe-article: 32
statements, 45 IRIs minted, 19 table rows): in process, and as `treatykg sheet compile` in a fresh process.

    .venv/bin/python bench/sheets.py [--repeat 20] [--markdown FILE]

In process: `compile_sheet(path, entities)` as `treatykg build` calls it, the entity sheet and the ontology's
terms loaded before the clock starts (a build loads them once for all its sheets); the first run is reported
apart (it builds the JSON Schema validator and warms caches), then the median and min-max of the
rest. Fresh process: `treatykg sheet compile SHEET --dry-run --known` (no known acts), wall clock, Python's
start and imports included. Target: under 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHEET = ROOT / "tests" / "fixtures" / "sheets" / "cfe-article" / "sheet.yaml"
TARGET_SECONDS = 1.0


def in_process(repeat: int) -> tuple[float, list[float], int]:
    """(first run, the other runs, triples) of compile_sheet in this process."""
    from treatykg.graph.sources.compile import compile_sheet
    from treatykg.graph.sources.entities import load_entities

    entities = load_entities()
    times = []
    triples = 0
    for _ in range(repeat + 1):
        started = time.perf_counter()
        graph, _ = compile_sheet(SHEET, entities)
        times.append(time.perf_counter() - started)
        triples = len(graph)
    return times[0], times[1:], triples


def fresh_process(repeat: int) -> list[float]:
    """Wall-clock seconds of `treatykg sheet compile --dry-run` in a new process, `repeat` times."""
    command = [
        str(Path(sys.executable).parent / "treatykg"),
        "sheet",
        "compile",
        str(SHEET),
        "--dry-run",
        "--known",
    ]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    """Measure and print a table (and write it with --markdown)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    first, rest, triples = in_process(args.repeat)
    processes = fresh_process(max(3, args.repeat // 4))
    rows = [
        ("compile_sheet, first run", 1, first, first, first),
        ("compile_sheet", len(rest), statistics.median(rest), min(rest), max(rest)),
        (
            "treatykg sheet compile --dry-run",
            len(processes),
            statistics.median(processes),
            min(processes),
            max(processes),
        ),
    ]
    lines = [
        "| what | runs | median s | min-max s | target s |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {what} | {runs} | {median:.3f} | {low:.3f}-{high:.3f} | {TARGET_SECONDS:.0f} |"
            for what, runs, median, low, high in rows
        ),
        "",
        f"Sheet: {SHEET.relative_to(ROOT)} (32 statements, {triples} triples compiled).",
    ]
    print("\n".join(lines))
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
