"""A source's text exactly as shipped: its bytes' SHA-256, its code points (UTF-8, no normalisation, no
newline translation), and where a quote sits in it."""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path

# Typographic characters a curator may type as their ASCII look-alikes.
_LOOKALIKES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-"})


@dataclass(frozen=True)
class SourceText:
    """The text of a source and the SHA-256 of its bytes."""

    text: str
    sha256: str


def read_text(path: Path) -> SourceText:
    """The text at `path`, decoded as UTF-8 with every byte kept (a BOM is U+FEFF, CRLF two code points)."""
    data = path.read_bytes()
    # Decoding the bytes directly is what open(newline="") with utf-8 does: no newline translation, and
    # "utf-8" (not "utf-8-sig") keeps a BOM as the text's first code point.
    return SourceText(data.decode("utf-8"), hashlib.sha256(data).hexdigest())


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def occurrences(text: str, quote: str) -> list[int]:
    """Every code-point offset where `quote` starts in `text` (overlapping ones included)."""
    found: list[int] = []
    start = text.find(quote)
    while start != -1:
        found.append(start)
        start = text.find(quote, start + 1)
    return found


def lookalike_match(text: str, quote: str) -> tuple[int, str] | None:
    """Where the quote occurs once typographic quotes and dashes are folded to ASCII: (offset, the text's
    characters there); None when folding does not help."""
    folded_text = text.translate(_LOOKALIKES)
    folded_quote = quote.translate(_LOOKALIKES)
    if folded_quote == quote and folded_text == text:
        return None
    start = folded_text.find(folded_quote)
    if start == -1:
        return None
    return start, text[start : start + len(quote)]


def nearest(text: str, quote: str) -> tuple[int, str]:
    """The stretch of `text` most like `quote` (offset, characters), shown for a quote not found."""
    matcher = difflib.SequenceMatcher(None, text, quote, autojunk=False)
    match = matcher.find_longest_match(0, len(text), 0, len(quote))
    start = max(0, match.a - match.b)
    return start, text[start : start + len(quote)]


def differing_characters(quote: str, found: str) -> str:
    """The characters where the quote and the text differ, with their code points."""
    pairs = sorted({(typed, actual) for typed, actual in zip(quote, found, strict=False) if typed != actual})
    return ", ".join(
        f"{typed!r} (U+{ord(typed):04X}) where the text has {actual!r} (U+{ord(actual):04X})"
        for typed, actual in pairs
    )
