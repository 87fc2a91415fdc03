"""Write query results in every served format, at most `limit` rows, saying so where the format has room.

pyoxigraph serialises a whole result or nothing, so the row cap needs these writers for solutions;
graphs are cut with islice and written by pyoxigraph.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping
from json.encoder import encode_basestring as _quote  # a JSON string literal, non-ASCII kept (C speed)
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from treatykg.core.iris import PREFIXES as IRI_PREFIXES

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"

RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}
# Prefixes for Turtle and TriG output: readable results for the project's own terms.
PREFIXES = {name: IRI_PREFIXES[name] for name in ("tkg", "rdf", "rdfs", "owl", "xsd", "prov")}


def truncation_note(limit: int) -> str:
    """The sentence every truncated result carries."""
    return f"Truncated: the result has more than {limit} rows and only the first {limit} are given."


def capped(rows: Iterable, limit: int) -> tuple[list, bool]:
    """The first `limit` rows and whether there were more."""
    taken = list(itertools.islice(rows, limit + 1))
    return taken[:limit], len(taken) > limit


def _json_term(term) -> dict:
    """A term in SPARQL 1.1 Query Results JSON."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        value = {"type": "literal", "value": term.value}
        if term.language:
            value["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            value["datatype"] = term.datatype.value
        return value
    if isinstance(term, ox.Triple):
        parts = ("subject", "predicate", "object")
        return {"type": "triple", "value": {part: _json_term(getattr(term, part)) for part in parts}}
    raise TypeError(f"unexpected term {term!r}")


def _xml_term(term) -> str:
    """A term in SPARQL Query Results XML."""
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        inner = "".join(
            f"<{part}>{_xml_term(getattr(term, part))}</{part}>"
            for part in ("subject", "predicate", "object")
        )
        return f"<triple>{inner}</triple>"
    raise TypeError(f"unexpected term {term!r}")


def _csv_value(term) -> str:
    """A term in SPARQL CSV: IRIs and literals bare, blank nodes as _:label."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def _json_term_text(term) -> str:
    """A term in SPARQL 1.1 Query Results JSON, as compact JSON text (what json.dumps would write)."""
    if isinstance(term, ox.NamedNode):
        return '{"type":"uri","value":' + _quote(term.value) + "}"
    if isinstance(term, ox.Literal):
        text = '{"type":"literal","value":' + _quote(term.value)
        if term.language:
            return text + ',"xml:lang":' + _quote(term.language) + "}"
        datatype = term.datatype.value
        return text + ("}" if datatype == XSD_STRING else ',"datatype":' + _quote(datatype) + "}")
    return json.dumps(_json_term(term), ensure_ascii=False, separators=(",", ":"))


def _json_solutions(variables: list[str], rows: list, note: str | None) -> Iterator[str]:
    """SPARQL 1.1 Query Results JSON."""
    keys = [json.dumps(name) + ":" for name in variables]
    yield '{"head":{"vars":' + json.dumps(variables) + '},"results":{"bindings":['
    for index, row in enumerate(rows):
        values = [row[position] for position in range(len(keys))]
        binding = ",".join(
            key + _json_term_text(value) for key, value in zip(keys, values, strict=True) if value is not None
        )
        yield ("," if index else "") + "{" + binding + "}"
    yield "]}"
    if note:
        # An extra top-level member: result parsers ignore members they don't know.
        yield ',"truncated":' + json.dumps({"note": note, "limit": len(rows)})
    yield "}\n"


def _xml_solutions(variables: list[str], rows: list, note: str | None) -> Iterator[str]:
    """SPARQL Query Results XML."""
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="{SPARQL_RESULTS_NS}">\n<head>'
    yield "".join(f"<variable name={quoteattr(name)}/>" for name in variables)
    yield "</head>\n<results>\n"
    for row in rows:
        bindings = "".join(
            f"<binding name={quoteattr(name)}>{_xml_term(row[name])}</binding>"
            for name in variables
            if row[name] is not None
        )
        yield f"<result>{bindings}</result>\n"
    yield "</results>\n"
    if note:
        yield f"<!-- {escape(note)} -->\n"
    yield "</sparql>\n"


def _csv_solutions(variables: list[str], rows: list, note: str | None) -> Iterator[str]:
    """SPARQL 1.1 CSV (RFC 4180, CRLF line ends); no room for a note."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_csv_value(row[name]) for name in variables])
    yield buffer.getvalue()


def _tsv_solutions(variables: list[str], rows: list, note: str | None) -> Iterator[str]:
    """SPARQL 1.1 TSV: terms in Turtle syntax (pyoxigraph's str() escapes tabs and newlines)."""
    yield "\t".join(f"?{name}" for name in variables) + "\n"
    for row in rows:
        yield "\t".join("" if row[name] is None else str(row[name]) for name in variables) + "\n"


SOLUTION_WRITERS = {
    "json": _json_solutions,
    "xml": _xml_solutions,
    "csv": _csv_solutions,
    "tsv": _tsv_solutions,
}


def write_solutions(solutions: ox.QuerySolutions, key: str, limit: int) -> tuple[bytes, bool]:
    """A SELECT result in format `key`, at most `limit` rows; the bytes and whether rows were cut."""
    variables = [variable.value for variable in solutions.variables]
    rows, truncated = capped(solutions, limit)
    note = truncation_note(limit) if truncated else None
    return "".join(SOLUTION_WRITERS[key](variables, rows, note)).encode("utf-8"), truncated


def write_boolean(value: bool, key: str) -> bytes:
    """An ASK result in SPARQL JSON or XML."""
    text = "true" if value else "false"
    if key == "json":
        return ('{"head":{},"boolean":' + text + "}\n").encode()
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="{SPARQL_RESULTS_NS}">'
        f"<head/><boolean>{text}</boolean></sparql>\n"
    ).encode()


