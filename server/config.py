"""Server settings: defaults < config file (TOML) < environment (TREATYKG_*) < flags / test config.

A config file looks like:

    [server]
    host = "127.0.0.1"
    port = 8000
    store = "/var/lib/treatykg/store"
    query_timeout = 30          # seconds
    row_limit = 10000
    max_body = 33554432         # bytes
    threads = 8
    query_workers = 4
    query_memory_mb = 2048
    write_timeout = 60          # seconds to compute, reason and validate one write
    write_max_quads = 200000
    export_timeout = 600        # seconds to write one version's /dumps files
    max_queries = 16            # in progress at once; 429 + Retry-After beyond
    result_cache_bytes = 67108864   # query answers kept until the next commit; 0 turns the cache off
    # remote_cache_trusted = true   # a remote store only this server writes: its answers may be cached
    # store = "sparql+http://127.0.0.1:7878"   # a remote SPARQL store (docs/remote-store.md)
    # remote_dialect = "virtuoso"               # oxigraph, virtuoso or generic; endpoints: remote_query, ...

    [tokens]                    # name = "sha256:<hex digest of the token>" (this one is "change-me")
    alice = "sha256:e2186dbdb1bb4193608605e84f33208765b5693b55edd4f730a719a100eeea6f"

Tokens are stored hashed; `python -m treatykg.server.config hash TOKEN` prints the line for one.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import sys
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from treatykg.core.errors import InputError

ENV_PREFIX = "TREATYKG_"

# A remote store (store = "sparql+http://…"): endpoint overrides and options (graph/store/remote_client.py);
# None keeps what the remote's dialect (Oxigraph server unless remote_dialect says) implies.
REMOTE_TYPES = {
    "REMOTE_DIALECT": str,
    "REMOTE_QUERY": str,
    "REMOTE_UPDATE": str,
    "REMOTE_STORE": str,
    "REMOTE_UNION_PARAM": str,
    "REMOTE_TIMEOUT_PARAM": str,
    "REMOTE_TOKEN": str,
    "REMOTE_MAX_UPDATE_BYTES": int,
}


def boolean(value: object) -> bool:
    """A yes/no setting: a TOML boolean, or true/false, yes/no, on/off, 1/0 from the environment."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise ValueError(f"not a yes/no value: {value!r}")


DEFAULTS: dict[str, Any] = {
    "HOST": "127.0.0.1",
    "PORT": 8000,
    "STORE": None,  # None: graph.store's rule ($TREATYKG_STORE, else the per-user data directory)
    "QUERY_TIMEOUT": 30.0,
    "ROW_LIMIT": 10_000,
    "MAX_BODY": 32 * 1024 * 1024,
    "THREADS": 8,
    "QUERY_WORKERS": max(2, 2 * (os.cpu_count() or 1)),
    "QUERY_MEMORY_MB": 2048,
    "UPDATE_TOKENS": {},  # name -> "sha256:<hex>"
    "BUILD_IF_EMPTY": True,  # tests serve scratch stores as they are
    "WRITE_TIMEOUT": 60.0,  # seconds to compute, reason and validate one write
    "WRITE_MAX_QUADS": 200_000,  # quads one validated write may change
    "WRITE_REGION_LIMIT": 50_000,  # asserted triples around a write before reasoning takes the full path
    "EXPORT_TIMEOUT": 600.0,  # seconds a query worker may take to write one version's /dumps files
    "WRITE_BASE": "https://w3id.org/treatykg/",  # the IRI base the shapes check instance IRIs against
    "MAX_QUERIES": 16,  # queries and writes in progress at once; 429 + Retry-After beyond
    "RESULT_CACHE_BYTES": 64 * 1024 * 1024,  # query answers kept until the next commit; 0: no cache
    "REMOTE_CACHE_TRUSTED": False,  # a remote store only this server writes: cache its answers too
    **dict.fromkeys(REMOTE_TYPES),
}
# Settings and how a string (environment, file) becomes their value.
TYPES: dict[str, Callable[[Any], object]] = {
    "HOST": str,
    "PORT": int,
    "STORE": str,
    "QUERY_TIMEOUT": float,
    "ROW_LIMIT": int,
    "MAX_BODY": int,
    "THREADS": int,
    "QUERY_WORKERS": int,
    "QUERY_MEMORY_MB": int,
    "WRITE_TIMEOUT": float,
    "WRITE_MAX_QUADS": int,
    "WRITE_REGION_LIMIT": int,
    "EXPORT_TIMEOUT": float,
    "WRITE_BASE": str,
    "MAX_QUERIES": int,
    "RESULT_CACHE_BYTES": int,
    "REMOTE_CACHE_TRUSTED": boolean,
    **REMOTE_TYPES,
}


