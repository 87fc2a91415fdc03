"""The RDF loader: every syntax, errors that name file:line, OWL-only syntaxes refused, nothing fetched."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from treatykg.core.errors import InputError
from treatykg.graph.rdf.load import detect_format, load

EX = "http://example.org/"
TRIPLE = (URIRef(EX + "a"), URIRef(EX + "b"), Literal("c", lang="en"))
GRAPH = URIRef(EX + "g")

TURTLE = f'@prefix ex: <{EX}> .\n\nex:a ex:b "c"@en .\n'
RDF_XML = f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="{EX}">
  <rdf:Description rdf:about="{EX}a"><ex:b xml:lang="en">c</ex:b></rdf:Description>
</rdf:RDF>
"""
# Protégé's RDF/XML declares internal entities for namespaces; those are fine, only external ones are not.
PROTEGE_RDF_XML = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
    <!ENTITY ex "{EX}" >
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="&ex;">
  <rdf:Description rdf:about="&ex;a"><ex:b xml:lang="en">c</ex:b></rdf:Description>
</rdf:RDF>
"""
JSON_LD = f"""{{
  "@context": {{"ex": "{EX}"}},
  "@id": "ex:a",
  "ex:b": {{"@value": "c", "@language": "en"}}
}}
"""
JSON_LD_ARRAY = f'[{{"@id": "{EX}a", "{EX}b": [{{"@value": "c", "@language": "en"}}]}}]\n'
N_TRIPLES = f'<{EX}a> <{EX}b> "c"@en .\n'

OWL_XML = """<?xml version="1.0"?>
<Ontology xmlns="http://www.w3.org/2002/07/owl#"
     xml:base="http://example.org/o"
     xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
     ontologyIRI="http://example.org/o">
    <Declaration><Class IRI="#A"/></Declaration>
</Ontology>
"""
MANCHESTER = """Prefix: : <http://example.org/o#>
Prefix: owl: <http://www.w3.org/2002/07/owl#>

Ontology: <http://example.org/o>

Class: A
"""
FUNCTIONAL = """Prefix(:=<http://example.org/o#>)
Prefix(owl:=<http://www.w3.org/2002/07/owl#>)

Ontology(<http://example.org/o>
Declaration(Class(:A))
)
"""
SAVE_AS = "in Protégé use File > Save as... and choose Turtle Syntax or RDF/XML Syntax"


def write(folder: Path, name: str, text: str) -> Path:
    """Write a UTF-8 file and return its path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> InputError:
    """The InputError that loading `path` raises."""
    with pytest.raises(InputError) as raised:
        load(path)
    return raised.value


@pytest.mark.parametrize(
    ("name", "text", "rdf_format"),
    [
        ("data.ttl", TURTLE, "turtle"),
        ("data.rdf", RDF_XML, "xml"),
        ("data.owl", RDF_XML, "xml"),
        ("protege.owl", PROTEGE_RDF_XML, "xml"),
        ("turtle-saved-as.owl", TURTLE, "turtle"),
        ("data.jsonld", JSON_LD, "json-ld"),
        ("array.json", JSON_LD_ARRAY, "json-ld"),
        ("data.nt", N_TRIPLES, "nt"),
        ("rdf-xml-named.ttl", RDF_XML, "xml"),
    ],
)
def test_triple_syntaxes_load(tmp_path, name, text, rdf_format):
    path = write(tmp_path, name, text)
    assert detect_format(path) == rdf_format
    graph = load(path)
    assert type(graph) is Graph
    assert set(graph) == {TRIPLE}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("data.nq", f'<{EX}a> <{EX}b> "c"@en <{EX}g> .\n'),
        ("data.trig", f'@prefix ex: <{EX}> .\nex:g {{ ex:a ex:b "c"@en . }}\n'),
    ],
)
def test_quad_syntaxes_load_into_a_dataset(tmp_path, name, text):
    dataset = load(write(tmp_path, name, text))
    assert isinstance(dataset, Dataset)
    assert set(dataset.quads()) == {(*TRIPLE, GRAPH)}


def test_quads_into_a_plain_graph_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError, match="load it into a Dataset"):
        load(write(tmp_path, "data.nq", f'<{EX}a> <{EX}b> "c"@en <{EX}g> .\n'), Graph())


def test_load_adds_to_a_given_graph(tmp_path):
    graph = Graph()
    assert load(write(tmp_path, "data.ttl", TURTLE), graph) is graph
    assert set(graph) == {TRIPLE}


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("turtle.ttl", TURTLE + 'ex:a ex:b "unterminated .\nex:a ex:b ex:c .\n', 4),
        ("missing-dot.ttl", TURTLE + "ex:a ex:b ex:c\nex:d ex:e ex:f .\n", 5),
        ("graph.trig", f"@prefix ex: <{EX}> .\nex:g {{\n  ex:a ex:b ex:c\n  ex:d }}\n", 4),
        ("lines.nt", N_TRIPLES + N_TRIPLES + f"<{EX}a> <{EX}b> c .\n" + N_TRIPLES, 3),
        ("quads.nq", N_TRIPLES + "\n" + f"<{EX}a> <{EX}b> <{EX}c> <{EX}g> <{EX}x> .\n", 3),
        ("data.jsonld", '{\n  "@id": "http://example.org/a",\n  "http://example.org/b": ,\n}\n', 3),
        ("tags.rdf", RDF_XML.replace("</rdf:Description>", "</rdf:Descr>"), 3),
        ("node.rdf", RDF_XML.replace("rdf:Description", "rdf:li"), 3),
    ],
)
def test_syntax_errors_name_file_and_line(tmp_path, name, text, line):
    path = write(tmp_path, name, text)
    error = load_error(path)
    assert (error.path, error.line) == (str(path), line)
    assert str(error).startswith(f"{path}:{line}: ")
    assert len(error.message) > 0


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.nt"
    path.write_bytes(N_TRIPLES.encode() * 2 + f'<{EX}a> <{EX}b> "caf\xe9" .\n'.encode("latin-1"))
    assert str(load_error(path)) == f"{path}:3: not UTF-8 text (invalid continuation byte)"


@pytest.mark.parametrize(
    ("name", "text", "syntax", "line"),
    [
        ("ontology.owl", OWL_XML, "OWL/XML", 2),
        ("ontology.rdf", OWL_XML, "OWL/XML", 2),
        ("ontology.owx", "", "OWL/XML", 1),
        ("ontology.owl", MANCHESTER, "Manchester syntax", 1),
        ("commented.ttl", "# saved by hand\n\n" + MANCHESTER, "Manchester syntax", 3),
        ("ontology.omn", "", "Manchester syntax", 1),
        ("ontology.owl", FUNCTIONAL, "OWL functional syntax", 1),
        ("ontology.ofn", "", "OWL functional syntax", 1),
    ],
)
def test_owl_only_syntaxes_are_refused_with_what_to_save_as(tmp_path, name, text, syntax, line):
    path = write(tmp_path, name, text)
    assert str(load_error(path)) == f"{path}:{line}: {syntax} is not supported; {SAVE_AS}"


def test_missing_file_is_named(tmp_path):
    assert str(load_error(tmp_path / "absent.ttl")) == f"{tmp_path / 'absent.ttl'}: no such file"


def test_directory_is_not_a_file(tmp_path):
    assert str(load_error(tmp_path)) == f"{tmp_path}: is a directory, not an RDF file"


@pytest.fixture
def no_network(monkeypatch):
    """Record, and fail, every attempt to resolve a host, open a socket connection or a URL."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access attempted in a test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return attempts


@pytest.mark.parametrize(
    ("document", "reference", "line"),
    [
        (
            '{\n  "@context": "https://schema.org/",\n  "@id": "http://example.org/a"\n}\n',
            "https://schema.org/",
            2,
        ),
        (
            '{"@context": [\n    {"ex": "http://example.org/"},\n    "http://example.org/ctx.jsonld"\n]}',
            "http://example.org/ctx.jsonld",
            3,
        ),
        # A scoped context inside a term definition, and a JSON-LD 1.1 @import, would be fetched as well.
        (
            '{"@context": {"ex": {"@id": "http://example.org/p",\n "@context": "http://example.org/scoped"}}}\n',
            "http://example.org/scoped",
            2,
        ),
        ('{"@context": {\n"@import": "http://example.org/imported"}}\n', "http://example.org/imported", 2),
        ('{"@context": "context.jsonld", "@id": "http://example.org/a"}\n', "context.jsonld", 1),
    ],
)
def test_json_ld_context_by_reference_is_refused_without_a_request(
    tmp_path, no_network, document, reference, line
):
    path = write(tmp_path, "data.jsonld", document)
    assert str(load_error(path)) == (
        f"{path}:{line}: JSON-LD context {reference!r} is a reference; "
        "TreatyKG never fetches contexts, inline it"
    )
    assert no_network == []


def test_json_ld_with_inline_context_needs_no_network(tmp_path, no_network):
    assert set(load(write(tmp_path, "data.jsonld", JSON_LD))) == {TRIPLE}
    assert no_network == []


@pytest.mark.parametrize("parameter", ["", "% "])
def test_rdf_xml_external_entity_is_refused_and_never_read(tmp_path, parameter, no_network):
    secret = write(tmp_path, "secret.txt", "TOP-SECRET-4711\n")
    reference = "%leak;" if parameter else ""
    body = "&leak;" if not parameter else "c"
    path = write(
        tmp_path,
        "xxe.rdf",
        f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY ex "{EX}">
  <!ENTITY {parameter}leak SYSTEM "{secret.as_uri()}">
  {reference}
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="{EX}">
  <rdf:Description rdf:about="{EX}a"><ex:b>{body}</ex:b></rdf:Description>
</rdf:RDF>
""",
    )
    error = load_error(path)
    assert str(error) == f"{path}:4: external entity 'leak' is not allowed in RDF/XML"
    assert "TOP-SECRET" not in str(error)
    assert no_network == []
