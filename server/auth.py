"""Write access: `Authorization: Bearer <token>` checked against the configured (hashed) named tokens."""

from __future__ import annotations

from flask import abort, current_app, g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from treatykg.server.config import token_name


def writes_enabled() -> bool:
    """Whether any update token is configured (without one the server is read-only)."""
    return bool(current_app.config["UPDATE_TOKENS"])


def require_token() -> str:
    """The name of the token the request presents; 401 without one, 403 if wrong or if read-only."""
    if not writes_enabled():
        abort(403, "this server is read-only: no update token is configured")
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Unauthorized(
            "writes need a token: send Authorization: Bearer <token>",
            www_authenticate=WWWAuthenticate("Bearer", {"realm": "treatykg"}),
        )
    name = token_name(current_app.config["UPDATE_TOKENS"], credentials.strip())
    if name is None:
        abort(403, "the token is not valid")
    g.token_name = name
    return name
