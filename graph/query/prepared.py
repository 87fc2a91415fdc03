"""Prepared queries: `queries/*.rq` with grlc-style `#+ key: value` metadata and typed parameters.

A header line is `#+ key: value`; a following `#+` line indented by two or more spaces continues the value.
`#+ param: NAME TYPE [DEFAULT]` declares the SPARQL variable ?NAME as a parameter; a parameter without a
default is required. Values are bound with pyoxigraph's `substitutions=` (SEP-0007), never pasted into text.
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from treatykg.core import resources
from treatykg.core.errors import InputError

XSD = "http://www.w3.org/2001/XMLSchema#"

_HEADER = re.compile(r"#\+\s*([A-Za-z][\w-]*)\s*:\s?(.*)\Z")
_CONTINUATION = re.compile(r"#\+\s{2,}(\S.*)\Z")
_NAME = re.compile(r"[A-Za-z_][\w-]*\Z")
_VARIABLE = re.compile(r"[A-Za-z_]\w*\Z")


def _iri(text: str) -> ox.NamedNode:
    """An absolute IRI (pyoxigraph checks its syntax)."""
    if ":" not in text:
        raise ValueError("not an absolute IRI")
    return ox.NamedNode(text.removeprefix("<").removesuffix(">"))


def _typed(datatype: str, check: Callable[[str], str]) -> Callable[[str], ox.Literal]:
    """A converter to a literal of `datatype` whose lexical form `check` accepts and canonicalises."""
    return lambda text: ox.Literal(check(text), datatype=ox.NamedNode(XSD + datatype))


def _boolean(text: str) -> str:
    """xsd:boolean's canonical form."""
    if text.lower() not in ("true", "false", "1", "0"):
        raise ValueError("not a boolean")
    return "true" if text.lower() in ("true", "1") else "false"


def _date_time(text: str) -> str:
    """An xsd:dateTime lexical form, which Python and XSD both read (a trailing Z included)."""
    datetime.datetime.fromisoformat(text)
    if "T" not in text:
        raise ValueError("not a date-time (YYYY-MM-DDThh:mm:ss)")
    return text


# Parameter types: TYPE in `#+ param: NAME TYPE`, and how a command-line value becomes an RDF term.
PARAM_TYPES: dict[str, Callable[[str], ox.NamedNode | ox.Literal]] = {
    "iri": _iri,
    "string": ox.Literal,
    "integer": _typed("integer", lambda text: str(int(text))),
    "decimal": _typed("decimal", lambda text: str(decimal.Decimal(text))),
    "boolean": _typed("boolean", _boolean),
    "date": _typed("date", lambda text: datetime.date.fromisoformat(text).isoformat()),
    "dateTime": _typed("dateTime", _date_time),
}


