"""The seed article's statement sheet: it compiles, and its graph is the hand-written graph moved to accounts
plus the listed corrections, and nothing else. The hand-written graph the build loaded before the sheet
replaced it is frozen in tests/fixtures as it was last shipped."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.compare import graph_diff, to_isomorphic

from treatykg.cli.main import main
from treatykg.core import iris, resources
from treatykg.graph.rdf.load import load
from treatykg.graph.sources.compile import compile_sheet
from treatykg.graph.sources.entities import entities_graph, load_entities
from treatykg.graph.sources.terms import ontology_terms

TKG = Namespace(iris.TKG)
ID = Namespace(iris.ID)
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SLUG = "cfe-withdrawal-article"
SHEET = resources.graph_dir() / "sources" / SLUG / "sheet.yaml"
TEXT = SHEET.with_name("text.txt")
HAND_WRITTEN = Path(__file__).parent / "fixtures" / "cfe-withdrawal-article-handwritten.ttl"
# SHA-256 of the seed article as the user gave it (test_article.py holds the shipped text to it).
SEED_SHA256 = "ef84d42e13a66f04204d8d02e05e89c645ae802c18d513b78dff8e41711fb046"
# What the move takes from each event to its account, unchanged; tkg:happenedAfter becomes tkg:claimsAfter.
MOVED = ("epistemicStatus", "accordingTo", "timeSpan", "temporalQualifier", "source", "attestedBy")


def account(event: URIRef) -> URIRef:
    """The article's account of an event."""
    return URIRef(f"{event}/account/{SLUG}")


def move_to_accounts(graph: Graph) -> Graph:
    """The hand-written graph with each event's voice, speaker, time, qualifier, order, source and anchors
    moved onto the article's account of it (`<event>/account/<slug>`), and what the entity sheet says of the
    shared entities (class, label, names at every time) moved to the entities graph: the mechanical move,
    nothing else."""
    moved = Graph()
    shared = entities_graph(load_entities())
    for triple in graph:
        if triple not in shared:
            moved.add(triple)
    terms = ontology_terms()
    events = {
        subject
        for subject, cls in graph.subject_objects(RDF.type)
        if str(cls).startswith(iris.TKG) and terms.is_a(str(cls)[len(iris.TKG) :], "Event")
    }
    for event in events:
        moved.add((account(event), RDF.type, TKG.Account))
        moved.add((account(event), TKG.accountOf, event))
        for name in MOVED:
            for value in graph.objects(event, TKG[name]):
                moved.remove((event, TKG[name], value))
                moved.add((account(event), TKG[name], value))
        for earlier in graph.objects(event, TKG.happenedAfter):
            moved.remove((event, TKG.happenedAfter, earlier))
            moved.add((account(event), TKG.claimsAfter, earlier))
        for later in graph.objects(event, TKG.happenedBefore):
            moved.remove((event, TKG.happenedBefore, later))
            moved.add((account(URIRef(later)), TKG.claimsAfter, event))
    return moved


CONDEMNED = ID["proposition/cfe-withdrawal-condemnable"]
RELIC = ID["event/cfe-relic-of-the-cold-war"]
HALT_2015 = ID["event/russia-completely-withdraws-from-cfe-2015"]
FAILURE = ID["event/us-and-allies-fail-to-ratify-adapted-cfe"]

# The intended differences (issue 13): each correction, and nothing else.
ONLY_IN_THE_HAND_WRITTEN_GRAPH = {
    # "the alliance" is an anaphor, resolved per statement, never a name of NATO.
    (ID["organization/nato"], SKOS.altLabel, Literal("the alliance", lang="en")),
    # Without it the article names nothing beyond the entity sheet's names: it declares no skos:altLabel.
    (SKOS.altLabel, RDF.type, OWL.AnnotationProperty),
    # The 2015 "complete withdrawal" is Russia's halt of participation, not a withdrawal taking effect.
    (HALT_2015, RDF.type, TKG.Withdrawal),
    # Not the article's wording.
    (CONDEMNED, RDFS.label, Literal("Russia’s CFE withdrawal deserves condemnation", lang="en")),
    # The heading sums up the Russian Foreign Ministry's argument: not the article's own voice.
    (account(RELIC), TKG.epistemicStatus, TKG.ReportedBySource),
}
ONLY_IN_THE_SHEETS_GRAPH = {
    (HALT_2015, RDF.type, TKG.CessationOfParticipation),
    # NATO's word for it, kept as the article's claim.
    (account(HALT_2015), TKG.claimedClass, TKG.Withdrawal),
    (CONDEMNED, RDFS.label, Literal("condemned Russia’s CFE withdrawal", lang="en")),
    (account(RELIC), TKG.epistemicStatus, TKG.AttributedToSpeaker),
    (account(RELIC), TKG.accordingTo, ID["organization/russian-foreign-ministry"]),
    # The article names the United States among "the U.S. and its allies".
    (FAILURE, TKG.actingMember, ID["state/united-states"]),
    # The failure to ratify is about the ratification the linkage of sentence 9 made conditional.
    (FAILURE, TKG.about, ID["event/adapted-cfe-ratification"]),
}


