"""Sources over HTTP: a statement sheet with its text added (POST /sources), replaced or removed
(PUT / DELETE /sources/SLUG), with the checks of `treatykg add SHEET`; writes need a token.

A sheet that does not compile answers 400 with a JSON list of its located problems (line, statement,
message); a SHACL Violation or an OWL 2 RL inconsistency answers 422 with the report, as every write does;
nothing is written on either. The commit records the token's name as who wrote, and when.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TypeVar

from flask import Blueprint, Response, abort, current_app, request

from treatykg.core.errors import InputError, StoreError
from treatykg.graph.sources.compile import Report as CompileReport
from treatykg.graph.sources.errors import SheetInvalid
from treatykg.graph.sources.yamlsafe import Mapping, read_yaml
from treatykg.graph.store.embedded import OpenStore
from treatykg.server.auth import require_token
from treatykg.server.extensions import get_engine
from treatykg.server.query.messages import Rejection
from treatykg.server.writes import sources
from treatykg.server.writes.job import shacl_result
from treatykg.server.writes.validated import Rejected

T = TypeVar("T")

bp = Blueprint("sources", __name__, url_prefix="/sources")

SHEET = "sheet.yaml"
DEFAULT_TEXT = "text.txt"


def _field(name: str) -> bytes:
    """A multipart field's bytes (a file part or a plain value); 400 if absent."""
    if name in request.files:
        return request.files[name].read()
    if name in request.form:
        return request.form[name].encode("utf-8")
    abort(400, f"send the {name} as a multipart field named {name!r}")


def _upload() -> tuple[bytes, bytes]:
    """The sheet (YAML) and the source's text of the request: multipart fields, or JSON strings."""
    if request.mimetype == "multipart/form-data":
        return _field("sheet"), _field("text")
    if request.mimetype == "application/json":
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in ("sheet", "text")):
            abort(400, 'send JSON {"sheet": "<the sheet\'s YAML>", "text": "<the source\'s text>"}')
        return body["sheet"].encode("utf-8"), body["text"].encode("utf-8")
    abort(415, "send the sheet and its text as multipart/form-data (fields sheet, text) or application/json")


def _materialize(folder: Path, sheet: bytes, text: bytes) -> Path:
    """Write the sheet and its text (under the name the sheet gives) into `folder`; the sheet's path."""
    path = folder / SHEET
    path.write_bytes(sheet)
    try:
        document = read_yaml(path, sheet.decode("utf-8"))
    except UnicodeDecodeError as error:
        abort(400, f"the sheet is not UTF-8 (byte {error.start})")
    source = document.get("source") if isinstance(document, Mapping) else None
    name = str(source.get("text") or DEFAULT_TEXT) if isinstance(source, Mapping) else DEFAULT_TEXT
    if Path(name).name != name or name in (SHEET, ".", ".."):
        abort(400, f"the sheet's text must be a file beside it, not {name!r}")
    (folder / name).write_bytes(text)
    return path


def _problems(error: SheetInvalid) -> Response:
    """400 with the located problems as a JSON list."""
    problems = [
        {"line": problem.line, "statement": problem.statement, "message": problem.message}
        for problem in error.problems
    ]
    return Response(json.dumps(problems, indent=2) + "\n", status=400, mimetype="application/json")


def _answer(written: sources.Written, compiled: CompileReport | None, status: int) -> Response:
    """The write's account as JSON: graph, version, counts, the compiler's report and the SHACL warnings."""
    body = {
        "graph": written.graph,
        "version": written.version.version,
        "added": written.added,
        "removed": written.removed,
        "report": [asdict(outcome) for outcome in compiled.outcomes] if compiled else [],
        "warnings": [asdict(shacl_result(result)) for result in written.report.results],
    }
    response = Response(json.dumps(body, indent=2) + "\n", status=status, mimetype="application/json")
    if compiled is not None and status == 201:
        response.headers["Location"] = f"/source/{compiled.slug}"
    return response


def _write(task: Callable[[OpenStore], T]) -> T:
    """Run a source write on the store the server holds, mapping its errors to HTTP answers."""
    try:
        return get_engine().commit_on_store(task)
    except sources.SourceRejected as error:
        results = tuple(shacl_result(result) for result in error.report.results)
        raise Rejected(Rejection(False, error.inconsistencies, results)) from None
    except sources.NoSuchSource as error:
        abort(404, error.message)
    except sources.SourceConflict as error:
        abort(409, error.message)
    except InputError as error:
        abort(400, error.message)
    except StoreError as error:
        abort(409, str(error))


def _sheet_write(slug: str | None) -> Response:
    """Add (slug None) or replace the source of the uploaded sheet."""
    curator = require_token()
    base = current_app.config["WRITE_BASE"]
    sheet, text = _upload()
    with tempfile.TemporaryDirectory(prefix="treatykg-sheet-") as scratch:
        try:
            path = _materialize(Path(scratch), sheet, text)
            if slug is None:
                written, compiled = _write(lambda handle: sources.add_sheet(handle, path, curator, base))
            else:
                written, compiled = _write(
                    lambda handle: sources.replace_source(handle, slug, path, curator, base)
                )
        except SheetInvalid as error:
            return _problems(error)
    return _answer(written, compiled, 201 if slug is None else 200)


@bp.route("", methods=["POST"])
def add() -> Response:
    """Add a source: its statement sheet and text (multipart or JSON), compiled, checked, committed; 201."""
    return _sheet_write(None)


@bp.route("/<slug>", methods=["PUT"])
def replace(slug: str) -> Response:
    """Replace a source with a new sheet and text, everything derived from it included, in one commit."""
    return _sheet_write(slug)


@bp.route("/<slug>", methods=["GET"])
def export(slug: str) -> dict[str, str]:
    """A source's statement sheet regenerated from the store, with its text (JSON: slug, sheet, text)."""
    from treatykg.graph.sources.export import export_from_store

    try:
        exported, _ = get_engine().read_store(lambda store: export_from_store(store, slug))
    except InputError as error:
        abort(404, error.message)
    return {"slug": exported.slug, "sheet": exported.sheet, "text": exported.text}


@bp.route("/<slug>", methods=["DELETE"])
def remove(slug: str) -> Response:
    """Retract a source and everything derived from it, in one commit."""
    curator = require_token()
    base = current_app.config["WRITE_BASE"]
    written = _write(lambda handle: sources.remove_source(handle, slug, curator, base))
    return _answer(written, None, 200)
