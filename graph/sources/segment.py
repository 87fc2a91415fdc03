"""The sentence table a rule-based segmenter (pySBD) proposes for a text, with the project's overrides."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pysbd import Segmenter

KINDS = ("sentence", "bullet", "heading", "boilerplate")
BULLET = "- "
# Abbreviations that end a pySBD segment but never a sentence here ("the U.S. and its allies").
NO_BOUNDARY = ("U.S.", "U.K.", "U.N.", "E.U.")
# A heading is short and has no final punctuation (a colon inside is fine: "CFE Treaty: A Relic …").
HEADING_MAX_WORDS = 12
_FINAL = re.compile(r"[.!?…\"”’)]$")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


@dataclass(frozen=True)
class Entry:
    """One row of a sentence table: its kind, its text, and its code-point span [start, end)."""

    kind: str
    text: str
    start: int
    end: int


@cache
def _segmenter() -> Segmenter:
    """pySBD's English rules, text left as written."""
    # Imported here: the compiler imports this module for Entry and never segments.
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def lines(text: str) -> list[tuple[int, str]]:
    """The text's lines without their terminators (\\r\\n, \\r or \\n), each with its starting offset."""
    found: list[tuple[int, str]] = []
    for match in _LINE.finditer(text):
        if match.start() == len(text) and match.group() == "":
            break
        found.append((match.start(), match.group().rstrip("\r\n")))
    return found


def propose(text: str) -> list[Entry]:
    """The proposed table: bullets ("- " lines, marker excluded), headings (a short line without final
    punctuation followed by a bullet), sentences; the curator corrects boilerplate by hand."""
    rows = [(start, line) for start, line in lines(text) if line.strip()]
    entries: list[Entry] = []
    for index, (start, line) in enumerate(rows):
        if line.startswith(BULLET):
            entries.extend(_sentences(line[len(BULLET) :], start + len(BULLET), "bullet"))
            continue
        next_is_bullet = index + 1 < len(rows) and rows[index + 1][1].startswith(BULLET)
        if next_is_bullet and _heading_like(line):
            stripped = line.strip()
            offset = start + line.index(stripped)
            entries.append(Entry("heading", stripped, offset, offset + len(stripped)))
            continue
        entries.extend(_sentences(line, start, "sentence"))
    return entries


def _heading_like(line: str) -> bool:
    """Short, and without the punctuation that ends a sentence."""
    stripped = line.strip()
    return len(stripped.split()) <= HEADING_MAX_WORDS and _FINAL.search(stripped) is None


def _sentences(line: str, offset: int, kind: str) -> list[Entry]:
    """pySBD's segments of one line, merged after a no-boundary abbreviation, located by offset."""
    segments: list[str] = []
    for segment in _segmenter().segment(line):
        if segments and segments[-1].rstrip().endswith(NO_BOUNDARY):
            segments[-1] += segment
        else:
            segments.append(segment)
    entries: list[Entry] = []
    cursor = 0
    for segment in segments:
        stripped = segment.strip()
        if not stripped:
            continue
        at = line.index(stripped, cursor)
        entries.append(Entry(kind, stripped, offset + at, offset + at + len(stripped)))
        cursor = at + len(stripped)
    return entries


def changes(proposed: list[Entry], curated: list[Entry]) -> int:
    """How many entries the curator changes to turn the proposal into the curated table: rows whose span
    or kind differs, counted once per curated row, plus proposed rows with no curated row at their span.
    A bullet counts as a sentence (both are tkg:Sentence in RDF)."""

    def key(entry: Entry) -> tuple[str, int, int]:
        return ("sentence" if entry.kind == "bullet" else entry.kind, entry.start, entry.end)

    wanted = {key(entry) for entry in curated}
    offered = {key(entry) for entry in proposed}
    spans_wanted = {(start, end) for _, start, end in wanted}
    edited = len(wanted - offered)
    removed = sum(1 for _, start, end in offered - wanted if (start, end) not in spans_wanted)
    return edited + removed
