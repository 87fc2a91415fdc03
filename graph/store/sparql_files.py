"""The build's own SPARQL, kept in `graph/store/sparql/*.rq` rather than in Python strings."""

from __future__ import annotations

from functools import cache
from pathlib import Path

SPARQL_DIR = Path(__file__).with_name("sparql")


@cache
def read_query(name: str) -> str:
    """The text of `graph/store/sparql/<name>.rq`."""
    return (SPARQL_DIR / f"{name}.rq").read_text(encoding="utf-8")
