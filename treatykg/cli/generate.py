"""`treatykg generate`: synthetic benchmark data as N-Triples on standard output."""

from __future__ import annotations

import argparse
import os
import sys

from treatykg.cli.common import examples
from treatykg.core.errors import EXIT_OK


def _positive(text: str) -> int:
    """A positive integer argument."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_generate(subcommands: argparse._SubParsersAction) -> None:
    """Register `treatykg generate`."""
    parser = subcommands.add_parser(
        "generate",
        help="write synthetic benchmark data (N-Triples) to standard output",
        description=(
            "Write about N triples of invented articles (states, alliances, treaties, treaty acts, speech "
            "acts, time spans, sources with sentence tables and anchored spans) under "
            "https://example.org/treatykg-synthetic/, so they can never pass for real facts. The same seed "
            "gives byte-identical output; the data conforms to the shapes for that base."
        ),
        **examples("""
            treatykg generate --triples 10000 > synthetic-10k.nt
            treatykg generate --triples 1000000 --seed 7 | gzip > synthetic-1m.nt.gz
        """),
    )
    parser.add_argument(
        "--triples", type=_positive, required=True, metavar="N", help="about how many triples"
    )
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default: 0)")
    parser.set_defaults(run=run_generate)


def run_generate(args: argparse.Namespace) -> int:
    """Stream the generated triples to standard output."""
    from treatykg.graph.synthetic.generate import generate_lines, write_ntriples

    try:
        write_ntriples(sys.stdout.buffer, generate_lines(args.triples, args.seed))
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        # A reader that stops early (`| head`) is not an error; point stdout at devnull so the interpreter's
        # final flush doesn't raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK
