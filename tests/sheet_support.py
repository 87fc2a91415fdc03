"""Helpers for the statement-sheet tests: a source folder with a text and a sheet, compiled."""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

from treatykg.graph.sources.compile import Report, compile_sheet
from treatykg.graph.sources.entities import Entities, load_entities

ENTITIES = load_entities()


def make_source(folder: Path, text: str | bytes, sheet: str, slug: str = "test-source") -> Path:
    """Write text.txt (bytes as given) and sheet.yaml, the header's SHA-256 filled in; the sheet's path."""
    folder.mkdir(parents=True, exist_ok=True)
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    (folder / "text.txt").write_bytes(data)
    header = f"source:\n  slug: {slug}\n  kind: news\n  sha256: {hashlib.sha256(data).hexdigest()}\n"
    path = folder / "sheet.yaml"
    path.write_text(header + textwrap.dedent(sheet), encoding="utf-8")
    return path


def compile_text(folder: Path, text: str | bytes, sheet: str, entities: Entities | None = None):
    """Compile a sheet written from the arguments: (graph, report)."""
    return compile_sheet(make_source(folder, text, sheet), entities or ENTITIES)


def minted(report: Report) -> dict[str, str]:
    """Statement key -> minted IRI."""
    return {outcome.key: outcome.iri for outcome in report.of("mint")}
