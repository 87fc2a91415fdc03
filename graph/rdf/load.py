"""Load any RDF file into rdflib, choosing its syntax by extension and content; errors name file:line."""

from __future__ import annotations

import json
import os
import re
import xml.parsers.expat
from pathlib import Path
from xml.sax import SAXParseException

from rdflib import Dataset, Graph
from rdflib.exceptions import ParserError
from rdflib.parser import InputSource
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.plugins.parsers.nquads import NQuadsParser
from rdflib.plugins.parsers.ntriples import NTGraphSink, W3CNTriplesParser

from treatykg.core.errors import InputError

# rdflib plugin names by file extension. ".owl" is missing on purpose: Protégé writes RDF/XML, OWL/XML or
# Turtle under that name, so only the content can tell; Turtle (a superset of N-Triples) is the fallback.
FORMAT_BY_SUFFIX = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".n3": "n3",
    ".rdf": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
}
QUAD_FORMATS = frozenset({"nquads", "trig"})

# Syntaxes the OWL API reads but rdflib does not; Protégé re-saves them in one TreatyKG reads.
SAVE_AS_HINT = "in Protégé use File > Save as... and choose Turtle Syntax or RDF/XML Syntax"
REFUSED_BY_SUFFIX = {".owx": "OWL/XML", ".omn": "Manchester syntax", ".ofn": "OWL functional syntax"}

_HEAD_BYTES = 16384
_XML_START = re.compile(r"<\?xml\b|<!DOCTYPE\b|<!--|<(?:rdf:RDF|owl:Ontology|Ontology)[\s>]")
_XML_PROLOG_ITEM = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)", re.DOTALL)
_XML_ROOT = re.compile(r"<(?:[\w.-]+:)?([\w.-]+)([^>]*)>")
_RDF_NODE_ATTRIBUTE = re.compile(r"\brdf:(?:about|ID|nodeID)\s*=")
# A JSON document opens with an object or array of strings/objects; Turtle's "[" and TriG's "{" never do.
_JSON_START = re.compile(r"[{\[]\s*[\"{}\]]")
_OWL_TEXT_SYNTAXES = (
    (re.compile(r"Prefix:\s+[\w.-]*:\s*<|Ontology:"), "Manchester syntax"),
    (re.compile(r"(?:Prefix|Ontology)\s*\("), "OWL functional syntax"),
)
_HASH_COMMENT_LINE = re.compile(r"^[ \t]*#[^\n]*", re.MULTILINE)
_XML_ERROR_POSITION = re.compile(r":(\d+):\d+: (.*)\Z", re.DOTALL)
_LINE_BASED_NAMES = {"nt": "N-Triples", "nquads": "N-Quads"}


def load(path: str | os.PathLike[str], graph: Graph | None = None) -> Graph:
    """Parse the RDF file at `path` into `graph` (default: a new Graph, or a Dataset for quad syntaxes)."""
    path = Path(path)
    rdf_format = detect_format(path)
    if graph is None:
        graph = Dataset() if rdf_format in QUAD_FORMATS else Graph()
    elif rdf_format in QUAD_FORMATS and not graph.context_aware:
        raise ValueError(f"{path}: {rdf_format} holds named graphs; load it into a Dataset")
    _PARSERS.get(rdf_format, _parse_notation3)(path, rdf_format, graph)
    return graph


def detect_format(path: Path) -> str:
    """The rdflib format name for the file at `path`; InputError if it is unreadable or in an OWL syntax."""
    suffix = path.suffix.lower()
    if suffix in REFUSED_BY_SUFFIX:
        raise _refused(path, REFUSED_BY_SUFFIX[suffix], 1)
    return _sniff(path, _read_head(path)) or FORMAT_BY_SUFFIX.get(suffix, "turtle")


def _read_head(path: Path) -> str:
    """The first bytes of the file as text, or InputError naming why it can't be read."""
    try:
        with path.open("rb") as stream:
            head = stream.read(_HEAD_BYTES)
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except IsADirectoryError:
        raise InputError("is a directory, not an RDF file", path) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", path) from None
    return head.decode("utf-8", errors="replace").removeprefix("\ufeff")


def _sniff(path: Path, head: str) -> str | None:
    """The format the content alone proves, InputError for OWL-only syntaxes, else None."""
    start = len(head) - len(head.lstrip())
    if _XML_START.match(head, start):
        _refuse_owl_xml(path, head)
        return "xml"
    if _JSON_START.match(head, start):
        return "json-ld"
    # Blank out comment lines (keeping offsets) so a header comment doesn't hide what follows it.
    text = _HASH_COMMENT_LINE.sub(lambda comment: " " * len(comment.group()), head)
    start = len(text) - len(text.lstrip())
    for pattern, syntax in _OWL_TEXT_SYNTAXES:
        if pattern.match(text, start):
            raise _refused(path, syntax, _line_at(text, start))
    return None


def _refuse_owl_xml(path: Path, head: str) -> None:
    """Raise InputError if the XML's root element is OWL/XML's <Ontology>, not an RDF/XML node."""
    position = 0
    while item := _XML_PROLOG_ITEM.match(head, position):
        position = item.end()
    root = _XML_ROOT.search(head, position)
    if root and root.group(1) == "Ontology" and not _RDF_NODE_ATTRIBUTE.search(root.group(2)):
        raise _refused(path, "OWL/XML", _line_at(head, root.start()))


def _refused(path: Path, syntax: str, line: int) -> InputError:
    """The error for a file in an OWL syntax that rdflib does not read."""
    return InputError(f"{syntax} is not supported; {SAVE_AS_HINT}", path, line)


def _line_at(text: str, offset: int) -> int:
    """The 1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1


def _parse_notation3(path: Path, rdf_format: str, graph: Graph) -> None:
    """Parse Turtle, TriG or N3 with rdflib's notation3 parser, whose BadSyntax knows the line."""
    try:
        graph.parse(path, format=rdf_format)
    except BadSyntax as error:
        # BadSyntax keeps the reason and a 0-based line; its str() quotes the file's bytes around the error.
        raise InputError(error._why, path, error.lines + 1) from None
    except UnicodeDecodeError:
        raise _not_utf8(path) from None


def _parse_rdf_xml(path: Path, rdf_format: str, graph: Graph) -> None:
    """Parse RDF/XML with rdflib's expat-based parser after refusing external entities."""
    _refuse_external_entities(path)
    try:
        graph.parse(path, format=rdf_format)
    except SAXParseException as error:
        raise InputError(error.getMessage(), path, error.getLineNumber()) from None
    except ParserError as error:
        # rdflib's RDF/XML handler puts the position in the text: "<system id>:<line>:<column>: <message>".
        position = _XML_ERROR_POSITION.search(str(error))
        if position is None:
            raise InputError(str(error), path) from None
        raise InputError(position.group(2), path, int(position.group(1))) from None


def _refuse_external_entities(path: Path) -> None:
    """Raise InputError if the DTD declares an external entity (XXE); reading stops at the root element."""
    # rdflib would silently drop such an entity's text; a file that declares one is wrong or hostile.

    def on_entity(name, _is_parameter, _value, _base, system_id, public_id, _notation):
        if system_id is not None or public_id is not None:
            message = f"external entity {name!r} is not allowed in RDF/XML"
            raise InputError(message, path, parser.CurrentLineNumber)

    def on_root_element(_name, _attributes):
        raise StopIteration

    parser = xml.parsers.expat.ParserCreate()
    parser.EntityDeclHandler = on_entity
    parser.StartElementHandler = on_root_element
    try:
        with path.open("rb") as stream:
            parser.ParseFile(stream)
    except StopIteration:
        return
    except xml.parsers.expat.ExpatError as error:
        raise InputError(xml.parsers.expat.ErrorString(error.code), path, error.lineno) from None


def _parse_json_ld(path: Path, rdf_format: str, graph: Graph) -> None:
    """Parse JSON-LD whose contexts are all inline; rdflib would fetch a context given by reference."""
    text = _read_text(path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(error.msg, path, error.lineno) from None
    for reference in _context_references(document):
        quoted = text.find(json.dumps(reference))
        message = f"JSON-LD context {reference!r} is a reference; TreatyKG never fetches contexts, inline it"
        raise InputError(message, path, _line_at(text, quoted) if quoted >= 0 else None)
    # rdflib takes a parsed document only as a dict; a top-level array means the same as a top-level @graph.
    data = document if isinstance(document, dict) else {"@graph": document}
    graph.parse(
        data=data,  # type: ignore[arg-type]  # rdflib's JSON-LD parser takes a parsed document too
        format=rdf_format,
        publicID=path.absolute().as_uri(),
    )


def _context_references(document: object) -> list[str]:
    """Every @context or @import value in the document that names a context instead of holding one."""
    references: list[str] = []
    pending = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key in ("@context", "@import"):
                    entries = value if isinstance(value, list) else [value]
                    references.extend(entry for entry in entries if isinstance(entry, str))
                pending.append(value)
    return references


class _LineCounting(W3CNTriplesParser):
    """Mixin for rdflib's line-based parsers: count lines so an error can name its line."""

    lineno = 0

    def readline(self) -> str | None:
        """Read one line and count it."""
        self.lineno += 1
        return super().readline()


class _NTriplesParser(_LineCounting, W3CNTriplesParser):
    """rdflib's N-Triples parser, counting lines."""


class _NQuadsParser(_LineCounting, NQuadsParser):
    """rdflib's N-Quads parser, counting lines."""


def _parse_line_based(path: Path, rdf_format: str, graph: Graph) -> None:
    """Parse N-Triples or N-Quads, reporting the line of the first bad statement."""
    # rdflib's own entry point reports the bad line's text but not its number, so drive its parser here.
    parser: _LineCounting = _NQuadsParser() if rdf_format == "nquads" else _NTriplesParser(NTGraphSink(graph))
    # Universal-newline text mode, so a CRLF split across the parser's read buffer still counts as one line.
    with path.open(encoding="utf-8") as stream:
        try:
            if isinstance(parser, _NQuadsParser):
                source = InputSource()
                source.setCharacterStream(stream)
                parser.parse(source, graph)
            else:
                parser.parse(stream)
        except ParserError:
            message = f"invalid {_LINE_BASED_NAMES[rdf_format]} statement"
            raise InputError(message, path, parser.lineno) from None
        except UnicodeDecodeError:
            raise _not_utf8(path) from None


def _read_text(path: Path) -> str:
    """The whole file as UTF-8 text, or InputError at the line of the first undecodable byte."""
    try:
        return path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise _not_utf8(path) from None


def _not_utf8(path: Path) -> InputError:
    """InputError at the line of the file's first byte that is not UTF-8."""
    # Parsers decode in chunks, so their error offsets are chunk-relative; decode the whole file once more.
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return InputError(f"not UTF-8 text ({error.reason})", path, raw.count(b"\n", 0, error.start) + 1)
    return InputError("not UTF-8 text", path)


_PARSERS = {
    "xml": _parse_rdf_xml,
    "json-ld": _parse_json_ld,
    "nt": _parse_line_based,
    "nquads": _parse_line_based,
}
