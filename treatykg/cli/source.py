"""`treatykg source add`: keep a source's text byte for byte with a starting statement sheet."""

from __future__ import annotations

import argparse
from pathlib import Path

from treatykg.cli.common import examples
from treatykg.core.errors import EXIT_OK

KINDS = ("news", "statement", "note")


def add_source(subcommands: argparse._SubParsersAction) -> None:
    """Register `treatykg source` and its `add` subcommand."""
    parser = subcommands.add_parser("source", help="add a source (its text and a starting statement sheet)")
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        help="copy a text into DIR/<slug>/ with a starting sheet.yaml",
        description=(
            "Copy the text byte for byte into DIR/<slug>/text.txt and write DIR/<slug>/sheet.yaml: the "
            "metadata, the text's SHA-256 and the sentence table the segmenter proposes, for the curator to "
            "correct and fill with statements (docs/curating.md). The same text (by SHA-256) as a source "
            "under DIR or a packaged one is refused, naming it."
        ),
        **examples("""
            treatykg source add article.txt --title "Russia leaves the CFE" --publisher "Example News"
            treatykg source add note.txt --kind note --slug cfe-record --into my-sources

            exit codes: 0 added, 1 refused (the text or slug is already a source),
                        2 could not run (unreadable or non-UTF-8 text)
        """),
    )
    add.add_argument("text", type=Path, metavar="TEXT", help="the source's text file (UTF-8)")
    add.add_argument(
        "--kind", choices=KINDS, default="news", help="news article, official statement or curated note"
    )
    add.add_argument("--slug", help="the source's slug (default: from the file name)")
    add.add_argument(
        "--into",
        type=Path,
        default=Path("sources"),
        metavar="DIR",
        help="curation folder (default: ./sources)",
    )
    for name in ("title", "publisher", "url", "published", "language", "rights"):
        add.add_argument(f"--{name}", help=f"the source's {name}")
    add.set_defaults(run=run_source_add)


def run_source_add(args: argparse.Namespace) -> int:
    """Add the source and say where."""
    from treatykg.graph.sources.ingest import SHEET_NAME, add_source
    from treatykg.graph.sources.yamlsafe import Sequence, read_yaml

    metadata = {
        name: getattr(args, name) for name in ("title", "publisher", "url", "published", "language", "rights")
    }
    folder = add_source(args.text, args.into, args.kind, args.slug, {k: v for k, v in metadata.items() if v})
    sheet = read_yaml(folder / SHEET_NAME)
    rows = sheet.get("sentences") if isinstance(sheet, dict) else None
    count = len(rows) if isinstance(rows, Sequence) else 0
    print(f"added {folder}: {count} sentence-table rows proposed in {folder / SHEET_NAME}")
    return EXIT_OK