def _with_note(body: bytes, key: str, note: str) -> bytes:
    """An RDF document with the truncation note as a comment, where the syntax has comments."""
    if key in ("turtle", "ntriples", "trig", "nquads"):
        return f"# {note}\n".encode() + body
    if key == "rdfxml":
        declaration, newline, rest = body.partition(b"\n")
        if declaration.startswith(b"<?xml"):
            return declaration + newline + f"<!-- {escape(note)} -->\n".encode() + rest
        return f"<!-- {escape(note)} -->\n".encode() + body
    return body  # JSON-LD has no comments; the response header says it


def write_graph(triples: Iterable[ox.Triple], key: str, limit: int) -> tuple[bytes, bool]:
    """A CONSTRUCT / DESCRIBE result in RDF format `key`, at most `limit` triples."""
    kept, truncated = capped(triples, limit)
    prefixes = PREFIXES if key in ("turtle", "trig") else None
    body: bytes = ox.serialize(kept, format=RDF_FORMATS[key], prefixes=prefixes)  # type: ignore[assignment]  # no output given: the bytes
    return (_with_note(body, key, truncation_note(limit)) if truncated else body), truncated


def write_result(
    result: ox.QueryBoolean | ox.QuerySolutions | ox.QueryTriples,
    formats: Mapping[str, tuple[str, str] | None],
    limit: int,
) -> tuple[str, str | None, bytes, bool]:
    """A query result in the format negotiated for its family: (family, media type, body, truncated).

    The media type is None when the client accepts no format of the result's family (a 406).
    """
    if isinstance(result, ox.QueryBoolean):
        family, write = "boolean", lambda key: (write_boolean(bool(result), key), False)
    elif isinstance(result, ox.QuerySolutions):
        family, write = "solutions", lambda key: write_solutions(result, key, limit)
    else:
        family, write = "graph", lambda key: write_graph(result, key, limit)
    choice = formats.get(family)
    if choice is None:
        return family, None, b"", False
    body, truncated = write(choice[0])
    return family, choice[1], body, truncated
