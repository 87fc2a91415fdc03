"""The team's curated CFE note and the test-only conflicting report: both compile against the article's acts,
with exact joins, mints and the values each account holds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import packaged
import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from treatykg.core import resources
from treatykg.core.iris import RECONCILED_GRAPH
from treatykg.graph.sources.compile import Report, compile_sheet
from treatykg.graph.sources.entities import Entities, load_entities

TKG = Namespace("https://w3id.org/treatykg/ontology#")
ID = "https://w3id.org/treatykg/id/"
NOTE = resources.graph_dir() / "sources" / "cfe-treaty-record" / "sheet.yaml"
CONFLICTING = Path(__file__).parent / "fixtures" / "sources" / "conflicting-report" / "sheet.yaml"


@pytest.fixture(scope="module")
def entities() -> Entities:
    """The packaged entity sheet, with the article's acts known (its compiled sheet)."""
    found = load_entities()
    found.add_acts(packaged.source(packaged.ARTICLE))
    return found


def compiled(sheet: Path, entities: Entities, tmp_path: Path) -> tuple[Graph, Report]:
    """Compile a copy of the sheet's folder, so the packaged files stay as shipped."""
    folder = tmp_path / sheet.parent.name
    shutil.copytree(sheet.parent, folder)
    return compile_sheet(folder / "sheet.yaml", entities)


def span(graph: Graph, account: URIRef) -> tuple[str, str]:
    """The earliest and latest bound of an account's time span."""
    node = graph.value(account, TKG.timeSpan)
    return str(graph.value(node, TKG.earliest)), str(graph.value(node, TKG.latest))


def test_the_note_joins_the_articles_acts_and_mints_the_rest(entities: Entities, tmp_path: Path) -> None:
    graph, report = compiled(NOTE, entities, tmp_path)
    assert {outcome.key: outcome.iri for outcome in report.of("join")} == {
        "cfe-signing": ID + "event/cfe-signing",
        "russia-suspension-2007": ID + "event/russia-suspends-cfe-participation-2007",
        "russia-halts-participation-2015": ID + "event/russia-completely-withdraws-from-cfe-2015",
        "russia-denunciation": ID + "event/2023-05-russia-denounces-cfe",
        "russia-withdrawal": ID + "event/russia-withdraws-from-cfe",
    }
    # Every minted IRI is written back in the packaged sheet, so compiling it mints nothing.
    assert report.of("mint") == []
    assert len(report.of("keep")) == 10
    # The article names no signatory: the note's account claims the group that signed. The 2015 act is a
    # tkg:CessationOfParticipation in both (the article's account claims NATO's word, a withdrawal).
    assert [(outcome.key, outcome.iri) for outcome in report.of("claim")] == [
        ("cfe-signing", ID + "group/cfe-signatories-1990")
    ]
    assert set(graph.subjects(TKG.citesReference, None)) == {
        URIRef("https://w3id.org/treatykg/source/cfe-treaty-record")
    }
    assert len(list(graph.objects(None, TKG.citesReference))) == 18


def test_the_note_dates_the_withdrawal_after_the_denunciation(entities: Entities, tmp_path: Path) -> None:
    graph, _ = compiled(NOTE, entities, tmp_path)
    account = URIRef(ID + "event/russia-withdraws-from-cfe/account/cfe-treaty-record")
    denunciation = URIRef(ID + "event/2023-05-russia-denounces-cfe")
    assert span(graph, account) == ("2023-11-07T00:00:00+00:00", "2023-11-07T23:59:59+00:00")
    assert list(graph.objects(account, TKG.claimsAfter)) == [denunciation]
    assert span(graph, URIRef(str(denunciation) + "/account/cfe-treaty-record")) == (
        "2023-05-29T00:00:00+00:00",
        "2023-05-29T23:59:59+00:00",
    )
    signing = URIRef(ID + "event/cfe-signing/account/cfe-treaty-record")
    assert span(graph, signing) == ("1990-11-19T00:00:00+00:00", "1990-11-19T23:59:59+00:00")
    # No day is given for the United States' ratification: the span is bounded by the references.
    ratification = URIRef(ID + "event/united-states-ratifies-cfe/account/cfe-treaty-record")
    assert span(graph, ratification) == ("1991-11-25T00:00:00+00:00", "1992-07-10T23:59:59+00:00")


