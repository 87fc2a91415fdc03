"""The `treatykg` command line: subcommand registry, `info`, `--version` and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from treatykg.cli.main import main

ONTOLOGY = """\
@prefix : <http://example.org/o#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<http://example.org/o> a owl:Ontology ; owl:versionIRI <http://example.org/o/1> .
:A a owl:Class .
:B a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :A ] .
:p a owl:ObjectProperty .
:q a owl:DatatypeProperty .
:note a owl:AnnotationProperty .
:x a owl:NamedIndividual .
:y a :A .
"""


def test_info_summarises_a_file(tmp_path, capsys):
    path = tmp_path / "o.ttl"
    path.write_text(ONTOLOGY, encoding="utf-8")
    assert main(["info", str(path)]) == 0
    assert capsys.readouterr().out == (
        "ontology IRI:          http://example.org/o\n"
        "version IRI:           http://example.org/o/1\n"
        "classes:               2\n"
        "object properties:     1\n"
        "datatype properties:   1\n"
        "annotation properties: 1\n"
        "individuals:           2\n"
    )


def test_info_json(tmp_path, capsys):
    path = tmp_path / "o.ttl"
    path.write_text(ONTOLOGY, encoding="utf-8")
    assert main(["info", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "ontology_iri": "http://example.org/o",
        "version_iri": "http://example.org/o/1",
        "classes": 2,
        "object_properties": 1,
        "datatype_properties": 1,
        "annotation_properties": 1,
        "individuals": 2,
    }


def test_info_without_a_file_reads_the_packaged_ontology(capsys):
    assert main(["info"]) == 0
    assert capsys.readouterr().out.startswith("ontology IRI:          https://w3id.org/treatykg/ontology\n")


def test_info_syntax_error_exits_2_with_file_and_line(tmp_path, capsys):
    path = tmp_path / "broken.ttl"
    path.write_text(ONTOLOGY + '\n:z rdfs:label "unterminated .\n:w a :A .\n', encoding="utf-8")
    assert main(["info", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"{path}:14: newline found in string literal\n"


def test_info_missing_file_exits_2(tmp_path, capsys):
    assert main(["info", str(tmp_path / "absent.owl")]) == 2
    assert capsys.readouterr().err == f"{tmp_path / 'absent.owl'}: no such file\n"


def test_version_comes_from_the_distribution(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"treatykg {version('treatykg')}\n"


def test_no_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    assert "the following arguments are required: COMMAND" in capsys.readouterr().err


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "treatykg"
    completed = subprocess.run([script, "--version"], capture_output=True, text=True, check=True)
    assert completed.stdout == f"treatykg {version('treatykg')}\n"
