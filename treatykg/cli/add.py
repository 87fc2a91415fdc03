"""`treatykg add`: one more file into a built store, reasoned and validated incrementally, no rebuild."""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from pathlib import Path

from treatykg.cli.common import add_base_option, add_store_option, examples, open_cli_embedded
from treatykg.cli.through import add_token_option, print_account, source_write
from treatykg.core.errors import EXIT_OK
from treatykg.graph.store.embedded import StoreInUse


def add_add(subcommands: argparse._SubParsersAction) -> None:
    """Register `treatykg add`."""
    parser = subcommands.add_parser(
        "add",
        help="add one data file to a built store incrementally",
        description=(
            "Add the triples of one data file (one graph: Turtle, N-Triples, RDF/XML, JSON-LD) to a built "
            "store without a rebuild: its OWL 2 RL consequences are derived from the new triples alone, the "
            "nodes they affect are validated with the shapes, and triples and inferences commit in one "
            "transaction, or nothing does. The graph is named as a build would name the file; it is not "
            "the build's, so later builds keep it (as they keep graphs written over HTTP). A file that "
            "changes the schema needs a build. While `treatykg serve` holds the store, a sheet goes through "
            "its /sources route (with --token); PUT a data file to its Graph Store instead."
        ),
        **examples("""
            treatykg add my-article.ttl                     # into the default store
            treatykg add next.nt --store /tmp/kg --base https://example.org/treatykg-synthetic/

            exit codes: 0 added, 1 the data is invalid (SHACL violation, OWL RL inconsistency),
                        2 could not run (bad file, schema change, a graph the build owns, store in use)
        """),
    )
    parser.add_argument(
        "file",
        metavar="FILE|SHEET",
        type=Path,
        help="the data file, or a statement sheet (*.yaml) with its text",
    )
    parser.add_argument(
        "--curator",
        default=getpass.getuser(),
        help=(
            "who adds a sheet, for the write's provenance (default: the user's login name; through a server, "
            "the token's name)"
        ),
    )
    parser.add_argument(
        "--entities", type=Path, metavar="PATH", help="a sheet's entity sheet (default: the packaged one)"
    )
    parser.add_argument("--graph", metavar="IRI", help="the graph to add to (default: named by the file)")
    add_base_option(parser)
    add_store_option(parser)
    add_token_option(parser)
    parser.set_defaults(run=run_add)


def run_add(args: argparse.Namespace) -> int:
    """Add the file and print what changed."""
    from treatykg.graph.build.fast import add_file
    from treatykg.graph.build.reference import describe_result

    started = time.perf_counter()
    refusal = "add works on an embedded store; PUT the file to the remote store"
    if args.file.suffix in (".yaml", ".yml"):
        return _add_sheet(args, started)
    with open_cli_embedded(args, "add", refusal) as handle:
        inputs, report, version = add_file(handle, args.file, args.graph, args.base)
        for warning in report.results:
            print(describe_result(warning, inputs), file=sys.stderr)
        [(graph, _)] = inputs.files.items()
        elapsed = time.perf_counter() - started
        print(f"added {args.file} to {graph} in {handle.path}: version {version.version} ({elapsed:.1f} s)")
    if report.results:
        print(f"{len(report.results)} SHACL warning(s) or info(s), listed on stderr")
    return EXIT_OK


def _add_sheet(args: argparse.Namespace, started: float) -> int:
    """Compile the sheet and add its source with the reconciled view's change, in one transaction (through
    the server while one holds the store)."""
    from treatykg.graph.build.fast import FastInputs
    from treatykg.graph.build.reference import describe_result
    from treatykg.server.writes.sources import add_sheet

    refusal = "add works on an embedded store; build the remote store with the sheet's folder as --data"
    try:
        handle = open_cli_embedded(args, "add", refusal)
    except StoreInUse:
        account = source_write(args, "/sources", "POST", args.file)
        print_account(account, f"added {args.file} to", "added", "removed")
        return EXIT_OK
    with handle:
        written, compiled = add_sheet(handle, args.file, args.curator, args.base, args.entities)
        inputs = FastInputs(handle.store, Path(), {written.graph: args.file})
        for warning in written.report.results:
            print(describe_result(warning, inputs), file=sys.stderr)
        elapsed = time.perf_counter() - started
        print(*compiled.lines(), sep="\n")
        print(
            f"added {args.file} to {written.graph} in {handle.path}: version {written.version.version}, "
            f"{written.added} quads added and {written.removed} removed with the reconciled view "
            f"({elapsed:.1f} s)"
        )
    return EXIT_OK
