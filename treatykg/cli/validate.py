"""`treatykg validate`: check data files against the SHACL shapes, without touching the store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from treatykg.cli.common import examples
from treatykg.core.errors import EXIT_INVALID, EXIT_OK


def add_validate(subcommands: argparse._SubParsersAction) -> None:
    """Register `treatykg validate`."""
    parser = subcommands.add_parser(
        "validate",
        help="validate data files against the SHACL shapes (the store is not touched)",
        description=(
            "Load the ontology and the data files, infer OWL 2 RL consequences (as the build does), and "
            "validate with the SHACL shapes. One line per result: the file stating the focus node, the "
            "severity, the focus node, the path, the value and the message. Conforms means no sh:Violation; "
            "warnings are printed but never fail. --format turtle prints the W3C validation report instead."
        ),
        **examples("""
            treatykg validate                                   # the packaged sheets and data
            treatykg validate my-article.ttl
            treatykg validate graph/sources/cfe-withdrawal-article --format turtle > report.ttl

            exit codes: 0 conforms (warnings allowed), 1 does not conform (a violation, or an OWL RL
                        inconsistency), 2 could not run (missing or unreadable file, syntax error)
        """),
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        type=Path,
        help="data file(s) in any RDF syntax, statement sheets, or folders of either (default: the packaged "
        "sheets and data files)",
    )
    parser.add_argument(
        "--ontology", metavar="PATH", type=Path, help="the ontology file (default: the packaged ontology)"
    )
    parser.add_argument("--no-reason", action="store_true", help="validate the asserted triples only")
    parser.add_argument("--format", choices=("text", "turtle"), default="text", help="report format")
    parser.set_defaults(run=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    """Validate and print the report."""
    from treatykg.core.iris import RECONCILED_GRAPH
    from treatykg.core.progress import Progress
    from treatykg.graph.build.reference import check, describe_result, load_inputs
    from treatykg.graph.derive.reconcile import reconciled_graph
    from treatykg.graph.semantics.report import report_graph
    from treatykg.graph.semantics.shapes import load_shapes

    inputs = load_inputs(args.ontology, args.paths or None, Progress())
    # The acts' status, span and order are the reconciled view of their accounts, validated with them.
    inputs.graphs[RECONCILED_GRAPH] = reconciled_graph(inputs.graphs.values())
    _, report = check(inputs, {}, reasoned=not args.no_reason)
    if args.format == "turtle":
        sys.stdout.write(report_graph(report, load_shapes()).serialize(format="turtle"))
    else:
        for result in report.results:
            print(describe_result(result, inputs))
        verdict = "conforms" if report.conforms else "does not conform"
        print(f"{verdict}: {len(report.violations)} violation(s), {len(report.warnings)} warning(s)")
    return EXIT_OK if report.conforms else EXIT_INVALID