def test_the_notes_group_acts_name_their_members(entities: Entities, tmp_path: Path) -> None:
    graph, _ = compiled(NOTE, entities, tmp_path)
    suspension = URIRef(ID + "event/2023-12-07-nato-allies-suspend-cfe-operation")
    assert graph.value(suspension, TKG.agent) == URIRef(ID + "group/cfe-allied-states-parties")
    assert list(graph.objects(suspension, TKG.actingMember)) == [URIRef(ID + "state/united-states")]
    assert (suspension, None, TKG.SuspensionOfOperation) in graph
    succession = URIRef(ID + "event/russia-succeeds-to-cfe")
    assert graph.value(succession, TKG.predecessor) == URIRef(ID + "state/soviet-union")
    entry = URIRef(ID + "event/cfe-entry-into-force")
    assert graph.value(entry, TKG.agent) is None
    assert graph.value(entry, TKG.treaty) == URIRef(ID + "treaty/cfe")


def test_the_note_names_the_signatories_on_its_account_and_the_reconciled_view_adopts_them() -> None:
    note = packaged.source(packaged.NOTE)
    signing = URIRef(ID + "event/cfe-signing")
    account = URIRef(ID + "event/cfe-signing/account/cfe-treaty-record")
    assert list(note.predicate_objects(signing)) == []
    assert list(note.objects(account, TKG.claimedAgent)) == [URIRef(ID + "group/cfe-signatories-1990")]
    signatories = {URIRef(ID + "state/soviet-union"), URIRef(ID + "state/united-states")}
    assert set(note.objects(account, TKG.claimedMember)) == signatories
    reconciled = packaged.graphs()[RECONCILED_GRAPH]
    assert list(reconciled.objects(signing, TKG.agent)) == [URIRef(ID + "group/cfe-signatories-1990")]
    assert set(reconciled.objects(signing, TKG.actingMember)) == signatories


def test_the_conflicting_report_disagrees_on_one_date_and_one_attribution(
    entities: Entities, tmp_path: Path
) -> None:
    graph, report = compiled(CONFLICTING, entities, tmp_path)
    assert [(outcome.key, outcome.iri) for outcome in report.of("join")] == [
        ("russia-denunciation", ID + "event/2023-05-russia-denounces-cfe"),
        ("history-declaration", ID + "event/russian-foreign-ministry-declares-cfe-history"),
    ]
    assert report.of("mint") == []
    account = URIRef(ID + "event/2023-05-russia-denounces-cfe/account/conflicting-report")
    assert span(graph, account) == ("2023-06-01T00:00:00+00:00", "2023-06-30T23:59:59+00:00")
    declaration = URIRef(
        ID + "event/russian-foreign-ministry-declares-cfe-history/account/conflicting-report"
    )
    assert list(graph.objects(declaration, TKG.claimedAgent)) == [URIRef(ID + "organization/kremlin")]
    # Exactly these two disagreements: nothing else is claimed, and the acts get nothing from this source.
    claims = {TKG.claimedAgent, TKG.claimedClass, TKG.claimedObject}
    assert [(s, p) for s, p, _ in graph if p in claims] == [(declaration, TKG.claimedAgent)]
    assert not any(graph.triples((URIRef(ID + "event/2023-05-russia-denounces-cfe"), None, None)))
    assert (
        None,
        TKG.fullText,
        Literal((CONFLICTING.parent / "text.txt").read_text(encoding="utf-8")),
    ) in graph


@pytest.mark.slow
def test_treatykg_conflicts_on_the_three_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The article, the note and the conflicting report: the note's cessation against the article's
    "complete withdrawal" (a class), the report's June against May 2023 (a span; the note's day falls in
    May), and the report's Kremlin against the article's foreign ministry as speaker (an agent)."""
    from treatykg.cli.main import main

    store = str(tmp_path / "store")
    sources = resources.graph_dir() / "sources"
    data = [
        str(sources / "cfe-withdrawal-article"),
        str(sources / "cfe-treaty-record"),
        str(CONFLICTING.parent),
    ]
    assert main(["build", "--store", store, "--data", *data]) == 0
    capsys.readouterr()
    assert main(["conflicts", "--store", store, "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    summary = sorted(
        (
            conflict["kind"],
            conflict["acts"][0]["act"].removeprefix(ID + "event/"),
            tuple(sorted(account["source"].rsplit("/", 1)[1] for account in conflict["accounts"])),
        )
        for conflict in found
    )
    assert summary == [
        (
            "AgentConflict",
            "russian-foreign-ministry-declares-cfe-history",
            ("cfe-withdrawal-article", "conflicting-report"),
        ),
        (
            "ClassConflict",
            "russia-completely-withdraws-from-cfe-2015",
            ("cfe-treaty-record", "cfe-withdrawal-article"),
        ),
        (
            "SpanConflict",
            "2023-05-russia-denounces-cfe",
            ("cfe-treaty-record", "cfe-withdrawal-article", "conflicting-report"),
        ),
    ]
