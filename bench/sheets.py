"""Compiling statement sheets the size of the seed article: the seed article's own packaged sheet
(graph/sources/cfe-withdrawal-article: 33 acts, 15 propositions, 21 mentions, every IRI kept) and the fixture
tests/fixtures/sheets/cfe-article (32 statements, 45 IRIs minted); in process, and as `treatykg sheet
compile` in a fresh process.

    .venv/bin/python bench/sheets.py [--repeat 20] [--markdown FILE]

In process: `compile_sheet(path, entities)` as `treatykg build` calls it, the entity sheet and the ontology's
terms loaded before the clock starts (a build loads them once for all its sheets); the first run is reported
apart for the first sheet (it builds the JSON Schema validator and warms caches), then the median and
min-max of the rest. Fresh process: `treatykg sheet compile SHEET --dry-run --known` (no known acts), wall
clock, Python's start and imports included; for the packaged sheet also with the default known acts (the
packaged graph/data/*.ttl loaded, as a curator runs it). Target: under 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHEETS = {
    "packaged article": ROOT / "graph" / "sources" / "cfe-withdrawal-article" / "sheet.yaml",
    "fixture": ROOT / "tests" / "fixtures" / "sheets" / "cfe-article" / "sheet.yaml",
}
TARGET_SECONDS = 1.0


def in_process(sheet: Path, repeat: int) -> tuple[float, list[float], int]:
    """(first run, the other runs, triples) of compile_sheet in this process."""
    from treatykg.graph.sources.compile import compile_sheet
    from treatykg.graph.sources.entities import load_entities

    entities = load_entities()
    times = []
    triples = 0
    for _ in range(repeat + 1):
        started = time.perf_counter()
        graph, _ = compile_sheet(sheet, entities)
        times.append(time.perf_counter() - started)
        triples = len(graph)
    return times[0], times[1:], triples


def fresh_process(sheet: Path, repeat: int, known: bool) -> list[float]:
    """Wall-clock seconds of `treatykg sheet compile --dry-run` in a new process, `repeat` times; with the
    default known acts, or none (`--known` with no file)."""
    command = [str(Path(sys.executable).parent / "treatykg"), "sheet", "compile", str(sheet), "--dry-run"]
    command += [] if known else ["--known"]
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
    rows: list[tuple[str, str, list[float]]] = []
    notes = []
    for name, sheet in SHEETS.items():
        first, rest, triples = in_process(sheet, args.repeat)
        if not rows:
            # Only the process's first compile builds the schema validator and warms the caches.
            rows.append((name, "compile_sheet, first run", [first]))
        rows.append((name, "compile_sheet", rest))
        runs = max(3, args.repeat // 4)
        rows.append((name, "treatykg sheet compile --dry-run --known", fresh_process(sheet, runs, False)))
        if name == "packaged article":
            rows.append((name, "treatykg sheet compile --dry-run", fresh_process(sheet, runs, True)))
        notes.append(f"{name}: {sheet.relative_to(ROOT)}, {triples} triples compiled.")
    lines = [
        "| sheet | what | runs | median s | min-max s | target s |",
        "|---|---|---:|---:|---:|---:|",
        *(
            f"| {name} | {what} | {len(times)} | {statistics.median(times):.3f} | "
            f"{min(times):.3f}-{max(times):.3f} | {TARGET_SECONDS:.0f} |"
            for name, what, times in rows
        ),
        "",
        *notes,
    ]
    print("\n".join(lines))
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
