"""`source add`: a text kept byte for byte in its own folder, with a starting sheet (metadata, SHA-256 and
the proposed sentence table); the same text twice is refused."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from treatykg.core import resources
from treatykg.core.errors import InputError
from treatykg.graph.sources.errors import SourceExists
from treatykg.graph.sources.schema import schema_file
from treatykg.graph.sources.segment import propose
from treatykg.graph.sources.text import read_text, sha256_of
from treatykg.graph.sources.vocabulary import slugify

TEXT_NAME = "text.txt"
SHEET_NAME = "sheet.yaml"
METADATA = ("title", "publisher", "url", "published", "language", "rights")


def known_texts(into: Path) -> dict[str, Path]:
    """SHA-256 of every source text already there: the curation folder's and the packaged ones."""
    paths = sorted(resources.graph_dir().glob(f"**/{TEXT_NAME}"))
    if into.is_dir():
        paths += sorted(into.glob(f"*/{TEXT_NAME}"))
    return {sha256_of(path): path for path in paths}


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it): kept as the string written."""
    return json.dumps(value, ensure_ascii=False)


def starting_sheet(slug: str, kind: str, sha256: str, text: str, metadata: dict[str, str]) -> str:
    """The YAML of a new source's sheet: metadata, the text's SHA-256, the proposed sentence table."""
    lines = [
        f"# yaml-language-server: $schema={schema_file('sheet').as_uri()}",
        f"# The statement sheet of source {slug} (docs/curating.md). The sentence table below is the",
        "# segmenter's proposal: correct each row's kind (sentence, bullet, heading, boilerplate) and ends.",
        "source:",
        f"  slug: {slug}",
        f"  kind: {kind}",
        f"  text: {TEXT_NAME}",
        f"  sha256: {sha256}",
    ]
    lines += [f"  {key}: {_quoted(metadata[key])}" for key in METADATA if metadata.get(key)]
    lines.append("sentences:")
    lines += [f"  - {entry.kind}: {_quoted(entry.text)}" for entry in propose(text)]
    # Left open so statements can be appended below it.
    lines.append("statements:")
    return "\n".join(lines) + "\n"


def add_source(
    text_path: Path,
    into: Path,
    kind: str = "news",
    slug: str | None = None,
    metadata: dict[str, str] | None = None,
) -> Path:
    """Create `into/<slug>/` with the text and its starting sheet; SourceExists if text or slug is taken."""
    try:
        shipped = read_text(text_path)
    except OSError as error:
        raise InputError(f"cannot read the text: {error.strerror}", text_path) from None
    except UnicodeDecodeError as error:
        raise InputError(f"the text is not UTF-8 (byte {error.start})", text_path) from None
    slug = slug or slugify(text_path.stem)
    if not slug:
        raise InputError("no slug can be made from the file name; give --slug", text_path)
    existing = known_texts(into).get(shipped.sha256)
    if existing is not None:
        name = existing.parent.name if existing.name == TEXT_NAME else existing.stem
        raise SourceExists(
            f"the same text (SHA-256 {shipped.sha256}) is already the source {name}",
            existing,
        )
    folder = into / slug
    if folder.exists():
        raise SourceExists(f"a source with the slug {slug} already exists; give another --slug", folder)
    into.mkdir(parents=True, exist_ok=True)
    sheet = starting_sheet(slug, kind, shipped.sha256, shipped.text, metadata or {})
    # Built in a hidden folder beside, then renamed: a failure leaves no half-made source.
    staging = Path(tempfile.mkdtemp(dir=into, prefix=f".{slug}."))
    try:
        shutil.copyfile(text_path, staging / TEXT_NAME)
        (staging / SHEET_NAME).write_text(sheet, encoding="utf-8", newline="")
        os.rename(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder
