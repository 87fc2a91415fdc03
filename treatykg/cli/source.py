"""`treatykg source add`: keep a source's text byte for byte with a starting statement sheet."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path
from urllib.parse import quote

from treatykg.cli.common import add_base_option, add_store_option, examples, open_cli_embedded
from treatykg.cli.through import add_token_option, print_account, source_write
from treatykg.core.errors import EXIT_OK
from treatykg.graph.store.embedded import StoreInUse

KINDS = ("news", "statement", "note")


def add_source(subcommands: argparse._SubParsersAction) -> None:
    """Register `treatykg source` and its `add`, `remove` and `replace` subcommands."""
    parser = subcommands.add_parser(
        "source",
        help="add a source (its text and a starting statement sheet); remove or replace one in the store",
    )
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
    remove = actions.add_parser(
        "remove",
        help="retract a source added with `treatykg add SHEET` from the store",
        description=(
            "Retract a source from the store: its graph, and everything derived from it (the reconciled "
            "view is derived again without its accounts, and the inferences follow), reasoned, validated and "
            "committed in one transaction with provenance. A source the build compiles (a packaged sheet, a "
            "sheet under --data) is removed by taking its sheet out of the build's data and rebuilding. "
            "While `treatykg serve` holds the store this goes through it (DELETE /sources/SLUG, with "
            "--token)."
        ),
        **examples("""
            treatykg source remove nato-cfe-statement
            treatykg source remove report-b --store /tmp/kg --curator "A. Curator"

            exit codes: 0 removed, 1 the store without it would be invalid,
                        2 could not run (no such source, a build's source, store in use)
        """),
    )
    remove.add_argument("slug", metavar="SLUG", help="the source's slug (its graph is graph/source/SLUG)")
    replace = actions.add_parser(
        "replace",
        help="replace a source added with `treatykg add SHEET` by a new version of its sheet",
        description=(
            "Retract the source SLUG with everything derived from it and add SHEET (the same source's new "
            "sheet, its text beside it) in its place: compiled against the entity sheet and the store's "
            "acts, "
            "the reconciled view derived again, reasoned, validated and committed in ONE transaction with "
            "provenance. A sheet that does not compile, a SHACL Violation or an OWL RL inconsistency changes "
            "nothing. While `treatykg serve` holds the store this goes through it (PUT /sources/SLUG, with "
            "--token)."
        ),
        **examples("""
            treatykg source replace nato-cfe-statement sources/nato-cfe-statement/sheet.yaml
            TREATYKG_UPDATE_TOKEN=s3cret treatykg source replace report-b report-b/sheet.yaml

            exit codes: 0 replaced, 1 the sheet does not compile or the store with it would be invalid,
                        2 could not run (no such source, a build's source, another source's sheet)
        """),
    )
    replace.add_argument("slug", metavar="SLUG", help="the source's slug (its graph is graph/source/SLUG)")
    replace.add_argument("sheet", type=Path, metavar="SHEET", help="the source's new statement sheet")
    replace.add_argument(
        "--entities", type=Path, metavar="PATH", help="the sheet's entity sheet (default: the packaged one)"
    )
    for parser in (remove, replace):
        parser.add_argument(
            "--curator",
            default=getpass.getuser(),
            help="who does it (default: the user's login name; through a server, the token's name)",
        )
        add_base_option(parser)
        add_store_option(parser)
        add_token_option(parser)
    remove.set_defaults(run=run_source_remove)
    replace.set_defaults(run=run_source_replace)


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


def run_source_remove(args: argparse.Namespace) -> int:
    """Retract the source and say what changed."""
    from treatykg.server.writes.sources import remove_source

    refusal = "source remove works on an embedded store; rebuild the remote store without the source"
    try:
        handle = open_cli_embedded(args, "source remove", refusal)
    except StoreInUse:
        account = source_write(args, f"/sources/{quote(args.slug, safe='')}", "DELETE", None)
        print_account(account, "removed", "removed", "added")
        return EXIT_OK
    with handle:
        written = remove_source(handle, args.slug, args.curator, args.base)
        print(
            f"removed {written.graph} from {handle.path}: version {written.version.version}, "
            f"{written.removed} quads removed and {written.added} added with the reconciled view"
        )
    return EXIT_OK


def run_source_replace(args: argparse.Namespace) -> int:
    """Replace the source by the sheet and say what changed."""
    from treatykg.server.writes.sources import replace_source

    refusal = "source replace works on an embedded store; rebuild the remote store with the new sheet"
    try:
        handle = open_cli_embedded(args, "source replace", refusal)
    except StoreInUse:
        account = source_write(args, f"/sources/{quote(args.slug, safe='')}", "PUT", args.sheet)
        print_account(account, f"replaced with {args.sheet}:", "removed", "added")
        return EXIT_OK
    with handle:
        written, compiled = replace_source(
            handle, args.slug, args.sheet, args.curator, args.base, args.entities
        )
        print(*compiled.lines(), sep="\n")
        print(
            f"replaced with {args.sheet}: {written.graph} in {handle.path}: version "
            f"{written.version.version}, {written.removed} quads removed and {written.added} added with "
            "the reconciled view"
        )
    return EXIT_OK