def hash_token(token: str) -> str:
    """The stored form of a token: `sha256:` and the hex digest (tokens are random secrets, not passwords)."""
    return "sha256:" + hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_name(tokens: Mapping[str, str], presented: str) -> str | None:
    """The name of the configured token that `presented` is, or None; constant-time per comparison."""
    digest = hash_token(presented)
    found = None
    for name, stored in tokens.items():
        if hmac.compare_digest(digest, stored.lower()):
            found = name
    return found


def _typed(key: str, value: object, origin: str) -> object:
    """A setting converted to its type; InputError naming where it came from."""
    try:
        return TYPES[key](value)
    except (TypeError, ValueError):
        kind = {int: "an integer", float: "a number", str: "a string", boolean: "true or false"}[TYPES[key]]
        raise InputError(f"{key.lower()} must be {kind}, not {value!r}", origin) from None


def from_file(path: str | os.PathLike[str]) -> dict:
    """Settings from a TOML config file."""
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"cannot read the config file: {error.strerror}", path) from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"not valid TOML: {error}", path) from None
    settings = {}
    for key, value in document.get("server", {}).items():
        if key.upper() not in TYPES:
            raise InputError(
                f"unknown setting [server] {key}; known: {', '.join(k.lower() for k in TYPES)}", path
            )
        settings[key.upper()] = _typed(key.upper(), value, str(path))
    tokens = document.get("tokens", {})
    for name, stored in tokens.items():
        if not (isinstance(stored, str) and stored.startswith("sha256:") and len(stored) == 71):
            raise InputError(f'token {name!r} must be stored as "sha256:<64 hex digits>" (see --help)', path)
    if tokens:
        settings["UPDATE_TOKENS"] = dict(tokens)
    return settings


def from_environment(environ: Mapping[str, str] = os.environ) -> dict:
    """Settings from TREATYKG_* variables; TREATYKG_UPDATE_TOKEN is a bare token, named `default`."""
    settings = {
        key: _typed(key, environ[ENV_PREFIX + key], ENV_PREFIX + key)
        for key in TYPES
        if environ.get(ENV_PREFIX + key)
    }
    if environ.get(ENV_PREFIX + "UPDATE_TOKEN"):
        settings["UPDATE_TOKEN"] = environ[ENV_PREFIX + "UPDATE_TOKEN"]
    return settings


def load(overrides: Mapping | None = None, environ: Mapping[str, str] = os.environ) -> dict:
    """All settings by precedence: defaults, the config file, the environment, then `overrides`.

    `overrides` takes the command-line flags (or a test's config); its CONFIG names the file, else
    $TREATYKG_CONFIG does. An UPDATE_TOKEN in it is a bare token, named `default`.
    """
    overrides = dict(overrides or {})
    settings = dict(DEFAULTS)
    config_file = overrides.pop("CONFIG", None) or environ.get(ENV_PREFIX + "CONFIG")
    if config_file:
        settings.update(from_file(config_file))
    settings.update(from_environment(environ))
    settings.update({key: value for key, value in overrides.items() if value is not None})
    # A bare token (flag or environment) joins the file's named ones as `default`; only its hash is kept.
    token = settings.pop("UPDATE_TOKEN", None)
    if token:
        settings["UPDATE_TOKENS"] = {**settings["UPDATE_TOKENS"], "default": hash_token(token)}
    return settings


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "hash":
        sys.exit("usage: python -m treatykg.server.config hash TOKEN")
    print(hash_token(sys.argv[2]))
