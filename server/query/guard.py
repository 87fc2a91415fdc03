"""A cheap lexical screen of SPARQL text: refuses SERVICE and LOAD, finds the query form and dataset clauses,
and tells queries whose answer may differ from one run to the next (NOW, RAND, UUID, STRUUID, BNODE).

Not a parser. Strings, IRIs and comments are skipped; every other run of name characters is searched for
the two keywords. Oxigraph's parser has no separate lexer, so a keyword may touch what follows
(`SERVICEex:x`, `?o.SERVICE<…>`): a run is only exempt where Oxigraph reads it greedily as one variable or
one prefixed-name local part. `<` is either an IRI or less-than, which depends on grammar the screen does
not know, so both readings are screened (each text position at most once): read as less-than, an IRI's
characters are code, where SERVICE could only follow a `)` closing the expression and LOAD not at all.
The query workers cannot open sockets anyway (server/query/zygote.py); updates rely on this screen alone.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

import pyoxigraph as ox

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f\u2040]*)
  | (?P<name>(?:[^\s<>"'{}()\[\];,\#?$@^|!=*/+&\\]|\\.)+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
# Characters Oxigraph keeps inside one prefixed name's local part (PN_LOCAL, with PLX escapes).
_LOCAL = re.compile(r"(?:[\w\-.:%\u00b7\u0300-\u036f\u203f\u2040]|\\.)*")
_FORBIDDEN = re.compile(r"service|load", re.IGNORECASE)
# The functions whose value is new at each evaluation (SPARQL 1.1 §17.4); STRUUID contains UUID.
_VOLATILE = re.compile(r"now|rand|uuid|bnode", re.IGNORECASE)
_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
# Screening every reading of `<` costs more than one pass only on odd input; past this many characters
# per input character the text is refused rather than screened slowly.
_MAX_WORK = 40


class Refused(ValueError):
    """The text uses something the endpoint will not run (SERVICE, LOAD) or cannot be screened."""


@dataclass(frozen=True)
class Screened:
    """What the screen learnt about a query: its form (None if unknown) and whether it has FROM clauses."""

    form: str | None
    has_dataset: bool


class _Lines:
    """Line ends of a text, so that a comment lexeme costs O(log n) however many readings reach it."""

    def __init__(self, text: str):
        self.ends = [match.start() for match in re.finditer(r"[\r\n]", text)]
        self.length = len(text)

    def end(self, position: int) -> int:
        """The position of the end of the line that `position` is on."""
        index = bisect.bisect_left(self.ends, position)
        return self.ends[index] if index < len(self.ends) else self.length


def _tokens(text: str, every_reading: bool) -> Iterator[tuple[str, str, int, bool, bool]]:
    """(kind, lexeme, start, in_span, closed) of one reading, or of every reading of `<` if `every_reading`.

    `in_span` marks tokens read inside an IRI-shaped `<…>` taken as less-than, `closed` whether a `)` came
    before them there: only then could that reading leave the expression and meet a keyword.
    """
    lines = _Lines(text)
    pending, seen, work = [(0, 0, False)], set(), 0
    while pending:
        position, span_end, closed = pending.pop()
        while position < len(text):
            in_span = position < span_end
            key = (position, span_end, closed) if in_span else position
            if key in seen:
                break
            seen.add(key)
            match = cast(re.Match[str], _TOKEN.match(text, position))  # `other` takes any one character
            kind = cast(str, match.lastgroup)  # every alternative is a named group
            end = lines.end(position) if kind == "comment" else match.end()
            lexeme = text[position:end]
            # Read as less-than, an IRI's characters are code; that reading can only differ from the IRI one
            # if they could close the expression, open a string or start a comment.
            if kind == "iri" and every_reading and any(char in lexeme for char in ")'#"):
                pending.append((position + 1, end, False))
            work += 1 if kind == "comment" else end - position  # a comment's end is looked up, not scanned
            if work > _MAX_WORK * len(text) + 4096:
                raise Refused("the text is too ambiguous to screen for SERVICE and LOAD; simplify it")
            yield kind, lexeme, position, in_span, closed
            closed = closed or (in_span and lexeme == ")")
            position = end


def _local_end(lexeme: str, start: int) -> int:
    """Where the prefixed name's local part that starts at `start` ends."""
    return cast(re.Match[str], _LOCAL.match(lexeme, start)).end()  # _LOCAL matches the empty string too


