"""`treatykg build`: load, reason, validate, then swap the build's graphs into the store atomically."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from treatykg.cmd_common import add_store_option, examples, open_cli_store
from treatykg.errors import EXIT_OK


def add_build(subcommands: argparse._SubParsersAction) -> None:
    """Register `treatykg build`."""
    parser = subcommands.add_parser(
        "build",
        help="build the store: load, reason (OWL 2 RL), validate (SHACL), store",
        description=(
            "Load the ontology and every data file, infer OWL 2 RL consequences into the inferred graph, "
            "validate with the SHACL shapes, then replace the graphs the build owns (ontology, one per "
            "source, inferred) in the store in one transaction. Graphs written over HTTP are kept, and are "
            "reasoned over and validated too. A build that fails leaves the store exactly as it was."
        ),
        **examples("""
            treatykg build                                  # the packaged ontology and article data
            treatykg build --store /tmp/kg                  # into another store
            treatykg build --data graph/cfe-withdrawal-article.ttl --data my-article.ttl
            treatykg build --ontology treatykg.owl          # an ontology as Protégé saved it (RDF/XML)
            treatykg build --no-reason                      # skip OWL 2 RL (no inferred graph)

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
        help="data file(s) in any RDF syntax (default: the packaged graph/*.ttl)",
    )
    parser.add_argument(
        "--ontology", metavar="PATH", type=Path, help="the ontology file (default: the packaged ontology)"
    )
    parser.add_argument("--no-reason", action="store_true", help="skip OWL 2 RL reasoning")
    add_store_option(parser)
    parser.set_defaults(run=run_build)


def run_build(args: argparse.Namespace) -> int:
    """Build the store and print what it now holds."""
    from treatykg.graph.build import build, describe_result, load_inputs
    from treatykg.progress import Progress

    started = time.perf_counter()
    progress = Progress()
    # Files first: a bad file is reported before the store is even locked.
    inputs = load_inputs(args.ontology, args.data, progress)
    with open_cli_store(args, "build", create=True) as handle:
        result = build(handle, inputs, reasoned=not args.no_reason, progress=progress)
        for warning in result.report.results:
            print(describe_result(warning, inputs.files, inputs.graphs), file=sys.stderr)
        elapsed = time.perf_counter() - started
        print(f"built {handle.path}: store version {result.version.version} ({elapsed:.1f} s)")
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
