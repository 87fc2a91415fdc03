"""`treatykg status`: a state's status towards a treaty on a date, or over time, with what it rests on."""

from __future__ import annotations

import argparse
import json
from datetime import date

from treatykg.cli.common import add_store_option, examples, open_cli_store
from treatykg.core.errors import EXIT_OK


def day(text: str) -> date:
    """argparse type of --on: a day, YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day (YYYY-MM-DD): {text!r}") from None


def add_status(subcommands: argparse._SubParsersAction) -> None:
    """Register `treatykg status`."""
    parser = subcommands.add_parser(
        "status",
        help="a state's status towards a treaty on a date (or its whole history), with the acts behind it",
        description=(
            "Answer from the derived status graph: signatory, consented not in force, provisionally "
            "applying, "
            "party, suspended, denounced with the withdrawal pending, withdrawn, not party, unknown (no "
            "record), indeterminate (the day falls inside a deciding act's precision window, or that act is "
            "undated) or disputed (its accounts conflict), with the acts and sources it rests on, and the "
            "attributed, hypothetical or deprecated claims that change no status beside it. STATE and TREATY "
            "are names or aliases of the entity sheet (any case; the IRI's last segment too) or IRIs. "
            "The prepared queries status-on, status-history, parties-on and status-claims ask the same."
        ),
        **examples("""
            treatykg status russia cfe --on 2023-06-15      # one day
            treatykg status united-states cfe               # the whole history, as intervals
            treatykg status Russia CTBT --on 2024-01-01 --json

            exit codes: 0 answered (unknown is an answer), 2 could not run (unknown name, no store)
        """),
    )
    parser.add_argument("state", metavar="STATE", help="a state's name, alias or IRI")
    parser.add_argument("treaty", metavar="TREATY", help="a treaty's name, alias or IRI")
    parser.add_argument("--on", type=day, metavar="YYYY-MM-DD", help="the day (default: the whole history)")
    parser.add_argument("--json", action="store_true", help="print a JSON object")
    add_store_option(parser)
    parser.set_defaults(run=run_status)


def run_status(args: argparse.Namespace) -> int:
    """Print the answer."""
    from treatykg.graph.query.status import history, labels, resolve, status_on, store_runner
    from treatykg.graph.sources.entities import load_entities

    entities = load_entities()
    state, treaty = resolve(args.state, "State", entities), resolve(args.treaty, "Treaty", entities)
    with open_cli_store(args, "status") as handle:
        run = store_runner(handle)
        answer = status_on(run, state, treaty, args.on) if args.on else history(run, state, treaty)
    if args.json:
        print(json.dumps(answer.to_json(), indent=2, ensure_ascii=False))
        return EXIT_OK
    print(*answer.lines(labels(entities)), sep="\n")
    return EXIT_OK