def _keyword_in(kind: str, lexeme: str, keywords: re.Pattern[str] = _FORBIDDEN) -> str | None:
    """SERVICE or LOAD (or another of `keywords`) if Oxigraph could read one in this lexeme, else None."""
    if kind != "name":
        return None
    colon = lexeme.find(":")
    for found in keywords.finditer(lexeme):
        # Inside a prefixed name's local part the whole run is one name, unless a character that ends
        # a local part comes first (then the rest is read afresh).
        if colon < 0 or found.start() < colon or _local_end(lexeme, colon + 1) < found.end():
            return found.group().upper()
    return None


def refuse_remote(text: str) -> None:
    """Raise Refused if SERVICE or LOAD could be read anywhere in the text (any reading of `<`)."""
    if not _FORBIDDEN.search(text):
        return  # the common case: neither word occurs at all
    for kind, lexeme, _, in_span, closed in _tokens(text, every_reading=True):
        keyword = _keyword_in(kind, lexeme)
        # Within `<…>` read as less-than we are inside an expression: SERVICE needs a `)` first, and LOAD
        # (top level only) would need a `}`, which an IRI cannot hold.
        if keyword and (not in_span or (closed and keyword == "SERVICE")):
            raise Refused(f"{keyword} is not allowed: this endpoint never makes requests to other servers")


# Deeper than this, Oxigraph's recursive-descent parser can exhaust a worker's stack (a crash, not an error).
MAX_NESTING = 256
_OPEN, _CLOSE = frozenset("{(["), frozenset("})]")


def refuse_deep(text: str) -> None:
    """Refuse text nested deeper than MAX_NESTING (brackets in strings count too: a cheap over-estimate)."""
    depth = deepest = 0
    for char in text:
        if char in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _CLOSE:
            depth -= 1
    if deepest > MAX_NESTING:
        raise Refused(f"nested {deepest} levels deep; at most {MAX_NESTING} are allowed")


def screen_query(text: str) -> Screened:
    """Refuse SERVICE and LOAD, then find the query form and whether FROM / FROM NAMED are present."""
    refuse_deep(text)
    refuse_remote(text)
    form, has_dataset = None, False
    for kind, lexeme, *_ in _tokens(text, every_reading=False):
        word = lexeme.upper() if kind == "name" else ""
        if form is None and word in _FORMS:
            form = word
        has_dataset = has_dataset or word == "FROM"
    return Screened(form, has_dataset)


def volatile(text: str) -> bool:
    """Whether the query may call NOW(), RAND(), UUID(), STRUUID() or BNODE(), so two runs may differ.

    Errs towards yes: any reading of `<`, any name run that holds one of the words outside a prefixed
    name's local part, and text too ambiguous to screen all count.
    """
    if not _VOLATILE.search(text):
        return False  # the common case: none of the words occurs at all
    try:
        return any(
            _keyword_in(kind, lexeme, _VOLATILE) for kind, lexeme, *_ in _tokens(text, every_reading=True)
        )
    except Refused:
        return True


def screen_update(text: str) -> None:
    """Refuse SERVICE and LOAD in an update, and text nested too deeply to parse safely."""
    refuse_deep(text)
    refuse_remote(text)


def _iri(value: str) -> str:
    """`<value>` for an absolute IRI, Refused if it is not one (pyoxigraph checks the syntax)."""
    try:
        return f"<{ox.NamedNode(value).value}>"
    except ValueError as error:
        raise Refused(f"not an IRI: {value!r} ({error})") from None


def with_using(update: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """The update with USING (NAMED) clauses for using-(named-)graph-uri before each top-level WHERE."""
    if not default_graphs and not named_graphs:
        return update
    clauses = " ".join(
        [f"USING {_iri(g)}" for g in default_graphs] + [f"USING NAMED {_iri(g)}" for g in named_graphs]
    )
    parts, depth, previous, cursor = [], 0, "", 0
    for kind, lexeme, start, *_ in _tokens(update, every_reading=False):
        if kind in ("space", "comment"):
            continue
        word = lexeme.upper() if kind == "name" else ""
        if lexeme == "{":
            depth += 1
        elif lexeme == "}":
            depth -= 1
        elif depth == 0 and word in ("USING", "WITH"):
            # SPARQL 1.1 Protocol §2.2.3: a dataset in both the request and the update is an error.
            raise Refused(
                f"using-graph-uri / using-named-graph-uri cannot be combined with {word} in the update"
            )
        elif depth == 0 and word == "WHERE" and previous != "DELETE":  # DELETE WHERE takes no USING
            parts += [update[cursor:start], clauses, " "]
            cursor = start
        previous = word
    parts.append(update[cursor:])
    return "".join(parts)
