"""Admin routes for the commands that need the store while the server holds it: backup, restore, check.

Loopback clients only, and only with a token: DESIGN's one process owns the store, so `treatykg backup`,
`restore` and `check` ask the server that holds it instead of opening it a second time.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from flask import Blueprint, abort, g, request

from treatykg.server.auth import require_token
from treatykg.server.extensions import get_engine

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _loopback_with_token() -> None:
    """Refuse anyone but a loopback client with a token."""
    try:
        loopback = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        abort(403, "admin routes answer loopback clients only")
    require_token()


def _path() -> Path:
    """The backup directory the request names (JSON {"path": ...}), absolute."""
    body = request.get_json(silent=True) or {}
    if not isinstance(body.get("path"), str) or not body["path"]:
        abort(400, 'send JSON {"path": "/absolute/backup/directory"}')
    path = Path(body["path"])
    if not path.is_absolute():
        abort(400, "the backup path must be absolute (it is the server's file system)")
    return path


@bp.route("/backup", methods=["POST"])
def backup() -> dict[str, object]:
    """A consistent copy of the store (RocksDB checkpoint plus its commit record) into a new directory."""
    from treatykg.graph.store.backup import backup_store

    path = _path()
    if path.exists():
        abort(409, f"{path} exists; back up into a new directory")
    version = get_engine().exclusive(lambda handle: backup_store(handle, path))
    return {"path": str(path), "version": version}


@bp.route("/restore", methods=["POST"])
def restore() -> dict[str, object]:
    """Replace the store's content with a backup's, in one transaction, as a new version."""
    from treatykg.graph.store.backup import BackupError

    path = _path()
    try:
        version = get_engine().restore(path, g.token_name)
    except BackupError as error:
        abort(400, str(error))
    return {"path": str(path), "version": version}


@bp.route("/check", methods=["POST"])
def check() -> dict[str, object]:
    """`treatykg check` on the store the server holds (JSON {"engine": "compiled" | "reference"})."""
    from treatykg.graph.semantics.engines import ENGINES
    from treatykg.graph.store.check import check_store

    engine = (request.get_json(silent=True) or {}).get("engine", "compiled")
    if engine not in ENGINES:
        abort(400, f'send JSON {{"engine": ...}} naming one of: {", ".join(ENGINES)}')
    report = get_engine().exclusive(lambda handle: check_store(handle, engine=engine))
    return report.to_json()
