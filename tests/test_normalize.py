"""`treatykg normalize`: canonical Turtle, idempotent, the same graph, and the OWL API opens it clean."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pipeline_support import run
from rdflib.compare import isomorphic

from treatykg.core import resources
from treatykg.graph.rdf.load import load

from owlapi_harness import owlapi_check

HEADER = "# TreatyKG ontology: the editors' file."


@pytest.fixture
def ontology_copy(tmp_path) -> Path:
    """A private copy of the editors' file, its statements shuffled as an editor's save might leave them."""
    path = Path(shutil.copy(resources.ontology_file(), tmp_path / "treatykg.ttl"))
    text = path.read_text(encoding="utf-8")
    head, _, body = text.partition("\n\n<https://w3id.org/treatykg/ontology>")
    blocks = ("<https://w3id.org/treatykg/ontology>" + body).split("\n\n")
    path.write_text(head + "\n\n" + "\n\n".join(reversed(blocks)) + "\n", encoding="utf-8")
    return path


def test_the_committed_editors_file_is_in_normal_form(capsys, tmp_path):
    committed = Path(shutil.copy(resources.ontology_file(), tmp_path / "treatykg.ttl"))
    assert run(capsys, "normalize", "--check", committed).code == 0


def test_normalize_is_idempotent_and_keeps_graph_and_header(capsys, ontology_copy):
    original = load(ontology_copy)
    first = run(capsys, "normalize", ontology_copy)
    assert (first.code, first.out) == (0, f"{ontology_copy}: rewritten\n")
    normalized = ontology_copy.read_bytes()
    second = run(capsys, "normalize", ontology_copy)
    assert (second.code, second.out) == (0, f"{ontology_copy}: unchanged\n")
    assert ontology_copy.read_bytes() == normalized
    assert isomorphic(load(ontology_copy), original)
    text = normalized.decode()
    prefixes = text[: text.index("\n\n")].splitlines()
    assert prefixes == sorted(prefixes)
    assert all(line.startswith("PREFIX ") for line in prefixes)
    assert text[text.index("\n\n") + 2 :].startswith(HEADER)
    assert "\n<https://w3id.org/treatykg/ontology>\n    a owl:Ontology ;" in text


def test_check_reports_without_writing(capsys, ontology_copy):
    before = ontology_copy.read_bytes()
    if run(capsys, "normalize", "--check", ontology_copy).code == 1:
        assert ontology_copy.read_bytes() == before
        run(capsys, "normalize", ontology_copy)
    result = run(capsys, "normalize", "--check", ontology_copy)
    assert (result.code, result.out) == (0, f"{ontology_copy}: normalized\n")


def test_the_same_graph_gives_the_same_bytes_however_it_was_written(capsys, tmp_path):
    graph = load(resources.ontology_file())
    variants = [tmp_path / "as-ntriples.ttl", tmp_path / "as-turtle.ttl"]
    graph.serialize(variants[0], format="nt", encoding="utf-8")  # N-Triples is Turtle too
    graph.serialize(variants[1], format="turtle", encoding="utf-8")
    for path in variants:
        assert run(capsys, "normalize", path).code == 0
    assert variants[0].read_bytes() == variants[1].read_bytes()


def test_the_default_is_the_packaged_ontology_and_check_leaves_it_alone(capsys):
    before = resources.ontology_file().read_bytes()
    result = run(capsys, "normalize", "--check")
    assert result.code in (0, 1)
    assert result.out.startswith(f"{resources.ontology_file()}: ")
    assert resources.ontology_file().read_bytes() == before


def test_only_turtle_is_rewritten(capsys, tmp_path):
    path = tmp_path / "ontology.rdf"
    load(resources.ontology_file()).serialize(path, format="xml")
    before = path.read_bytes()
    result = run(capsys, "normalize", path)
    assert (result.code, result.err) == (
        2,
        f"{path}: normalize rewrites Turtle files only; save the file as Turtle first\n",
    )
    assert path.read_bytes() == before


@pytest.mark.java
def test_the_owl_api_opens_the_normalized_ontology_clean(capsys, owltool, ontology_copy):
    before = owlapi_check(ontology_copy)
    run(capsys, "normalize", ontology_copy)
    after = owlapi_check(ontology_copy)
    assert after["clean"] is True
    assert after["unparsed_triple_count"] == 0
    assert after["profile_violations"] == []  # still OWL 2 DL
    assert (after["axiom_count"], after["logical_axiom_count"]) == (
        before["axiom_count"],
        before["logical_axiom_count"],
    )


@pytest.mark.java
def test_the_owl_api_opens_the_normalized_data_file_with_its_import(capsys, owltool, tmp_path):
    # The editors' layout, copied: graph/data/ imports ../../ontology/ through its Protégé catalog.
    for folder, copy in ((resources.ontology_dir(), "ontology"), (resources.data_dir(), "graph/data")):
        (tmp_path / copy).mkdir(parents=True)
        for path in folder.glob("*"):
            if path.suffix in (".ttl", ".xml", ".txt"):
                shutil.copy(path, tmp_path / copy / path.name)
    data = tmp_path / "graph" / "data" / "wikidata-links.ttl"
    before = owlapi_check(data, [data.parent])
    assert run(capsys, "normalize", data).out == f"{data}: rewritten\n"
    after = owlapi_check(data, [data.parent])
    assert after["clean"] is True
    assert after["missing_imports"] == []
    assert after["unparsed_triple_count"] == 0
    assert after["profile_violations"] == []
    assert after["axiom_count"] == before["axiom_count"]
