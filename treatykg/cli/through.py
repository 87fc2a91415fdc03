"""Commands on a store a server holds go through that server: its loopback URL (which it writes into the
store's directory) and the update token (--token or $TREATYKG_UPDATE_TOKEN)."""

from __future__ import annotations

import argparse
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from treatykg.core.errors import InputError, StoreError, ValidationFailed
from treatykg.graph.sources.compile import Outcome
from treatykg.graph.sources.errors import SheetInvalid, SheetProblem
from treatykg.graph.sources.yamlsafe import Mapping, read_yaml
from treatykg.graph.store.embedded import store_path

TOKEN_ENV = "TREATYKG_UPDATE_TOKEN"  # noqa: S105 - the variable's name, not a secret


@dataclass(frozen=True)
class Answer:
    """The server's answer: status and body."""

    status: int
    body: bytes

    def json(self) -> object:
        """The body as JSON."""
        return json.loads(self.body)

    def text(self) -> str:
        """The body as text, stripped."""
        return self.body.decode("utf-8", "replace").strip()


def add_token_option(parser: argparse.ArgumentParser) -> None:
    """Add `--token`: the update token of the server that holds the store."""
    parser.add_argument("--token", help=f"the update token of the server holding the store (env {TOKEN_ENV})")


def ask_server(args: argparse.Namespace, route: str, body: bytes | None, method: str = "POST") -> Answer:
    """Send a request to the server that holds the store; its answer whatever the status (JSON bodies)."""
    from treatykg.cli.serve import SERVER_URL_FILE

    url_file = store_path(args.store) / SERVER_URL_FILE
    token = args.token or os.environ.get(TOKEN_ENV)
    if not url_file.exists() or not token:
        raise StoreError(
            f"{store_path(args.store)}: held by a server; give its token (--token) to go through it"
        )
    request = urllib.request.Request(  # noqa: S310 - the loopback URL the server wrote itself
        url_file.read_text(encoding="utf-8").strip() + route,
        data=body,
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Bearer {token}",
        },
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
            return Answer(response.status, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read())
    except OSError as error:
        raise StoreError(f"cannot reach the server holding the store: {error}") from None


def refused(answer: Answer) -> StoreError:
    """The error of an answer the command cannot use."""
    return StoreError(f"the server refused: {answer.text()}")


def sheet_upload(sheet: Path) -> bytes:
    """The JSON body of a sheet write: the sheet's YAML and the text it names, as read here."""
    try:
        yaml_text = sheet.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the sheet: {error}", sheet) from None
    document = read_yaml(sheet, yaml_text)
    source = document.get("source") if isinstance(document, Mapping) else None
    name = str(source.get("text") or "text.txt") if isinstance(source, Mapping) else "text.txt"
    try:
        text = (sheet.parent / name).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the sheet's text {sheet.parent / name}: {error}", sheet) from None
    return json.dumps({"sheet": yaml_text, "text": text}).encode("utf-8")


def source_write(args: argparse.Namespace, route: str, method: str, sheet: Path | None) -> dict:
    """A source write through the server: its JSON account; the sheet's problems located in `sheet`, a
    rejection with its report, or the server's refusal, raised as the local command would raise them."""
    answer = ask_server(args, route, sheet_upload(sheet) if sheet else None, method)
    if answer.status == 400 and sheet is not None and answer.body.startswith(b"["):
        problems = answer.json()
        assert isinstance(problems, list)  # noqa: S101 - the route's 400 body is a JSON list
        raise SheetInvalid(
            [SheetProblem(str(sheet), p["line"], p["message"], p["statement"]) for p in problems]
        )
    if answer.status == 422:
        rejection = answer.json()
        assert isinstance(rejection, dict)  # noqa: S101 - the 422's JSON document
        raise ValidationFailed(rejection_text(rejection))
    if answer.status not in (200, 201):
        raise refused(answer)
    account = answer.json()
    assert isinstance(account, dict)  # noqa: S101 - a source write's JSON account
    return account


def rejection_text(rejection: dict) -> str:
    """A 422's JSON document as the local command words a rejection."""
    if rejection["inconsistencies"]:
        return "inconsistent under OWL 2 RL:\n" + "\n".join(rejection["inconsistencies"])
    violations = [r for r in rejection["results"] if r["resultSeverity"].endswith("#Violation")]
    lines = [f"  Violation: {r['focusNode']}: {r['resultMessage']}" for r in violations]
    return f"does not conform: {len(violations)} SHACL violation(s)\n" + "\n".join(lines)


def print_account(account: dict, done: str, first: str, second: str) -> None:
    """Print a source write's account as the local command prints its own."""
    for outcome in account["report"]:
        print(Outcome(**outcome))
    print(
        f"{done} {account['graph']} through the server: version {account['version']}, "
        f"{account[first]} quads {first} and {account[second]} {second} with the reconciled view"
    )
