"""`treatykg build`: load, reason, validate, then swap the build's graphs into the store atomically."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from treatykg.cli.common import add_base_option, add_store_option, examples, open_cli_store
from treatykg.core import resources
from treatykg.core.errors import EXIT_OK

# `--engine auto` takes the fast engine when the data files are larger than this: about 5,000 triples of
# N-Triples, where the reference engine (owlrl + pySHACL) starts taking more than a few seconds.
AUTO_FAST_BYTES = 1 << 20


def add_build(subcommands: argparse._SubParsersAction) -> None:
    """Register `treatykg build`."""
    parser = subcommands.add_parser(
        "build",
        help="build the store: load, reason (OWL 2 RL), validate (SHACL), store",
        description=(
            "Load the ontology and every data file, infer OWL 2 RL consequences into the inferred graph, "
            "validate with the SHACL shapes, then replace the graphs the build owns (ontology, one per "
            "source, inferred) in the store in one transaction. Graphs written over HTTP are kept, and are "
            "reasoned over and validated too. A build that fails leaves the store exactly as it was. "
            "Two engines give the same graphs: the reference (rdflib, owlrl, pySHACL) and the fast one "
            "(OWL 2 RL rules and SHACL compiled to SPARQL, run by Oxigraph), which writes a new database "
            "and swaps it in."
        ),
        **examples("""
            treatykg build                                  # the packaged ontology, sheets and data files
            treatykg build --store /tmp/kg                  # into another store
            treatykg build --data my-sources/ graph/data/   # a curation folder's sheets and the links
            treatykg build --ontology treatykg.owl          # an ontology as Protégé saved it (RDF/XML)
            treatykg build --no-reason                      # skip OWL 2 RL (no inferred graph)
            treatykg build --engine fast --data big.nt      # a million triples in about a minute
            treatykg generate --triples 1000000 > big.nt    # synthetic data, under its own base:
            treatykg build --data big.nt --base https://example.org/treatykg-synthetic/

            exit codes: 0 built, 1 the data is invalid (SHACL violation, OWL RL inconsistency),
                        2 could not run (missing or unreadable file, syntax error, store in use)
        """),
    )
    parser.add_argument(
        "--data",
        metavar="PATH",
        type=Path,
        action="extend",
        nargs="+",
        help="data file(s) in any RDF syntax, statement sheets, or folders of either (default: the packaged "
        "sheets graph/sources/*/sheet.yaml and data files graph/data/*.ttl)",
    )
    parser.add_argument(
        "--ontology", metavar="PATH", type=Path, help="the ontology file (default: the packaged ontology)"
    )
    parser.add_argument("--no-reason", action="store_true", help="skip OWL 2 RL reasoning")
    add_base_option(parser)
    parser.add_argument(
        "--engine",
        choices=("auto", "reference", "fast"),
        default="auto",
        help=(
            "reference: rdflib + owlrl + pySHACL; fast: the same build in Oxigraph, for large data; "
            f"auto (default): fast when the data files total more than {AUTO_FAST_BYTES >> 20} MiB"
        ),
    )
    add_store_option(parser)
    parser.set_defaults(run=run_build)


def run_build(args: argparse.Namespace) -> int:
    """Build the store and print what it now holds."""
    from treatykg.core.progress import Progress
    from treatykg.graph.build.fast import FastInputs, build_fast, load_fast_inputs
    from treatykg.graph.build.reference import BuildResult, Inputs, build, describe_result, load_inputs

    started = time.perf_counter()
    progress = Progress()
    engine = choose_engine(args.engine, args.data)
    # Files first: a bad file is reported before the store is even locked.
    fast = engine == "fast"
    load_files: Callable[..., FastInputs | Inputs] = load_fast_inputs if fast else load_inputs
    run: Callable[..., BuildResult] = build_fast if fast else build
    inputs = load_files(args.ontology, args.data, progress)
    with open_cli_store(args, "build", create=True) as handle:
        result = run(handle, inputs, reasoned=not args.no_reason, base=args.base, progress=progress)
        for warning in result.report.results:
            print(describe_result(warning, inputs), file=sys.stderr)
        elapsed = time.perf_counter() - started
        print(
            f"built {handle.path} ({engine} engine): store version {result.version.version} ({elapsed:.1f} s)"
        )
    width = max(len(name) for name in result.graphs)
    for name, triples in sorted(result.graphs.items()):
        print(f"  {name:<{width}}  {triples:>9,} triples")
    kept = sorted(set(result.version.graph_quads) - set(result.graphs))
    for name in kept:
        print(f"  {name:<{width}}  {result.version.graph_quads[name]:>9,} triples (kept: not the build's)")
    if result.version.default_graph_quads:
        print(f"  {'(default graph)':<{width}}  {result.version.default_graph_quads:>9,} triples (kept)")
    if result.report.results:
        print(f"{len(result.report.results)} SHACL warning(s) or info(s), listed on stderr")
    return EXIT_OK


def choose_engine(engine: str, data: list[Path] | None) -> str:
    """The engine `--engine` names; for auto, fast when the data files are large."""
    if engine != "auto":
        return engine
    paths = data if data is not None else resources.data_files()
    # A missing file is not this function's to report: the loader names it with the right error.
    total = sum(path.stat().st_size for path in map(Path, paths) if path.is_file())
    return "fast" if total > AUTO_FAST_BYTES else "reference"
