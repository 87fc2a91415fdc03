"""`treatykg conflicts`: where the sources disagree (the reconciled view's conflicts), with their quotes."""

from __future__ import annotations

import argparse
import json

from treatykg.cli.common import add_store_option, examples, open_cli_store
from treatykg.core.errors import EXIT_OK


def add_conflicts(subcommands: argparse._SubParsersAction) -> None:
    """Register `treatykg conflicts`."""
    parser = subcommands.add_parser(
        "conflicts",
        help="list where the sources disagree: typed conflicts with both sources' quotes",
        description=(
            "List the conflicts the build derives among the accounts of each act (the reconciled graph): "
            "time spans that do not overlap, order claims that form a cycle, differing claimed classes, "
            "agents or objects. Each names its kind, the act and, per source, the quotes its account rests "
            "on. The prepared query report-conflicts asks the same over SPARQL."
        ),
        **examples("""
            treatykg conflicts                              # text, one block per conflict
            treatykg conflicts --json                       # a JSON list

            exit codes: 0 listed (none is not an error), 2 could not run (no store, store in use)
        """),
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    add_store_option(parser)
    parser.set_defaults(run=run_conflicts)


def run_conflicts(args: argparse.Namespace) -> int:
    """Print the conflicts."""
    from treatykg.graph.query.conflicts import conflicts

    with open_cli_store(args, "conflicts") as handle:
        found = conflicts(handle)
    if args.json:
        print(json.dumps([conflict.to_json() for conflict in found], indent=2, ensure_ascii=False))
        return EXIT_OK
    for conflict in found:
        print(*conflict.lines(), sep="\n")
    print(f"{len(found)} conflict(s)")
    return EXIT_OK
