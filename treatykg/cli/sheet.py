"""`treatykg sheet compile`: compile a statement sheet into its source's RDF, writing minted IRIs back."""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import quote

from treatykg.cli.common import add_store_option, examples, open_cli_embedded
from treatykg.cli.through import add_token_option, ask_server, refused
from treatykg.core.errors import EXIT_OK, InputError
from treatykg.graph.store.embedded import StoreInUse


def add_sheet(subcommands: argparse._SubParsersAction) -> None:
    """Register `treatykg sheet` and its `compile` and `export` subcommands."""
    parser = subcommands.add_parser(
        "sheet", help="compile a statement sheet into RDF, or export one from the store"
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    compile_ = actions.add_parser(
        "compile",
        help="compile a sheet; report joins, mints and claims; write minted IRIs back",
        description=(
            "Compile SHEET against the entity sheet and the acts already known (those of the --known "
            "RDF files, default the packaged graph/data/*.ttl): quotes become code-point spans in their "
            "sentences, names become IRIs. Prints one line per join (a known node reused), mint (a new IRI) "
            "and claim (a class, agent or object the source claims differently), then writes each minted or "
            "joined IRI back into the sheet as an `iri:` key. Every problem is printed as file:line."
        ),
        **examples("""
            treatykg sheet compile sources/my-article/sheet.yaml --dry-run
            treatykg sheet compile sources/my-article/sheet.yaml --output my-article.ttl

            exit codes: 0 compiled, 1 the sheet does not compile (every problem listed),
                        2 could not run (a missing file)
        """),
    )
    compile_.add_argument("sheet", type=Path, metavar="SHEET", help="the statement sheet (YAML)")
    compile_.add_argument(
        "--entities", type=Path, metavar="PATH", help="entity sheet (default: the packaged one)"
    )
    compile_.add_argument(
        "--known", type=Path, nargs="*", metavar="PATH", help="RDF files whose acts a statement may join"
    )
    compile_.add_argument("--output", type=Path, metavar="FILE", help="write the source's graph as Turtle")
    compile_.add_argument("--dry-run", action="store_true", help="report only: write neither IRIs nor output")
    compile_.set_defaults(run=run_sheet_compile)
    export = actions.add_parser(
        "export",
        help="regenerate a source's statement sheet (and its text) from the store",
        description=(
            "Regenerate the statement sheet of SOURCE (a slug) from the store's graph of it, with its text, "
            "into DIR/SOURCE/sheet.yaml and DIR/SOURCE/text.txt: every act and proposition keeps its IRI, "
            "names are the entity sheet's labels where unambiguous, and the sheet compiles to the same "
            "graph. The sheet in the curation folder is the authoritative copy (its comments are not in the "
            "graph): an existing sheet is never overwritten. While `treatykg serve` holds the store this "
            "goes through it (GET /sources/SOURCE)."
        ),
        **examples("""
            treatykg sheet export cfe-withdrawal-article --into recovered
            treatykg sheet export nato-cfe-statement --store /tmp/kg

            exit codes: 0 exported, 2 could not run (no such source, the sheet exists, store error)
        """),
    )
    export.add_argument("source", metavar="SOURCE", help="the source's slug (graph/source/SOURCE)")
    export.add_argument(
        "--into", type=Path, default=Path("sources"), metavar="DIR", help="curation folder (./sources)"
    )
    add_store_option(export)
    add_token_option(export)
    export.set_defaults(run=run_sheet_export)


def run_sheet_compile(args: argparse.Namespace) -> int:
    """Compile, report, and (unless --dry-run) write back and out."""
    from treatykg.core import resources
    from treatykg.graph.rdf.load import load
    from treatykg.graph.sources.compile import compile_sheet
    from treatykg.graph.sources.entities import load_entities
    from treatykg.graph.sources.writeback import write_back

    entities = load_entities(args.entities)
    for path in resources.data_files() if args.known is None else args.known:
        entities.add_acts(load(path))
    graph, report = compile_sheet(args.sheet, entities)
    for line in report.lines():
        print(line)
    if args.dry_run:
        print(f"dry run: nothing written ({len(report.writebacks)} IRI(s) to write back)")
        return EXIT_OK
    written = write_back(args.sheet, report.writebacks, report.sheet_text)
    if written:
        print(f"wrote {written} IRI(s) back into {args.sheet}")
    if args.output:
        args.output.write_text(graph.serialize(format="turtle"), encoding="utf-8")
        print(f"wrote <{report.graph_name}> to {args.output}")
    return EXIT_OK


def run_sheet_export(args: argparse.Namespace) -> int:
    """Export the sheet and its text into the curation folder."""
    from treatykg.graph.sources.export import TEXT_NAME, export_from_store
    from treatykg.graph.sources.ingest import SHEET_NAME

    folder = args.into / args.source
    if (folder / SHEET_NAME).exists():
        raise InputError(
            "a sheet is there already: the curation folder's sheet is the authoritative copy; export "
            "into another folder (--into)",
            folder / SHEET_NAME,
        )
    refusal = "sheet export works on an embedded store"
    try:
        handle = open_cli_embedded(args, "sheet export", refusal)
    except StoreInUse:
        answer = ask_server(args, f"/sources/{quote(args.source, safe='')}", None, "GET")
        if answer.status != 200:
            raise refused(answer) from None
        body = answer.json()
        assert isinstance(body, dict)  # noqa: S101 - the route answers {"sheet": ..., "text": ...}
        sheet, text = body["sheet"], body["text"]
    else:
        with handle:
            exported = export_from_store(handle.store, args.source)
        sheet, text = exported.sheet, exported.text
    folder.mkdir(parents=True, exist_ok=True)
    # Bytes as the store holds them: no newline translation, so the SHA-256 matches the sheet's.
    (folder / TEXT_NAME).write_bytes(text.encode("utf-8"))
    (folder / SHEET_NAME).write_bytes(sheet.encode("utf-8"))
    print(f"exported {args.source} to {folder / SHEET_NAME} (with {TEXT_NAME})")
    return EXIT_OK
