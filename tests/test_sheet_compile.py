"""The statement-sheet compiler: the exact RDF a sheet becomes, joins, mints, claims and the write-back."""

from __future__ import annotations

import copy
import time
from pathlib import Path

import packaged
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import to_isomorphic
from sheet_support import ENTITIES, compile_text, make_source, minted

from treatykg.graph.sources.compile import compile_sheet
from treatykg.graph.sources.errors import SheetInvalid
from treatykg.graph.sources.writeback import write_back

TKG = Namespace("https://w3id.org/treatykg/ontology#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
FIXTURE = Path(__file__).parent / "fixtures" / "sheets" / "cfe-article" / "sheet.yaml"

TEXT = "Russia denounced the CFE in May 2023.\nBackground\n- NATO called it “final.”\n"
SHEET = """\
sentences:
  - sentence: Russia denounced the CFE in May 2023.
  - heading: Background
  - bullet: NATO called it “final.”
statements:
  - key: denunciation
    class: Denunciation
    agent: Russia
    object: CFE
    time: 2023-05
    quote: Russia denounced the CFE in May 2023
  - key: nato-characterizes
    class: Characterization
    speaker: NATO
    voice: {attributed: NATO}
    content:
      - key: it-is-final
        label: The denunciation is final
        describes: denunciation
        quote: “final.”
    quote: NATO called it
"""

EXPECTED = """\
@prefix tkg: <https://w3id.org/treatykg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix s: <https://w3id.org/treatykg/source/test-source/> .
@prefix id: <https://w3id.org/treatykg/id/> .

<https://w3id.org/treatykg/source/test-source> a tkg:NewsArticle ;
    rdfs:label "test-source"@en ;
    tkg:fullText "Russia denounced the CFE in May 2023.\\nBackground\\n- NATO called it “final.”\\n" ;
    tkg:textSha256 "SHA" .
s:sentence\\/1 a tkg:Sentence ; rdfs:label "sentence 1 of test-source"@en ;
    tkg:position "1"^^xsd:positiveInteger ; tkg:start "0"^^xsd:nonNegativeInteger ;
    tkg:end "37"^^xsd:nonNegativeInteger ; tkg:exact "Russia denounced the CFE in May 2023." ;
    tkg:inSource <https://w3id.org/treatykg/source/test-source> .
s:heading\\/1 a tkg:Heading ; rdfs:label "heading 1 of test-source"@en ;
    tkg:position "2"^^xsd:positiveInteger ; tkg:start "38"^^xsd:nonNegativeInteger ;
    tkg:end "48"^^xsd:nonNegativeInteger ; tkg:exact "Background" ;
    tkg:inSource <https://w3id.org/treatykg/source/test-source> .
s:sentence\\/2 a tkg:Sentence ; rdfs:label "sentence 2 of test-source"@en ;
    tkg:position "3"^^xsd:positiveInteger ; tkg:start "51"^^xsd:nonNegativeInteger ;
    tkg:end "74"^^xsd:nonNegativeInteger ; tkg:exact "NATO called it “final.”" ;
    tkg:inSection s:heading\\/1 ;
    tkg:inSource <https://w3id.org/treatykg/source/test-source> .
s:span\\/0-36 a tkg:TextSpan ; rdfs:label "“Russia denounced the CFE in May 2023”"@en ;
    tkg:start "0"^^xsd:nonNegativeInteger ; tkg:end "36"^^xsd:nonNegativeInteger ;
    tkg:exact "Russia denounced the CFE in May 2023" ; tkg:inSentence s:sentence\\/1 ;
    tkg:inSource <https://w3id.org/treatykg/source/test-source> .
s:span\\/51-65 a tkg:TextSpan ; rdfs:label "“NATO called it”"@en ;
    tkg:start "51"^^xsd:nonNegativeInteger ; tkg:end "65"^^xsd:nonNegativeInteger ;
    tkg:exact "NATO called it" ; tkg:inSentence s:sentence\\/2 ;
    tkg:inSource <https://w3id.org/treatykg/source/test-source> .
s:span\\/66-74 a tkg:TextSpan ; rdfs:label "““final.””"@en ;
    tkg:start "66"^^xsd:nonNegativeInteger ; tkg:end "74"^^xsd:nonNegativeInteger ;
    tkg:exact "“final.”" ; tkg:inSentence s:sentence\\/2 ;
    tkg:inSource <https://w3id.org/treatykg/source/test-source> .
id:time\\/2023-05 a tkg:TimeSpan ; rdfs:label "May 2023"@en ;
    tkg:earliest "2023-05-01T00:00:00Z"^^xsd:dateTime ; tkg:latest "2023-05-31T23:59:59Z"^^xsd:dateTime ;
    tkg:precision time:unitMonth .
id:event\\/2023-05-russia-denounces-cfe a tkg:Denunciation ;
    rdfs:label "Russia denounces Treaty on Conventional Armed Forces in Europe (May 2023)"@en ;
    tkg:agent id:state\\/russia ; tkg:treaty id:treaty\\/cfe .
<https://w3id.org/treatykg/id/event/2023-05-russia-denounces-cfe/account/test-source> a tkg:Account ;
    tkg:accountOf id:event\\/2023-05-russia-denounces-cfe ;
    tkg:source <https://w3id.org/treatykg/source/test-source> ;
    tkg:attestedBy s:span\\/0-36 ;
    tkg:epistemicStatus tkg:ReportedBySource ;
    tkg:timeSpan id:time\\/2023-05 .
id:event\\/nato-characterizes a tkg:Characterization ;
    rdfs:label "NATO characterizes"@en ;
    tkg:speaker id:organization\\/nato ;
    tkg:content id:proposition\\/it-is-final .
id:proposition\\/it-is-final a tkg:Proposition ; rdfs:label "The denunciation is final"@en ;
    tkg:describes id:event\\/2023-05-russia-denounces-cfe ;
    tkg:attestedBy s:span\\/66-74 ;
    tkg:source <https://w3id.org/treatykg/source/test-source> .
<https://w3id.org/treatykg/id/event/nato-characterizes/account/test-source> a tkg:Account ;
    tkg:accountOf id:event\\/nato-characterizes ;
    tkg:source <https://w3id.org/treatykg/source/test-source> ;
    tkg:attestedBy s:span\\/51-65 ;
    tkg:epistemicStatus tkg:AttributedToSpeaker ;
    tkg:accordingTo id:organization\\/nato .
"""


def test_a_sheet_compiles_to_exactly_these_triples(tmp_path):
    graph, report = compile_text(tmp_path / "s", TEXT, SHEET)
    sha = (tmp_path / "s" / "sheet.yaml").read_text(encoding="utf-8").split("sha256: ")[1].split("\n")[0]
    expected = Graph().parse(data=EXPECTED.replace('"SHA"', f'"{sha}"'), format="turtle")
    assert to_isomorphic(graph) == to_isomorphic(expected), sorted(set(graph) ^ set(expected))
    assert report.graph_name == "https://w3id.org/treatykg/graph/source/test-source"
    assert [str(outcome).split("  (")[0] for outcome in report.outcomes] == [
        "mint  denunciation  https://w3id.org/treatykg/id/event/2023-05-russia-denounces-cfe",
        "mint  nato-characterizes  https://w3id.org/treatykg/id/event/nato-characterizes",
        "mint  it-is-final  https://w3id.org/treatykg/id/proposition/it-is-final",
    ]


def known_acts():
    """The entity sheet with the packaged sources' acts known (the article's and the note's)."""
    entities = copy.deepcopy(ENTITIES)
    for slug in (packaged.ARTICLE, packaged.NOTE):
        entities.add_acts(packaged.source(slug))
    return entities


def test_an_act_key_joins_the_one_known_act_and_the_account_lands_on_it(tmp_path):
    _, report = compile_text(tmp_path / "s", TEXT, SHEET, known_acts())
    assert [(o.kind, o.key, o.iri) for o in report.of("join")] == [
        ("join", "denunciation", "https://w3id.org/treatykg/id/event/2023-05-russia-denounces-cfe")
    ]
    graph, _ = compile_text(tmp_path / "t", TEXT, SHEET, known_acts())
    act = URIRef("https://w3id.org/treatykg/id/event/2023-05-russia-denounces-cfe")
    # A join adds this source's account, never a second description of the act.
    assert list(graph.predicate_objects(act)) == []
    assert (act + "/account/test-source", TKG.accountOf, act) in graph


def test_a_withdrawal_key_joins_the_one_formal_withdrawal(tmp_path):
    """The 2015 halt is a tkg:CessationOfParticipation (the article's correction), so a Withdrawal key no
    longer matches two acts; an ambiguous key is tested with a superclass below."""
    sheet = """\
    sentences:
      - sentence: Russia withdrew from the CFE.
    statements:
      - key: withdrawal
        class: Withdrawal
        agent: Russia
        object: CFE
        quote: Russia withdrew from the CFE
    """
    _, report = compile_text(tmp_path / "s", "Russia withdrew from the CFE.", sheet, known_acts())
    assert [(o.kind, o.iri) for o in report.outcomes] == [
        ("join", "https://w3id.org/treatykg/id/event/russia-withdraws-from-cfe")
    ]


def test_an_act_key_naming_a_superclass_joins_the_act_of_its_subclass(tmp_path):
    sheet = """\
    sentences:
      - sentence: Russia consented in 1992 to be bound by the CFE.
    statements:
      - key: consent
        class: ConsentToBeBound
        agent: Russia
        object: CFE
        time: "1992"
        quote: Russia consented in 1992 to be bound by the CFE
    """
    graph, report = compile_text(
        tmp_path / "s", "Russia consented in 1992 to be bound by the CFE.", sheet, known_acts()
    )
    act = "https://w3id.org/treatykg/id/event/1992-07-08-russia-ratifies-cfe"
    assert [(o.kind, o.key, o.iri) for o in report.of("join")] == [("join", "consent", act)]
    # The act keeps its own, finer class: the superclass the key names is no claim against it.
    assert report.of("claim") == []
    assert list(graph.predicate_objects(URIRef(act))) == []


def test_an_act_key_naming_a_superclass_of_several_acts_lists_them(tmp_path):
    sheet = """\
    sentences:
      - sentence: Russia acted on the CFE.
    statements:
      - key: act
        class: TreatyAct
        agent: Russia
        object: CFE
        quote: Russia acted on the CFE
    """
    with pytest.raises(SheetInvalid) as caught:
        compile_text(tmp_path / "s", "Russia acted on the CFE.", sheet, known_acts())
    [problem] = caught.value.problems
    listed = str(problem).split("matches several acts: ")[1].split("; give")[0].split(", ")
    assert listed == [
        "https://w3id.org/treatykg/id/event/1992-07-08-russia-ratifies-cfe",
        "https://w3id.org/treatykg/id/event/2023-05-russia-denounces-cfe",
        "https://w3id.org/treatykg/id/event/russia-cfe-non-compliance",
        "https://w3id.org/treatykg/id/event/russia-completely-withdraws-from-cfe-2015",
        "https://w3id.org/treatykg/id/event/russia-succeeds-to-cfe",
        "https://w3id.org/treatykg/id/event/russia-suspends-cfe-participation-2007",
        "https://w3id.org/treatykg/id/event/russia-withdraws-from-cfe",
    ]


def test_a_given_iri_joins_and_a_differing_class_is_a_claim_on_the_account(tmp_path):
    sheet = """\
    sentences:
      - sentence: Russia halted its participation in the CFE in 2015.
    statements:
      - key: halt
        iri: https://w3id.org/treatykg/id/event/russia-completely-withdraws-from-cfe-2015
        class: SuspensionOfParticipation
        agent: Russia
        object: CFE
        time: "2015"
        quote: Russia halted its participation in the CFE in 2015
    """
    graph, report = compile_text(
        tmp_path / "s", "Russia halted its participation in the CFE in 2015.", sheet, known_acts()
    )
    act = "https://w3id.org/treatykg/id/event/russia-completely-withdraws-from-cfe-2015"
    assert [(o.kind, o.iri, o.detail) for o in report.outcomes] == [
        ("join", act, ""),
        ("claim", "https://w3id.org/treatykg/ontology#SuspensionOfParticipation", "claimed class"),
    ]
    rows = graph.query(f"SELECT ?c WHERE {{ <{act}/account/test-source> <{TKG.claimedClass}> ?c }}")
    assert [str(row.c) for row in rows] == ["https://w3id.org/treatykg/ontology#SuspensionOfParticipation"]
    assert list(graph.predicate_objects(URIRef(act))) == []


def test_a_time_scoped_alias_resolves_by_the_statements_time(tmp_path):
    sheet = """\
    sentences:
      - sentence: Moscow signed in 1990 and suspended in 2007.
    statements:
      - key: signing
        class: Signing
        agent: Moscow
        object: CFE
        time: "1990"
        quote: Moscow signed in 1990
      - key: suspension
        class: SuspensionOfParticipation
        agent: Moscow
        object: CFE
        time: "2007"
        quote: suspended in 2007
    """
    _, report = compile_text(tmp_path / "s", "Moscow signed in 1990 and suspended in 2007.", sheet)
    assert minted(report) == {
        "signing": "https://w3id.org/treatykg/id/event/1990-soviet-union-signs-cfe",
        "suspension": "https://w3id.org/treatykg/id/event/2007-russia-suspends-participation-in-cfe",
    }


def test_a_decision_is_recorded_with_who_and_when(tmp_path):
    sheet = """\
    sentences:
      - sentence: Russia denounced the CFE in May 2023.
    statements:
      - key: denunciation
        class: Denunciation
        agent: Russia
        object: CFE
        time: 2023-05
        quote: Russia denounced the CFE in May 2023
        decision:
          {rank: deprecate, reason: the month is wrong, curator: Ada Curator, at: "2026-01-02T03:04:05Z"}
    """
    graph, _ = compile_text(tmp_path / "s", "Russia denounced the CFE in May 2023.", sheet)
    account = "https://w3id.org/treatykg/id/event/2023-05-russia-denounces-cfe/account/test-source"
    rows = graph.query(f"""
        PREFIX tkg: <https://w3id.org/treatykg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?d ?rank ?reason ?who ?when WHERE {{
          ?d a tkg:Decision ; tkg:decisionOn <{account}> ; tkg:rank ?rank ; tkg:reason ?reason ;
             prov:wasAssociatedWith ?who ; prov:endedAtTime ?when }}""")
    assert [tuple(row) for row in rows] == [
        (
            URIRef(account + "/decision"),
            URIRef("https://w3id.org/treatykg/ontology#Deprecated"),
            Literal("the month is wrong", datatype=XSD.string),
            URIRef("https://w3id.org/treatykg/id/person/ada-curator"),
            Literal("2026-01-02T03:04:05Z", datatype=XSD.dateTime),
        )
    ]


def test_offsets_count_code_points_of_the_text_as_shipped(tmp_path):
    # A BOM, CRLF line ends and a decomposed é (e + U+0301): each is kept and counted.
    text = "\ufeffCafe\u0301 talks ended.\r\nRussia denounced the CFE in May 2023.\r\n"
    sheet = """\
    sentences:
      - sentence: "Cafe\\u0301 talks ended."
      - sentence: Russia denounced the CFE in May 2023.
    statements:
      - key: denunciation
        class: Denunciation
        agent: Russia
        object: CFE
        time: 2023-05
        quote: Russia denounced
    """
    graph, _ = compile_text(tmp_path / "s", text, sheet)
    assert (tmp_path / "s" / "text.txt").read_bytes() == text.encode("utf-8")
    spans = graph.query(
        "SELECT ?s ?e WHERE { ?x a <https://w3id.org/treatykg/ontology#TextSpan> ; "
        "<https://w3id.org/treatykg/ontology#start> ?s ; <https://w3id.org/treatykg/ontology#end> ?e }"
    )
    assert [(int(row.s), int(row.e)) for row in spans] == [(text.index("Russia"), text.index("Russia") + 16)]
    assert text.index("Russia") == 21  # BOM 1 + 'Cafe' 4 + U+0301 1 + ' talks ended.' 13 + CRLF 2


def test_minted_iris_are_written_back_keeping_comments_and_layout(tmp_path):
    sheet_text = """\
    sentences:
      - sentence: Russia denounced the CFE in May 2023.
    statements:
      # The denunciation law.
      - key: denunciation   # keep this comment
        class: Denunciation
        agent: Russia
        object: CFE
        time: 2023-05
        quote: Russia denounced the CFE in May 2023
      - {key: flow, class: Situation, label: A flow statement, quote: denounced}
    """
    path = make_source(tmp_path / "s", "Russia denounced the CFE in May 2023.", sheet_text)
    before = path.read_text(encoding="utf-8")
    _, report = compile_sheet(path, ENTITIES)
    assert write_back(path, report.writebacks, report.sheet_text) == 2
    after = path.read_text(encoding="utf-8")
    assert after == before.replace(
        "  - key: denunciation   # keep this comment\n",
        "  - key: denunciation   # keep this comment\n    iri: https://w3id.org/treatykg/id/event/2023-05-russia-denounces-cfe\n",
    ).replace("- {key: flow,", "- {iri: https://w3id.org/treatykg/id/event/flow, key: flow,")
    # A later label edit never changes the IRI: the sheet's IRI is kept.
    path.write_text(after.replace("A flow statement", "A renamed statement"), encoding="utf-8")
    _, again = compile_sheet(path, ENTITIES)
    assert [(o.kind, o.iri) for o in again.outcomes] == [
        ("keep", "https://w3id.org/treatykg/id/event/2023-05-russia-denounces-cfe"),
        ("keep", "https://w3id.org/treatykg/id/event/flow"),
    ]
    assert again.writebacks == []


def test_the_article_sized_sheet_compiles(tmp_path):
    started = time.perf_counter()
    graph, report = compile_sheet(FIXTURE, ENTITIES)
    elapsed = time.perf_counter() - started
    assert len([o for o in report.of("mint") if "/event/" in o.iri]) == 32
    assert len(report.of("mint")) == 45
    assert report.triples == len(graph) == 867
    # Not a timing test (bench/sheets.py measures); a gross regression shows here all the same.
    assert elapsed < 10


def test_dry_run_writes_nothing_and_an_edited_sheet_is_not_overwritten(tmp_path, capsys):
    from treatykg.cli.main import main
    from treatykg.core.errors import InputError

    text = "Russia denounced the CFE in May 2023."
    sheet = """\
    sentences:
      - sentence: Russia denounced the CFE in May 2023.
    statements:
      - key: denunciation
        class: Denunciation
        agent: Russia
        object: CFE
        time: 2023-05
        quote: Russia denounced the CFE in May 2023
    """
    path = make_source(tmp_path / "s", text, sheet)
    before = path.read_bytes()
    output = tmp_path / "out.ttl"
    assert main(["sheet", "compile", str(path), "--known", "--dry-run", "--output", str(output)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "dry run: nothing written (1 IRI(s) to write back)"
    assert path.read_bytes() == before
    assert not output.exists()
    _, report = compile_sheet(path, ENTITIES)
    path.write_text(before.decode() + "# edited meanwhile\n", encoding="utf-8")
    with pytest.raises(InputError, match="the sheet changed while it was compiled; compile it again"):
        write_back(path, report.writebacks, report.sheet_text)
    assert path.read_bytes() == before + b"# edited meanwhile\n"


def test_acting_members_and_claimed_agents_go_on_the_act_and_the_account(tmp_path):
    text = "NATO countries suspended the CFE, the United States among them."
    sheet = """\
    sentences:
      - sentence: NATO countries suspended the CFE, the United States among them.
    statements:
      - key: suspension
        iri: https://w3id.org/treatykg/id/event/2007-russia-suspends-cfe-participation
        class: SuspensionOfParticipation
        agent: Russia
        members: [United States]
        claims: {agent: NATO countries}
        quote: NATO countries suspended the CFE
    """
    graph, report = compile_text(tmp_path / "s", text, sheet)
    act = URIRef("https://w3id.org/treatykg/id/event/2007-russia-suspends-cfe-participation")
    assert list(graph.objects(act, TKG.actingMember)) == [
        URIRef("https://w3id.org/treatykg/id/state/united-states")
    ]
    account = URIRef(act + "/account/test-source")
    assert list(graph.objects(account, TKG.claimedAgent)) == [
        URIRef("https://w3id.org/treatykg/id/group/nato-countries")
    ]
    assert [(o.kind, o.detail) for o in report.outcomes] == [("keep", ""), ("claim", "claimed agent")]


def test_an_iri_nobody_knows_is_refused(tmp_path):
    sheet = """\
    sentences:
      - sentence: Russia denounced the CFE in May 2023.
    statements:
      - key: denunciation
        class: Denunciation
        agent: https://w3id.org/treatykg/id/state/atlantis
        quote: Russia denounced
    """
    with pytest.raises(SheetInvalid) as caught:
        compile_text(tmp_path / "s", "Russia denounced the CFE in May 2023.", sheet)
    assert [problem.message for problem in caught.value.problems] == [
        "IRI https://w3id.org/treatykg/id/state/atlantis is not in the entity sheet, "
        "the known acts or this sheet"
    ]


def test_a_minted_iri_avoids_every_node_already_described(tmp_path):
    sheet = """\
    sentences:
      - sentence: NATO called the CFE “history.”
    statements:
      - key: nato-says
        class: Declaration
        speaker: NATO
        content:
          - key: cfe-is-history
            label: The CFE is history
            quote: “history.”
        quote: NATO called the CFE
    """
    # The packaged article already has id/proposition/cfe-is-history: this source's gets its own IRI.
    _, report = compile_text(tmp_path / "s", "NATO called the CFE “history.”", sheet, known_acts())
    assert minted(report)["cfe-is-history"] == "https://w3id.org/treatykg/id/proposition/cfe-is-history-2"


MENTIONS_TEXT = "The U.S. and Russia signed the adapted 1999 CFE.\nFind more here\n"
MENTIONS_SHEET = """\
  label: A test source (label given by the curator)
  table_label: the test source
  rights: Quoted for research.
  editorial:
    - label: The label is the curator's.
    - title
dataset:
  label: "TreatyKG data: a test source"
  description: Every statement of a test source.
  license: https://creativecommons.org/licenses/by/4.0/
sentences:
  - sentence: The U.S. and Russia signed the adapted 1999 CFE.
  - boilerplate: Find more here
mentions:
  - name: United States
    alt_labels: [U.S.]
    quote: U.S.
  - name: Adapted CFE
    alt_labels: [adapted 1999 CFE]
    time: "1999"
    properties: {versionOf: CFE}
    quote: the adapted 1999 CFE
  - name: spokesperson
"""

MENTIONS_EXPECTED = """\
@prefix tkg: <https://w3id.org/treatykg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix s: <https://w3id.org/treatykg/source/test-source/> .
@prefix id: <https://w3id.org/treatykg/id/> .

<https://w3id.org/treatykg/data/test-source> a owl:Ontology ;
    owl:imports <https://w3id.org/treatykg/ontology> ;
    rdfs:label "TreatyKG data: a test source"@en ;
    dcterms:description "Every statement of a test source."@en ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
    dcterms:source <https://w3id.org/treatykg/source/test-source> .
dcterms:description a owl:AnnotationProperty .
dcterms:license a owl:AnnotationProperty .
dcterms:rights a owl:AnnotationProperty .
dcterms:source a owl:AnnotationProperty .
skos:editorialNote a owl:AnnotationProperty .

<https://w3id.org/treatykg/source/test-source> a tkg:NewsArticle ;
    rdfs:label "A test source (label given by the curator)"@en ;
    skos:editorialNote "The label is the curator's."@en ,
        "The title is editorial: the source's text does not give it."@en ;
    dcterms:rights "Quoted for research."@en ;
    tkg:fullText "The U.S. and Russia signed the adapted 1999 CFE.\\nFind more here\\n" ;
    tkg:textSha256 "SHA" .
s:sentence\\/1 a tkg:Sentence ; rdfs:label "sentence 1 of the test source"@en ;
    tkg:position "1"^^xsd:positiveInteger ; tkg:start "0"^^xsd:nonNegativeInteger ;
    tkg:end "48"^^xsd:nonNegativeInteger ; tkg:exact "The U.S. and Russia signed the adapted 1999 CFE." ;
    tkg:inSource <https://w3id.org/treatykg/source/test-source> .
s:boilerplate\\/1 a tkg:Boilerplate ; rdfs:label "boilerplate line 1 of the test source"@en ;
    tkg:position "2"^^xsd:positiveInteger ; tkg:start "49"^^xsd:nonNegativeInteger ;
    tkg:end "63"^^xsd:nonNegativeInteger ; tkg:exact "Find more here" ;
    tkg:inSource <https://w3id.org/treatykg/source/test-source> .
s:span\\/4-8 a tkg:TextSpan ; rdfs:label "“U.S.”"@en ; tkg:start "4"^^xsd:nonNegativeInteger ;
    tkg:end "8"^^xsd:nonNegativeInteger ; tkg:exact "U.S." ; tkg:inSentence s:sentence\\/1 ;
    tkg:inSource <https://w3id.org/treatykg/source/test-source> .
s:span\\/27-47 a tkg:TextSpan ; rdfs:label "“the adapted 1999 CFE”"@en ;
    tkg:start "27"^^xsd:nonNegativeInteger ; tkg:end "47"^^xsd:nonNegativeInteger ;
    tkg:exact "the adapted 1999 CFE" ; tkg:inSentence s:sentence\\/1 ;
    tkg:inSource <https://w3id.org/treatykg/source/test-source> .
id:time\\/1999 a tkg:TimeSpan ; rdfs:label "1999"@en ;
    tkg:earliest "1999-01-01T00:00:00Z"^^xsd:dateTime ; tkg:latest "1999-12-31T23:59:59Z"^^xsd:dateTime ;
    tkg:precision time:unitYear .
# Class, label and the names the entity sheet gives at every time ("U.S.", "adapted 1999 CFE") are the
# entities graph's; a mention adds what this source says: anchors, source, time, properties. The role named
# only inside a post elsewhere gets nothing here.
id:state\\/united-states tkg:attestedBy s:span\\/4-8 ;
    tkg:source <https://w3id.org/treatykg/source/test-source> .
id:treaty\\/adapted-cfe tkg:versionOf id:treaty\\/cfe ; tkg:timeSpan id:time\\/1999 ;
    tkg:attestedBy s:span\\/27-47 ; tkg:source <https://w3id.org/treatykg/source/test-source> .
"""


def test_mentions_metadata_and_the_dataset_header_compile_to_exactly_these_triples(tmp_path):
    path = make_source(tmp_path / "s", MENTIONS_TEXT, "")
    header = path.read_text(encoding="utf-8")
    path.write_text(header + MENTIONS_SHEET, encoding="utf-8")
    graph, report = compile_sheet(path, ENTITIES)
    sha = header.split("sha256: ")[1].split("\n")[0]
    expected = Graph().parse(data=MENTIONS_EXPECTED.replace('"SHA"', f'"{sha}"'), format="turtle")
    assert to_isomorphic(graph) == to_isomorphic(expected), sorted(set(graph) ^ set(expected))
    assert report.outcomes == []


def test_a_sheet_never_joins_the_acts_only_its_own_source_speaks_of(tmp_path):
    # Its own earlier graph (the packaged Turtle, say) describes the act: the sheet keeps it, as its own.
    earlier, _ = compile_text(tmp_path / "a", TEXT, SHEET)
    entities = copy.deepcopy(ENTITIES)
    entities.add_acts(earlier)
    _, again = compile_text(tmp_path / "b", TEXT, SHEET, entities)
    assert [(o.kind, o.key) for o in again.outcomes] == [
        ("mint", "denunciation"),
        ("mint", "nato-characterizes"),
        ("mint", "it-is-final"),
    ]
    # The same acts told by another source are joined.
    path = make_source(tmp_path / "c", TEXT, SHEET, slug="another-source")
    _, joined = compile_sheet(path, entities)
    assert [(o.kind, o.key) for o in joined.of("join")] == [("join", "denunciation")]
