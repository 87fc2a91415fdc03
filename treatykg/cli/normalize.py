"""`treatykg normalize`: rewrite a Turtle file in the canonical, diff-friendly form."""

from __future__ import annotations

import argparse
from pathlib import Path

from treatykg.cli.common import examples
from treatykg.core.errors import EXIT_INVALID, EXIT_OK


def add_normalize(subcommands: argparse._SubParsersAction) -> None:
    """Register `treatykg normalize`."""
    parser = subcommands.add_parser(
        "normalize",
        help="rewrite a Turtle file canonically (sorted, stable prefixes, canonical blank nodes)",
        description=(
            "Rewrite the file as canonical Turtle: the owl:Ontology header first, then subjects, predicates "
            "and objects sorted, one predicate per line, canonical blank nodes, only the prefixes used. The "
            "same graph always gives the same bytes, so a second run changes nothing and diffs show only "
            "real edits. The file's opening comment block is kept; other comments are not (Turtle parsers "
            "drop them). Protégé (the OWL API) opens the result with no unparsed triples."
        ),
        **examples("""
            treatykg normalize                           # the ontology editors' file
            treatykg normalize graph/data/wikidata-links.ttl
            treatykg normalize --check ontology/treatykg.ttl   # in CI: exit 1 if not normalized

            exit codes: 0 normalized (or already was), 1 --check and the file is not normalized,
                        2 could not run (missing file, syntax error, not Turtle)
        """),
    )
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        metavar="PATH",
        help="the Turtle file (default: the packaged ontology, ontology/treatykg.ttl)",
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if the file would change"
    )
    parser.set_defaults(run=run_normalize)


def run_normalize(args: argparse.Namespace) -> int:
    """Normalize the file and say whether it changed."""
    from treatykg.core import resources
    from treatykg.graph.rdf.normalize import normalize

    path = args.path or resources.ontology_file()
    changed = normalize(path, check_only=args.check)
    if args.check:
        print(f"{path}: {'not normalized' if changed else 'normalized'}")
        return EXIT_INVALID if changed else EXIT_OK
    print(f"{path}: {'rewritten' if changed else 'unchanged'}")
    return EXIT_OK