@pytest.fixture(scope="module")
def compiled():
    """The sheet compiled as `treatykg sheet compile` does: the packaged data files as known acts."""
    entities = load_entities()
    for path in resources.data_files():
        entities.add_acts(load(path))
    return compile_sheet(SHEET, entities)


def test_the_hand_written_graph_is_frozen_as_last_shipped():
    # The fixture is the file the build loaded before the sheet replaced it; it names the seed text's SHA.
    graph = Graph().parse(HAND_WRITTEN)
    source = URIRef(iris.BASE + f"source/{SLUG}")
    assert str(graph.value(source, TKG.textSha256)) == SEED_SHA256
    assert len(graph) == 1146
    assert not (resources.data_dir() / f"{SLUG}.ttl").exists()


def test_the_sheets_text_is_the_articles_bytes():
    assert hashlib.sha256(TEXT.read_bytes()).hexdigest() == SEED_SHA256
    # One copy of the text: the sheet's.
    assert not (resources.data_dir() / f"{SLUG}.txt").exists()


def test_the_sheet_keeps_every_iri_and_joins_nothing(compiled):
    # The packaged graph is the article's own: its acts are kept by IRI, never joined as another source's.
    _, report = compiled
    assert (len(report.of("keep")), report.of("join"), report.of("mint")) == (48, [], [])
    assert [(claim.key, claim.iri) for claim in report.of("claim")] == [
        ("russia-completely-withdraws-from-cfe-2015", iris.TKG + "Withdrawal")
    ]
    assert report.writebacks == []
    assert report.graph_name == iris.source_graph(SLUG)


def test_the_sheets_graph_is_the_hand_written_graph_moved_to_accounts_with_the_corrections(compiled):
    graph, _ = compiled
    today = move_to_accounts(Graph().parse(HAND_WRITTEN))
    _, only_today, only_sheet = graph_diff(to_isomorphic(today), to_isomorphic(graph))
    assert set(only_today) == ONLY_IN_THE_HAND_WRITTEN_GRAPH
    assert set(only_sheet) == ONLY_IN_THE_SHEETS_GRAPH


def test_the_move_puts_every_voice_on_an_account():
    today = move_to_accounts(Graph().parse(HAND_WRITTEN))
    assert len(set(today.subjects(RDF.type, TKG.Account))) == 33
    assert not set(today.subjects(TKG.happenedAfter, None))
    assert set(today.subjects(TKG.epistemicStatus, None)) == {
        account(event) for event in today.objects(None, TKG.accountOf)
    }


def test_the_sheets_graph_has_the_articles_shape(compiled):
    graph, _ = compiled
    counts = {
        name: len(set(graph.subjects(RDF.type, TKG[name])))
        for name in ("Account", "Proposition", "TextSpan", "Sentence", "Heading", "Boilerplate", "TimeSpan")
    }
    assert counts == {
        "Account": 33,
        "Proposition": 15,
        "TextSpan": 72,
        "Sentence": 13,
        "Heading": 5,
        "Boilerplate": 1,
        "TimeSpan": 6,
    }
    assert len(graph) == len(move_to_accounts(Graph().parse(HAND_WRITTEN))) + 3 - 1


def test_the_command_compiles_the_packaged_sheet_and_writes_nothing(capsys):
    before = SHEET.read_bytes()
    assert main(["sheet", "compile", str(SHEET), "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2:] == [
        f"{SHEET}: graph <{iris.source_graph(SLUG)}>, 1166 triples; "
        "0 join(s), 0 mint(s), 48 keep(s), 1 claim(s)",
        "dry run: nothing written (0 IRI(s) to write back)",
    ]
    assert SHEET.read_bytes() == before
