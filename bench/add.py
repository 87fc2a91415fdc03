"""`treatykg add` of a 30-statement sheet into a store built from 1M generated triples, then `treatykg source
replace` and `source remove` of that source, and compiling the seed article's sheet. Prints a table (and
writes it with --markdown).

    .venv/bin/python bench/add.py [--triples 1000000] [--seed 1] [--repeat 3] [--markdown FILE]

The data comes from `treatykg generate`'s generator (before any clock starts, in a temporary folder removed at
the end), and `treatykg build --base https://example.org/treatykg-synthetic/` makes the store. The sheet is
derived from the generator's world: its text and 30 statements (signings, ratifications, suspensions of
participation, and declarations with their propositions, one sentence each) name the generator's most
connected states, alliances and treaties (counted by the triples that mention them in the generated data),
listed in an entity sheet under the synthetic base; the replacement sheet is the same source without its last
three statements. Each run works on its own copy of the built store (copied before the clock starts):
`treatykg add SHEET --entities … --base …`, `treatykg source replace SLUG REPLACEMENT --entities …` and
`treatykg source remove SLUG` in fresh processes (wall clock, Python's start-up included), then
`server.writes.sources` add_sheet, replace_source and remove_source in this process, one after the other on
a second copy (the store opened before the clocks start). Target for the add: under 2 s. The seed article's
sheet is compiled as bench/sheets.py does (target under 1 s).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sheets import SHEETS, fresh_process, in_process

TREATYKG = str(Path(sys.executable).parent / "treatykg")
SLUG = "bench-add-article"
STATEMENTS = 30
TARGET_ADD, TARGET_COMPILE = 2.0, 1.0
# How many of the most-connected entities of each kind the sheet names (11 in all).
NAMED = {"state": 5, "alliance": 2, "treaty": 4}
CLASSES = {"state": "State", "alliance": "Alliance", "treaty": "Treaty"}


def generate(triples: int, seed: int, folder: Path):
    """The generated N-Triples file, and the generator (its world holds the entities' names)."""
    from treatykg.graph.synthetic.generate import Generator, write_ntriples

    generator = Generator(seed)
    data = folder / f"synthetic-{triples}-{seed}.nt"
    with data.open("wb") as stream:
        write_ntriples(stream, generator.lines(triples))
    return data, generator


def most_connected(data: Path, generator) -> dict[str, list]:
    """Per kind, the world's entities mentioned by the most triples of the data, most first."""
    from treatykg.core.iris import SYNTHETIC_BASE

    things = {
        f"<{SYNTHETIC_BASE}{thing.path}>": (kind, thing)
        for kind in NAMED
        for thing in generator.world.pools[kind]
    }
    counts: Counter[str] = Counter()
    with data.open(encoding="utf-8") as stream:
        for line in stream:
            subject, _, rest = line.partition(" ")
            if subject in things:
                counts[subject] += 1
            target = rest.partition(" ")[2].rstrip(" .\n")
            if target in things:
                counts[target] += 1
    ranked: dict[str, list] = {kind: [] for kind in NAMED}
    for iri, count in counts.most_common():
        kind, thing = things[iri]
        if len(ranked[kind]) < NAMED[kind]:
            ranked[kind].append((thing, iri.strip("<>"), count))
    return ranked


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_sheet(folder: Path, ranked: dict[str, list]) -> tuple[Path, Path]:
    """The entity sheet, and the source (text and 30-statement sheet) naming the ranked entities."""
    entity_lines = ["entities:"]
    for kind, entries in ranked.items():
        for thing, iri, _ in entries:
            entity_lines += [
                f"  - iri: {iri}",
                f"    class: {CLASSES[kind]}",
                f"    label: {_quoted(thing.name)}",
            ]
    entity_sheet = folder / "entities.yaml"
    entity_sheet.write_text("\n".join(entity_lines) + "\n", encoding="utf-8")
    states = [thing.name for thing, _, _ in ranked["state"]]
    alliances = [thing.name for thing, _, _ in ranked["alliance"]]
    treaties = [thing.name for thing, _, _ in ranked["treaty"]]
    sentences, statements = [], []
    welcomed: Counter[str] = Counter()  # a proposition's quote repeats: which occurrence each one is
    for number in range(STATEMENTS):
        year = str(1961 + number)
        treaty = treaties[number % len(treaties)]
        state = states[number % len(states)]
        pattern = number % 4
        if pattern == 3:
            alliance = alliances[number % len(alliances)]
            sentence = f"In {year} the {alliance} welcomed the {treaty}"
            welcomed[treaty] += 1
            quote = f'{{text: {_quoted(f"welcomed the {treaty}")}, occurrence: "{welcomed[treaty]}"}}'
            statements.append(
                f"  - key: declaration-{number + 1}\n    class: Declaration\n"
                f"    speaker: {_quoted(alliance)}\n"
                f'    time: "{year}"\n    content:\n      - key: welcome-{number + 1}\n'
                f"        label: {_quoted(f'The {treaty} is welcome')}\n        about: {_quoted(treaty)}\n"
                f"        quote: {quote}\n    quote: {_quoted(sentence)}\n"
            )
        else:
            cls, verb = (
                ("Signing", "signed"),
                ("Ratification", "ratified"),
                ("SuspensionOfParticipation", "suspended its participation in"),
            )[pattern]
            sentence = f"In {year} {state} {verb} the {treaty}"
            statements.append(
                f"  - key: act-{number + 1}\n    class: {cls}\n    agent: {_quoted(state)}\n"
                f'    object: {_quoted(treaty)}\n    time: "{year}"\n    quote: {_quoted(sentence)}\n'
            )
        sentences.append(sentence + ".")
    source = folder / SLUG
    source.mkdir()
    text = (
        "Invented for benchmarks: a report on treaties of the synthetic world\n" + "\n".join(sentences) + "\n"
    )
    (source / "text.txt").write_text(text, encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    rows = ['  - heading: "Invented for benchmarks: a report on treaties of the synthetic world"']
    rows += [f"  - sentence: {_quoted(sentence)}" for sentence in sentences]
    sheet = source / "sheet.yaml"
    sheet.write_text(
        f"source:\n  slug: {SLUG}\n  kind: news\n  text: text.txt\n  sha256: {digest}\n"
        f'  title: "Invented report for the add benchmark"\nsentences:\n'
        + "\n".join(rows)
        + "\nstatements:\n"
        + "".join(statements),
        encoding="utf-8",
    )
    return entity_sheet, sheet


def write_replacement(sheet: Path, dropped: int = 3) -> Path:
    """The source's sheet without its last `dropped` statements, beside it (a replace that retracts acts)."""
    head, marker, body = sheet.read_text(encoding="utf-8").partition("\nstatements:\n")
    statements = body.split("\n  - key: ")
    replacement = sheet.with_name("replacement.yaml")
    replacement.write_text(head + marker + "\n  - key: ".join(statements[:-dropped]), encoding="utf-8")
    return replacement


def command(*argv: str) -> tuple[float, str]:
    """Wall-clock seconds and standard output of `treatykg ARGV` in a new process."""
    started = time.perf_counter()
    done = subprocess.run([TREATYKG, *argv], check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"treatykg {' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    return time.perf_counter() - started, done.stdout


def in_process_runs(store: Path, sheet: Path, replacement: Path, entity_sheet: Path) -> list[float]:
    """Seconds of add_sheet, replace_source and remove_source in this process, one after the other, the
    store opened before the clocks start."""
    from treatykg.core.iris import SYNTHETIC_BASE
    from treatykg.graph.store.embedded import open_store
    from treatykg.server.writes.sources import add_sheet, remove_source, replace_source

    writes = [
        lambda handle: add_sheet(handle, sheet, "bench", SYNTHETIC_BASE, entity_sheet),
        lambda handle: replace_source(handle, SLUG, replacement, "bench", SYNTHETIC_BASE, entity_sheet),
        lambda handle: remove_source(handle, SLUG, "bench", SYNTHETIC_BASE),
    ]
    seconds = []
    with open_store(store, holder="bench/add.py") as handle:
        for write in writes:
            started = time.perf_counter()
            write(handle)
            seconds.append(time.perf_counter() - started)
    return seconds


def row(what: str, data: str, times: list[float], target: float | None) -> str:
    """A table row: runs, median, min-max, target."""
    spread = f"{min(times):.2f}-{max(times):.2f}"
    goal = f"{target:g}" if target is not None else "—"
    return f"| {what} | {data} | {len(times)} | {statistics.median(times):.2f} | {spread} | {goal} |"


def machine() -> str:
    """Cores, memory and the load average now."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    system = f"{platform.system()} {platform.machine()}"
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, {system}; load average {load}"


def main() -> int:
    """Generate, build, measure, print (and write) the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    from treatykg.core.iris import SYNTHETIC_BASE

    load_before = machine()
    with tempfile.TemporaryDirectory(prefix="treatykg-bench-add-") as scratch:
        folder = Path(scratch)
        data, generator = generate(args.triples, args.seed, folder)
        ranked = most_connected(data, generator)
        entity_sheet, sheet = write_sheet(folder, ranked)
        store = folder / "store"
        base = ("--base", SYNTHETIC_BASE, "--store", str(store))
        build_seconds, _ = command("build", "--engine", "fast", "--data", str(data), *base)
        replacement = write_replacement(sheet)
        cli: dict[str, list[float]] = {"add": [], "replace": [], "remove": []}
        own: dict[str, list[float]] = {"add": [], "replace": [], "remove": []}
        counts = ""
        for run in range(args.repeat):
            copy = folder / f"run-{run}"
            shutil.copytree(store, copy)
            target = ("--base", SYNTHETIC_BASE, "--store", str(copy))
            entities = ("--entities", str(entity_sheet), "--curator", "bench")
            seconds, out = command("add", str(sheet), *entities, *target)
            cli["add"].append(seconds)
            counts = re.search(r"(\d+) quads added", out.splitlines()[-1]).group(1)  # type: ignore[union-attr]
            seconds, _ = command("source", "replace", SLUG, str(replacement), *entities, *target)
            cli["replace"].append(seconds)
            seconds, _ = command("source", "remove", SLUG, "--curator", "bench", *target)
            cli["remove"].append(seconds)
            shutil.rmtree(copy)
            shutil.copytree(store, copy)
            for name, seconds in zip(
                own, in_process_runs(copy, sheet, replacement, entity_sheet), strict=True
            ):
                own[name].append(seconds)
            shutil.rmtree(copy)
    first, rest, triples = in_process(SHEETS["packaged article"], 20)
    fresh = fresh_process(SHEETS["packaged article"], max(3, args.repeat), known=False)
    data_name = f"{args.triples:,} generated triples (seed {args.seed})"
    lines = [
        "| what | data | runs | median s | min-max s | target s |",
        "|---|---|---:|---:|---:|---:|",
        row("`treatykg build --engine fast --base …` (the store; context)", data_name, [build_seconds], None),
        row(
            f"`treatykg add SHEET --entities … --base …` ({STATEMENTS} statements; fresh process)",
            data_name,
            cli["add"],
            TARGET_ADD,
        ),
        row("`add_sheet` in process (store open)", data_name, own["add"], TARGET_ADD),
        row(
            "`treatykg source replace SLUG REPLACEMENT --entities …` (3 statements fewer; fresh process)",
            data_name,
            cli["replace"],
            None,
        ),
        row("`replace_source` in process (store open)", data_name, own["replace"], None),
        row("`treatykg source remove SLUG` (fresh process)", data_name, cli["remove"], None),
        row("`remove_source` in process (store open)", data_name, own["remove"], None),
        row(
            "`compile_sheet` of the seed article's sheet (warm; first run apart)",
            f"{triples} triples",
            rest,
            TARGET_COMPILE,
        ),
        row(
            "`treatykg sheet compile --dry-run --known` of it (fresh process)",
            f"{triples} triples",
            fresh,
            TARGET_COMPILE,
        ),
    ]
    named = "; ".join(
        f"{kind}: " + ", ".join(f"{thing.name} ({count:,} triples)" for thing, _, count in entries)
        for kind, entries in ranked.items()
    )
    date = datetime.date.today().isoformat()
    report = "\n".join(
        [
            "# bench/add.py: `treatykg add` of a sheet into a generated store; compiling the article's sheet",
            "",
            f"Measured {date} with `.venv/bin/python bench/add.py --triples {args.triples} "
            f"--seed {args.seed} --repeat {args.repeat}`; the table is the script's output.",
            f"Machine: {load_before} at the start; {machine().rsplit('; ', 1)[1]} at the end.",
            "",
            *lines,
            "",
            f"The sheet ({STATEMENTS} statements, {counts} quads added with the reconciled view, inferences "
            f"aside) names the generator's most-connected entities — {named}. The first in-process compile "
            f"of the seed article's sheet took {first:.2f} s (it builds the JSON Schema validator).",
            "",
        ]
    )
    print(report)
    if args.markdown:
        args.markdown.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
