"""What the store-using subcommands share: the --store option and opening the store by command name."""

from __future__ import annotations

import argparse
import os
import textwrap

from treatykg.core.iris import BASE
from treatykg.graph.store.embedded import STORE_ENV, OpenStore, default_store_path, open_store
from treatykg.graph.store.protocol import Store, embedded_path, open_location


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """Add `--store PATH` (precedence: the flag, then $TREATYKG_STORE, then the per-user default)."""
    parser.add_argument(
        "--store",
        metavar="PATH|URL",
        help=(
            f"the store directory, or a remote SPARQL store sparql+http(s)://host:port/… "
            f"(default: ${STORE_ENV}, else {default_store_path()})"
        ),
    )


def add_base_option(parser: argparse.ArgumentParser) -> None:
    """Add `--base IRI`: the IRI base the shapes expect instance IRIs under."""
    parser.add_argument(
        "--base",
        metavar="IRI",
        default=BASE,
        type=iri_base,
        help=f"the IRI base the shapes expect instance IRIs under (default: {BASE})",
    )


def iri_base(text: str) -> str:
    """argparse type of --base: an absolute http(s) IRI ending in '/'."""
    from treatykg.graph.semantics.shapes import check_base

    try:
        check_base(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def store_location(args: argparse.Namespace) -> str | None:
    """The store the arguments name: `--store`, else $TREATYKG_STORE (None: the per-user default)."""
    return args.store or os.environ.get(STORE_ENV)


def open_cli_store(args: argparse.Namespace, command: str, create: bool = False) -> Store:
    """Open the store the arguments name, holding it as `treatykg <command>`; StoreInUse if it is held."""
    # Only a build creates a store: a query or export of a mistyped path should say so, not make one.
    return open_location(store_location(args), holder=f"treatykg {command}", create=create)


def open_cli_embedded(args: argparse.Namespace, command: str, refusal: str) -> OpenStore:
    """Open the embedded store the arguments name, as open_cli_store; StoreError `refusal` if remote."""
    path = embedded_path(store_location(args), refusal)
    return open_store(path, holder=f"treatykg {command}", create=False)


def examples(text: str) -> dict:
    """argparse keyword arguments for a help epilog of examples, printed as written."""
    return {
        "epilog": "examples:\n" + textwrap.indent(textwrap.dedent(text).strip("\n"), "  "),
        "formatter_class": argparse.RawDescriptionHelpFormatter,
    }
