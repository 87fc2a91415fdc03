"""`treatykg export`: dumps of the store, a VoID + DCAT description and a JSON-LD context."""

from __future__ import annotations

import argparse
from pathlib import Path

from treatykg.cli.common import add_store_option, examples, open_cli_store
from treatykg.core.errors import EXIT_OK, StoreError

FORMAT_NAMES = ("ttl", "nt", "nq", "trig", "jsonld", "rdfxml")


def add_export(subcommands: argparse._SubParsersAction) -> None:
    """Register `treatykg export`."""
    parser = subcommands.add_parser(
        "export",
        help="write dumps, void.ttl and context.jsonld",
        description=(
            "Write the store as linked data into DIR: for each format, ontology.EXT, asserted.EXT (every "
            "graph but the ontology and the inferred graph) and inferred.EXT, plus dataset.EXT with every "
            "named graph for the quad formats (nq, trig, jsonld; triple formats can't name graphs); "
            "void.ttl (VoID + DCAT: counts, partitions, licence, dumps, endpoint, build provenance) and "
            "context.jsonld. "
            "The same store content gives byte-identical files."
        ),
        **examples("""
            treatykg export                         # every format into out/
            treatykg export --format ttl --format nq --out /tmp/dumps
            treatykg export --format jsonld         # JSON-LD with the context inline

            exit codes: 0 written, 2 could not run (empty store, store in use, unwritable folder)
        """),
    )
    parser.add_argument(
        "--format",
        dest="formats",
        action="append",
        choices=FORMAT_NAMES,
        help="a dump format; repeat for several (default: all)",
    )
    parser.add_argument(
        "--out", metavar="DIR", type=Path, default=Path("out"), help="output folder (default: out/)"
    )
    add_store_option(parser)
    parser.set_defaults(run=run_export)


def run_export(args: argparse.Namespace) -> int:
    """Export the store and list the files written."""
    from treatykg.core.progress import Progress
    from treatykg.graph.export.dumps import export

    progress = Progress()
    formats = list(dict.fromkeys(args.formats or FORMAT_NAMES))
    with open_cli_store(args, "export") as handle:
        if handle.version().version == 0 and not any(True for _ in handle.store.named_graphs()):
            raise StoreError(f"{handle.path}: the store is empty; run `treatykg build` first")
        try:
            written = export(handle.store, args.out, formats, handle.version().build, progress=progress.done)
        except OSError as error:
            raise StoreError(f"{args.out}: cannot write the export: {error.strerror or error}") from None
    for path in written:
        print(path)
    return EXIT_OK
