"""`treatykg check`, `backup` and `restore`: directly on a store, or through the server that holds it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from treatykg.cli.common import add_store_option, examples, store_location
from treatykg.cli.through import add_token_option, ask_server, refused
from treatykg.core.errors import EXIT_ERROR, EXIT_INVALID, EXIT_OK, StoreError
from treatykg.graph.store.embedded import StoreInUse, open_store
from treatykg.graph.store.protocol import embedded_path


def add_admin(subcommands: argparse._SubParsersAction) -> None:
    """Register `treatykg check`, `backup` and `restore`."""
    check = subcommands.add_parser(
        "check",
        help="check a store: it opens, every quad reads back, counts match the last commit, data validates",
        description="Exit 0 if the store is sound, 1 if a check fails, 2 if it cannot be checked. While a "
        "server holds the store, the server runs the check (with --token or $TREATYKG_UPDATE_TOKEN).",
        **examples("""
            treatykg check --store /var/lib/treatykg/store
            treatykg check --engine reference                   # owlrl and pySHACL: small stores
            TREATYKG_UPDATE_TOKEN=s3cret treatykg check        # the store a running server holds
        """),
    )
    check.add_argument("--json", action="store_true", help="print the findings as JSON")
    check.add_argument(
        "--engine",
        choices=("compiled", "reference"),
        default="compiled",
        help=(
            "what recomputes the closure and validates: compiled (default; OWL 2 RL rules and SHACL as "
            "SPARQL in Oxigraph, for large stores) or reference (owlrl + pySHACL, the oracle, for small ones)"
        ),
    )
    check.set_defaults(run=run_check)
    for name, verb in (
        ("backup", "copy the store into PATH (a new directory)"),
        ("restore", "make the store's content that of the backup at PATH, as a new version"),
    ):
        parser = subcommands.add_parser(
            name,
            help=verb,
            description=verb.capitalize() + ". While a server "
            "holds the store it does this itself (--token or $TREATYKG_UPDATE_TOKEN).",
        )
        parser.add_argument("path", type=Path, help="the backup directory")
        parser.set_defaults(run=run_backup if name == "backup" else run_restore)
    for parser in (check, *(subcommands.choices[n] for n in ("backup", "restore"))):
        add_store_option(parser)
        add_token_option(parser)


def _embedded_store(args: argparse.Namespace) -> Path:
    """The embedded store's directory; a remote SPARQL store is checked and backed up with its own tools."""
    return embedded_path(
        store_location(args),
        "check, backup and restore work on an embedded store; "
        "use the remote store's own tools (e.g. `oxigraph backup`, Fuseki's /$/backup)",
    )


def _via_server(args: argparse.Namespace, route: str, body: dict) -> dict:
    """POST to the admin route of the server that holds the store."""
    answer = ask_server(args, route, json.dumps(body).encode())
    if answer.status != 200:
        raise refused(answer)
    result = answer.json()
    assert isinstance(result, dict)  # noqa: S101 - the admin routes answer JSON objects
    return result


def run_check(args: argparse.Namespace) -> int:
    """Check the store; 0 sound, 1 a check failed, 2 could not check."""
    from treatykg.graph.store.check import check_store
    from treatykg.server.writes.commit import recover

    try:
        with open_store(_embedded_store(args), holder="treatykg check", create=False) as handle:
            settled = recover(handle)
            report = check_store(handle, engine=args.engine).to_json()
            if settled:
                report["facts"].insert(0, f"settled a commit left pending: {settled}")
    except StoreInUse:
        report = _via_server(args, "/admin/check", {"engine": args.engine})
    except StoreError as error:
        print(f"cannot check: {error}", file=sys.stderr)
        return EXIT_ERROR
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for line in report["facts"]:
            print(line)
        for line in report["problems"]:
            print(f"problem: {line}")
        print("ok" if report["ok"] else "FAILED")
    return EXIT_OK if report["ok"] else EXIT_INVALID


def run_backup(args: argparse.Namespace) -> int:
    """Back up the store into a new directory."""
    from treatykg.graph.store.backup import backup_store

    path = args.path.resolve()
    if path.exists():
        raise StoreError(f"{path} exists; back up into a new directory")
    try:
        with open_store(_embedded_store(args), holder="treatykg backup", create=False) as handle:
            version = backup_store(handle, path)
    except StoreInUse:
        version = _via_server(args, "/admin/backup", {"path": str(path)})["version"]
    print(f"backed up store version {version} to {path}")
    return EXIT_OK


def run_restore(args: argparse.Namespace) -> int:
    """Restore the store's content from a backup."""
    from treatykg.server.query.engine import Engine

    path = args.path.resolve()
    try:
        with open_store(_embedded_store(args), holder="treatykg restore") as handle:
            engine = Engine(handle, workers=1)
            try:
                version = engine.restore(path, "treatykg restore")
            finally:
                engine.close()
    except StoreInUse:
        version = _via_server(args, "/admin/restore", {"path": str(path)})["version"]
    print(f"restored {path} as store version {version}")
    return EXIT_OK
