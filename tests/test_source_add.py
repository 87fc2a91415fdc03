"""`treatykg source add`: the text kept byte for byte, the proposed sentence table, duplicates refused."""

from __future__ import annotations

import hashlib

import packaged
import pytest
from rdflib import RDF, Namespace, URIRef

from treatykg.cli.main import main
from treatykg.core import resources
from treatykg.graph.sources.compile import compile_sheet
from treatykg.graph.sources.entities import load_entities
from treatykg.graph.sources.segment import Entry, changes, propose
from treatykg.graph.sources.yamlsafe import read_yaml

TKG = Namespace("https://w3id.org/treatykg/ontology#")
ARTICLE = resources.graph_dir() / "sources" / packaged.ARTICLE / "text.txt"
KINDS = {TKG.Sentence: "sentence", TKG.Heading: "heading", TKG.Boilerplate: "boilerplate"}


def curated_table() -> list[Entry]:
    """The seed article's curated sentence table, from its compiled sheet."""
    graph = packaged.source(packaged.ARTICLE)
    rows = []
    for cls, kind in KINDS.items():
        for node in graph.subjects(RDF.type, cls):
            start, end = int(graph.value(node, TKG.start)), int(graph.value(node, TKG.end))
            rows.append(Entry(kind, str(graph.value(node, TKG.exact)), start, end))
    return sorted(rows, key=lambda entry: entry.start)


def test_the_proposal_for_the_seed_article_needs_one_change():
    text = ARTICLE.read_text(encoding="utf-8")
    proposed = propose(text)
    curated = curated_table()
    assert [entry.kind for entry in curated].count("sentence") == 13
    assert [entry.kind for entry in curated].count("heading") == 5
    assert [entry.kind for entry in curated].count("boilerplate") == 1
    # Every boundary agrees (bullets are sentences); the curator's one change: the trailing
    # "Find More International News Here" from sentence to boilerplate.
    assert changes(proposed, curated) == 1
    assert [(entry.kind, entry.text) for entry in proposed][-1] == (
        "sentence",
        "Find More International News Here",
    )
    assert [entry.kind for entry in proposed].count("bullet") == 11


def test_us_is_not_a_boundary_and_a_heading_needs_bullets_after_it():
    text = "Talks with the U.S. Officials met. Short line\nAnother short line\n- A bullet. Two sentences.\n"
    assert [(entry.kind, entry.text) for entry in propose(text)] == [
        ("sentence", "Talks with the U.S. Officials met."),
        ("sentence", "Short line"),
        ("heading", "Another short line"),
        ("bullet", "A bullet."),
        ("bullet", "Two sentences."),
    ]


def test_crlf_lines_keep_their_offsets():
    text = "\ufeffFirst line here.\r\nHeading\r\n- Point one.\r\n"
    assert propose(text) == [
        Entry("sentence", "\ufeffFirst line here.", 0, 17),
        Entry("heading", "Heading", 19, 26),
        Entry("bullet", "Point one.", 30, 40),
    ]


def test_source_add_keeps_the_text_and_writes_a_sheet_that_compiles(tmp_path, capsys):
    text = "Russia denounced the CFE in May 2023.\r\nBackground\r\n- The U.S. objected.\r\n"
    path = tmp_path / "My Article.txt"
    path.write_bytes(text.encode("utf-8"))
    into = tmp_path / "sources"
    assert (
        main(["source", "add", str(path), "--into", str(into), "--title", "No: 1990", "--language", "en"])
        == 0
    )
    assert (
        capsys.readouterr().out == f"added {into / 'my-article'}: 3 sentence-table rows proposed in "
        f"{into / 'my-article' / 'sheet.yaml'}\n"
    )
    folder = into / "my-article"
    assert (folder / "text.txt").read_bytes() == text.encode("utf-8")
    sheet = read_yaml(folder / "sheet.yaml")
    assert sheet["source"] == {
        "slug": "my-article",
        "kind": "news",
        "text": "text.txt",
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "title": "No: 1990",
        "language": "en",
    }
    assert sheet["sentences"] == [
        {"sentence": "Russia denounced the CFE in May 2023."},
        {"heading": "Background"},
        {"bullet": "The U.S. objected."},
    ]
    graph, report = compile_sheet(folder / "sheet.yaml", load_entities())
    assert report.outcomes == []
    assert len(list(graph.subjects(RDF.type, TKG.Sentence))) == 2