@dataclass(frozen=True)
class Parameter:
    """A query parameter: the SPARQL variable it binds, its type and its default (None if required)."""

    name: str
    type: str
    default: str | None = None

    def term(self, text: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for a value given as text; ValueError naming the parameter if it doesn't fit."""
        try:
            return PARAM_TYPES[self.type](text)
        except (ValueError, decimal.InvalidOperation) as error:
            raise ValueError(
                f"parameter {self.name}: {text!r} is not a valid {self.type} ({error})"
            ) from None


@dataclass(frozen=True)
class PreparedQuery:
    """A named query: its SPARQL text, its metadata and its parameters."""

    name: str
    text: str
    metadata: dict[str, str] = field(default_factory=dict)
    params: tuple[Parameter, ...] = ()
    path: Path | None = None

    @property
    def summary(self) -> str:
        """The one-line question the query answers."""
        return self.metadata.get("summary", "")

    def bind(self, values: Mapping[str, str] | None = None) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
        """pyoxigraph `substitutions` for the given parameter values, defaults filling the gaps."""
        values = dict(values or {})
        declared = {param.name: param for param in self.params}
        unknown = sorted(set(values) - set(declared))
        if unknown:
            known = ", ".join(declared) or "none"
            raise ValueError(f"{self.name}: unknown parameter {', '.join(unknown)} (parameters: {known})")
        substitutions = {}
        for param in self.params:
            text = values.get(param.name, param.default)
            if text is None:
                raise ValueError(f"{self.name}: parameter {param.name} ({param.type}) is required")
            substitutions[ox.Variable(param.name)] = param.term(text)
        return substitutions

    def bound_text(self, values: Mapping[str, str] | None = None) -> str:
        """The query text with its parameters bound by one VALUES row at the start of its WHERE group, for
        engines that take text only: unlike a trailing VALUES (joined after BIND and FILTER have run), it
        gives the answer pyoxigraph's `substitutions=` gives to queries that compute with a parameter."""
        return inline_values(self.text, self.bind(values))


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


BoundTerm = ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple  # a blank node is refused: it names nothing
Bound = BoundTerm | Sequence[BoundTerm]
Bindings = Mapping[ox.Variable, Bound] | Mapping[str, Bound]  # variables (or their names) to terms


def inline_values(text: str, bindings: Bindings) -> str:
    """`text` with each variable bound by a VALUES clause (one term, or a list: one row each) opening its
    first WHERE group outside comment lines; a query written without the WHERE keyword gets them at its end.

    The one way terms join a query's text (jobs, remote stores and the Protocol carry text only): each term
    is written by pyoxigraph, so no value can change the query's structure, and VALUES at the start of the
    group binds the variable before BIND and FILTER run, the answer pyoxigraph's `substitutions=` gives (a
    trailing VALUES, SPARQL 1.1 §10.2.2, joins after them).
    """
    if not bindings:
        return text
    clauses = []
    for name, value in bindings.items():
        terms = [value] if isinstance(value, BoundTerm) else list(value)
        if any(isinstance(term, ox.BlankNode) for term in terms):
            raise ValueError("a blank node cannot be bound")
        variable = name if isinstance(name, ox.Variable) else ox.Variable(name)
        clauses.append(f"VALUES {variable} {{ {' '.join(str(term) for term in terms)} }}")
    offset = 0
    for line in text.splitlines(keepends=True):
        match = None if line.lstrip().startswith("#") else _WHERE.search(line)
        if match is not None:
            at = offset + match.end()
            return f"{text[:at]}\n  {' '.join(clauses)}{text[at:]}"
        offset += len(line)
    return text.rstrip() + "\n" + "\n".join(clauses) + "\n"


def parse_query(text: str, name: str, path: Path | None = None) -> PreparedQuery:
    """A PreparedQuery from the text of an .rq file; ValueError for a malformed header."""
    metadata: dict[str, str] = {}
    params: list[Parameter] = []
    last_key = None
    for line_number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("#+"):
            last_key = None
            continue
        continuation = _CONTINUATION.match(stripped)
        if continuation and last_key is not None and last_key != "param":
            metadata[last_key] += " " + continuation.group(1).strip()
            continue
        header = _HEADER.match(stripped)
        if header is None:
            raise ValueError(f"{name}:{line_number}: not a `#+ key: value` line")
        key, value = header.group(1), header.group(2).strip()
        if key == "param":
            params.append(_parameter(value, f"{name}:{line_number}"))
        elif key in metadata:
            raise ValueError(f"{name}:{line_number}: {key} given twice")
        else:
            metadata[key] = value
        last_key = key
    names = [param.name for param in params]
    if len(set(names)) != len(names):
        raise ValueError(f"{name}: a parameter is declared twice")
    return PreparedQuery(name=name, text=text, metadata=metadata, params=tuple(params), path=path)


def _parameter(value: str, where: str) -> Parameter:
    """Parse `NAME TYPE [DEFAULT]`; the default is the rest of the line (a string may hold spaces)."""
    parts = value.split(None, 2)
    if len(parts) < 2:
        raise ValueError(f"{where}: a parameter needs a name and a type: `#+ param: NAME TYPE [DEFAULT]`")
    param = Parameter(parts[0].removeprefix("?"), parts[1], parts[2] if len(parts) == 3 else None)
    if not _VARIABLE.match(param.name):
        raise ValueError(f"{where}: {param.name!r} is not a SPARQL variable name")
    if param.type not in PARAM_TYPES:
        raise ValueError(f"{where}: unknown parameter type {param.type!r} (one of {', '.join(PARAM_TYPES)})")
    if param.default is not None:
        param.term(param.default)
    return param


def list_queries(folder: Path | None = None) -> list[PreparedQuery]:
    """Every prepared query, sorted by name."""
    folder = folder or resources.queries_dir()
    return [load_query_file(path) for path in sorted(folder.glob("*.rq"))]


def load_query(name: str, folder: Path | None = None) -> PreparedQuery:
    """The prepared query called `name` (file name without .rq); InputError if there is none."""
    folder = folder or resources.queries_dir()
    if not _NAME.match(name):
        raise InputError(f"no prepared query {name!r}")
    path = folder / f"{name}.rq"
    if not path.is_file():
        known = ", ".join(query.stem for query in sorted(folder.glob("*.rq")))
        raise InputError(f"no prepared query {name!r} (prepared queries: {known})")
    return load_query_file(path)


def load_query_file(path: str | Path) -> PreparedQuery:
    """A query from any .rq file; InputError if it is unreadable or its header is malformed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read: {error}", path) from None
    try:
        return parse_query(text, path.stem, path)
    except ValueError as error:
        raise InputError(str(error), path) from None
