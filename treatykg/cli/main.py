"""The `treatykg` command: one subcommand per pipeline step, exit codes 0 ok / 1 invalid / 2 could not run."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from treatykg import __version__
from treatykg.cli.add import add_add
from treatykg.cli.admin import add_admin
from treatykg.cli.build import add_build
from treatykg.cli.conflicts import add_conflicts
from treatykg.cli.export import add_export
from treatykg.cli.generate import add_generate
from treatykg.cli.normalize import add_normalize
from treatykg.cli.query import add_query
from treatykg.cli.serve import add_serve
from treatykg.cli.sheet import add_sheet
from treatykg.cli.source import add_source
from treatykg.cli.status import add_status
from treatykg.cli.validate import add_validate
from treatykg.core import resources
from treatykg.core.errors import EXIT_OK, TreatyKGError


def add_info(subcommands: argparse._SubParsersAction) -> None:
    """Register `treatykg info`."""
    parser = subcommands.add_parser(
        "info",
        help="summarise an ontology or data file",
        description="Print the ontology IRI, version IRI and counts of declared entities of an RDF file.",
    )
    parser.add_argument(
        "file",
        nargs="?",
        type=Path,
        help="RDF file in any syntax TreatyKG reads (default: the packaged ontology)",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(run=run_info)


def run_info(args: argparse.Namespace) -> int:
    """Print the summary of one RDF file."""
    from treatykg.graph.rdf.load import load
    from treatykg.graph.rdf.summary import summarize

    summary = dataclasses.asdict(summarize(load(args.file or resources.ontology_file())))
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for key, value in summary.items():
            label = key.replace("_", " ").replace("iri", "IRI") + ":"
            print(f"{label:<23}{'(none)' if value is None else value}")
    return EXIT_OK


# Registering a subcommand is one edit: add its function here. Each one adds its parser and sets `run`
# (args -> exit code). Import heavy modules inside `run`, so `treatykg --help` and other commands stay fast.
SUBCOMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    add_info,
    add_build,
    add_add,
    add_validate,
    add_export,
    add_query,
    add_normalize,
    add_serve,
    add_generate,
    add_admin,
    add_source,
    add_sheet,
    add_conflicts,
    add_status,
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(prog="treatykg", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subcommands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for add_subcommand in SUBCOMMANDS:
        add_subcommand(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except TreatyKGError as error:
        # InputError renders as `file:line: message`, which editors and CI logs turn into links.
        print(error, file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:
        # `treatykg query … | head` closed the pipe: not an error; keep Python from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