def test_the_same_text_twice_is_refused_naming_the_existing_source(tmp_path, capsys):
    into = tmp_path / "sources"
    assert main(["source", "add", str(ARTICLE), "--into", str(into)]) == 1
    err = capsys.readouterr().err
    # The packaged source folder (its text and sheet) is the source the message names.
    packaged = resources.graph_dir() / "sources" / "cfe-withdrawal-article" / "text.txt"
    assert err == (
        "the same text (SHA-256 ef84d42e13a66f04204d8d02e05e89c645ae802c18d513b78dff8e41711fb046) is already "
        f"the source cfe-withdrawal-article ({packaged})\n"
    )
    path = tmp_path / "a.txt"
    path.write_text("One sentence.\n", encoding="utf-8")
    assert main(["source", "add", str(path), "--into", str(into), "--slug", "first"]) == 0
    copy = tmp_path / "b.txt"
    copy.write_bytes(path.read_bytes())
    capsys.readouterr()
    assert main(["source", "add", str(copy), "--into", str(into)]) == 1
    digest = hashlib.sha256(b"One sentence.\n").hexdigest()
    assert capsys.readouterr().err == (
        f"the same text (SHA-256 {digest}) is already the source first ({into / 'first' / 'text.txt'})\n"
    )
    assert sorted(entry.name for entry in into.iterdir()) == ["first"]


def test_a_taken_slug_and_unreadable_texts(tmp_path, capsys):
    into = tmp_path / "sources"
    (tmp_path / "a.txt").write_text("One.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Two.\n", encoding="utf-8")
    assert main(["source", "add", str(tmp_path / "a.txt"), "--into", str(into), "--slug", "same"]) == 0
    capsys.readouterr()
    assert main(["source", "add", str(tmp_path / "b.txt"), "--into", str(into), "--slug", "same"]) == 1
    assert capsys.readouterr().err == (
        f"a source with the slug same already exists; give another --slug ({into / 'same'})\n"
    )
    (tmp_path / "latin1.txt").write_bytes("caf\xe9\n".encode("latin-1"))
    assert main(["source", "add", str(tmp_path / "latin1.txt"), "--into", str(into)]) == 2
    assert capsys.readouterr().err == f"{tmp_path / 'latin1.txt'}: the text is not UTF-8 (byte 3)\n"
    assert main(["source", "add", str(tmp_path / "missing.txt"), "--into", str(into)]) == 2
    assert (
        capsys.readouterr().err
        == f"{tmp_path / 'missing.txt'}: cannot read the text: No such file or directory\n"
    )
    assert sorted(entry.name for entry in into.iterdir()) == ["same"]


@pytest.mark.parametrize("kind", ["news", "statement", "note"])
def test_the_kind_becomes_the_source_class(tmp_path, kind):
    path = tmp_path / "t.txt"
    path.write_text(f"A {kind} text.\n", encoding="utf-8")
    assert main(["source", "add", str(path), "--into", str(tmp_path / "s"), "--kind", kind]) == 0
    graph, _ = compile_sheet(tmp_path / "s" / "t" / "sheet.yaml", load_entities())
    classes = {"news": TKG.NewsArticle, "statement": TKG.OfficialStatement, "note": TKG.CuratedNote}
    assert list(graph.subjects(RDF.type, classes[kind])) == [URIRef("https://w3id.org/treatykg/source/t")]
