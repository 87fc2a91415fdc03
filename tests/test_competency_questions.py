"""Every competency question returns exactly its expected answer, with the OWL RL inferences and without."""

from __future__ import annotations

from pathlib import Path

import pytest

from treatykg.graph.build.reference import build, load_inputs
from treatykg.graph.query.prepared import list_queries, load_query
from treatykg.graph.store.embedded import open_store, query_union

E = "https://w3id.org/treatykg/id/event/"

# Expected rows: the columns named, in the query's ORDER BY order.
# Labels, not only IRIs, are what a person reads.
EXPECTED: dict[str, tuple[tuple[str, ...], list[tuple]]] = {
    "cq-treaties-left": (
        ("actLabel", "treatyLabel", "when"),
        [
            (
                "Russia formally withdraws from the CFE Treaty",
                "Treaty on Conventional Armed Forces in Europe",
                "7 November 2023",
            ),
            (
                "Russia officially denounces the CFE (May 2023)",
                "Treaty on Conventional Armed Forces in Europe",
                "29 May 2023",
            ),
            (
                "Russia revokes its ratification of the CTBT",
                "Comprehensive Nuclear Test Ban Treaty",
                "recent",
            ),
            (
                "Russia suspends its participation in the CFE (2007)",
                "Treaty on Conventional Armed Forces in Europe",
                "12 December 2007 to 13 December 2007",
            ),
            (
                "Russia’s “complete withdrawal” from the CFE (2015)",
                "Treaty on Conventional Armed Forces in Europe",
                "11 March 2015",
            ),
        ],
    ),
    "cq-withdrawal-reason": (
        ("withdrawalLabel", "reasonLabel", "quote"),
        [
            (
                "Russia formally withdraws from the CFE Treaty",
                "NATO’s expansion is a barrier to cooperation",
                "NATO’s expansion as a barrier to cooperation",
            ),
        ],
    ),
    "cq-treaty-history": (
        ("actLabel", "statusLabel", "accordingToLabel", "when"),
        [
            ("Signing of the CFE Treaty", "reported by the source", None, "19 November 1990"),
            (
                "United States ratifies Treaty on Conventional Armed Forces in Europe "
                "(25 November 1991 to 10 July 1992)",
                "reported by the source",
                None,
                "25 November 1991 to 10 July 1992",
            ),
            (
                "Russia ratifies Treaty on Conventional Armed Forces in Europe (8 July 1992)",
                "reported by the source",
                None,
                "8 July 1992",
            ),
            (
                "Provisional application of the CFE Treaty by its 29 States Parties (from 17 July 1992)",
                "reported by the source",
                None,
                "17 July 1992",
            ),
            (
                "Entry into force of the CFE Treaty (9 November 1992)",
                "reported by the source",
                None,
                "9 November 1992",
            ),
            (
                "Signing of the Agreement on Adaptation of the CFE Treaty (19 November 1999)",
                "reported by the source",
                None,
                "19 November 1999",
            ),
            (
                "Russia suspends its participation in the CFE (2007)",
                "reported by the source",
                None,
                "12 December 2007 to 13 December 2007",
            ),
            (
                "Russia’s “complete withdrawal” from the CFE (2015)",
                "reported by the source",
                None,
                "11 March 2015",
            ),
            ("Russia officially denounces the CFE (May 2023)", "reported by the source", None, "29 May 2023"),
            (
                "Russia formally withdraws from the CFE Treaty",
                "reported by the source",
                None,
                "7 November 2023",
            ),
            (
                "The NATO Allies party to the CFE Treaty suspend its operation (the United States from 7 "
                "December 2023)",
                "reported by the source",
                None,
                "7 December 2023",
            ),
            (
                "NATO countries bypass the CFE’s restrictions",
                "attributed to a speaker",
                "Russian Ministry of Foreign Affairs",
                None,
            ),
            ("Ratification of the adapted CFE (linked, hypothetical)", "hypothetical", None, None),
            (
                "Russia succeeds to Treaty on Conventional Armed Forces in Europe",
                "reported by the source",
                None,
                None,
            ),
            ("Russia’s non-compliance with the CFE", "attributed to a speaker", "NATO", None),
            (
                "The U.S. and its allies fail to ratify the adapted CFE",
                "attributed to a speaker",
                "Russian Ministry of Foreign Affairs",
                None,
            ),
        ],
    ),
    "cq-accusations": (
        ("speakerLabel", "accusedLabel", "claimLabel", "evidenceLabel", "evidenceWhen"),
        [
            (
                "NATO",
                "Russia",
                "Russia has not complied with the CFE for years",
                "Russia’s “complete withdrawal” from the CFE (2015)",
                "11 March 2015",
            ),
            (
                "NATO",
                "Russia",
                "Russia has not complied with the CFE for years",
                "Russia suspends its participation in the CFE (2007)",
                "12 December 2007 to 13 December 2007",
            ),
        ],
    ),
    "cq-speaker-statements": (
        ("kind", "propositionLabel"),
        [
            ("argument", "NATO countries had been bypassing the CFE’s restrictions as the alliance expanded"),
            ("argument", "The CFE has become irrelevant to Russia’s security concerns"),
            (
                "argument",
                "The CFE Treaty, conceived at the end of the Cold War, no longer serves its purpose in the "
                "current geopolitical landscape",
            ),
            ("declaration", "The CFE is “history”"),
            ("assertion", "The U.S. and its allies failed to ratify the 1999 updated version of the CFE"),
            ("assertion", "This further diminished the CFE’s relevance"),
            ("assertion", "The CFE does not align with Russia’s interests"),
        ],
    ),
    "cq-linkages": (
        (
            "linkedByLabel",
            "linkedActLabel",
            "linkedActStatusLabel",
            "conditionLabel",
            "conditionStatusLabel",
            "contestedByLabel",
        ),
        [
            (
                "the U.S. and its allies",
                "Ratification of the adapted CFE (linked, hypothetical)",
                "hypothetical",
                "Russian troop withdrawal from Georgia and Moldova (condition, hypothetical)",
                "hypothetical",
                "Russia",
            ),
        ],
    ),
    "cq-characterizations": (
        ("speakerLabel", "postLabel", "propositionLabel", "quote"),
        [
            (
                "Dmitry Peskov",
                "Kremlin spokesperson",
                "Relations with the U.S. are “below zero”",
                "relations with the U.S. as “below zero,”",
            ),
        ],
    ),
    "cq-reactions": (
        ("actLabel", "propositionLabel"),
        [
            (
                "NATO asserts the withdrawal undermined Euro-Atlantic security",
                "Russia’s CFE withdrawal undermined Euro-Atlantic security",
            ),
            ("NATO condemns Russia’s CFE withdrawal", "condemned Russia’s CFE withdrawal"),
        ],
    ),
    "cq-events-before": (
        ("earlierLabel", "when"),
        [
            ("Russia officially denounces the CFE (May 2023)", "29 May 2023"),
            ("Russia revokes its ratification of the CTBT", "recent"),
            ("Russia’s full-scale invasion of Ukraine (2022)", "2022"),
            ("Test launch of an intercontinental ballistic missile", None),
        ],
    ),
    "cq-supporting-sentence": (
        ("quote", "start", "end", "sentenceLabel", "position", "sentenceText"),
        [
            (
                "officially denounced the CFE in May 2023",
                "1164",
                "1204",
                "sentence 8 of the CFE withdrawal article",
                "11",
                "Russia, after a full-scale invasion of Ukraine in 2022, officially denounced the CFE in "
                "May 2023.",
            ),
            (
                "Russia's president signed the law denouncing the treaty on 29 May 2023",
                "2261",
                "2331",
                "sentence 14 of cfe-treaty-record",
                "18",
                "Russia's president signed the law denouncing the treaty on 29 May 2023, and the depositary "
                "recorded Russia's notice on 9 June 2023.",
            ),
        ],
    ),
    "cq-attributed-events": (
        ("eventLabel", "accordingToLabel", "when"),
        [
            ("War in Ukraine", "Dmitry Peskov", None),
            ("Russia’s non-compliance with the CFE", "NATO", None),
            ("NATO’s expansion", "Russia", None),
            ("NATO countries bypass the CFE’s restrictions", "Russian Ministry of Foreign Affairs", None),
            ("The CFE Treaty as a relic of the Cold War", "Russian Ministry of Foreign Affairs", None),
            (
                "The U.S. and its allies fail to ratify the adapted CFE",
                "Russian Ministry of Foreign Affairs",
                None,
            ),
        ],
    ),
    "cq-hypothetical-events": (
        ("event", "positedByLabel"),
        [
            (
                E + "adapted-cfe-ratification",
                "The U.S. and its allies link ratifying the adapted CFE to a Russian "
                "troop withdrawal from Georgia and Moldova",
            ),
            (
                E + "russian-troop-withdrawal-from-georgia-and-moldova",
                "The U.S. and its allies link ratifying the "
                "adapted CFE to a Russian troop withdrawal from "
                "Georgia and Moldova",
            ),
        ],
    ),
    "cq-situations-1990": (
        ("situationLabel", "agentLabel", "mention", "when", "qualifier"),
        [
            (
                "Soviet Union initially reluctant to embrace the CFE",
                "Soviet Union",
                "Moscow",
                None,
                "initially",
            ),
            ("Soviet advantage in conventional weaponry", "Soviet Union", "Moscow", "1990", "at the time"),
        ],
    ),
    "cq-treaty-aims": (
        ("aimLabel", "signedIn", "signedAfterLabel"),
        [
            ("limit conventional arms", "19 November 1990", "Fall of the Berlin Wall"),
            (
                "prevent a rapid build-up of forces between Cold War rivals",
                "19 November 1990",
                "Fall of the Berlin Wall",
            ),
        ],
    ),
    "cq-agent-involvement": (
        ("eventLabel",),
        [
            ("NATO accuses Russia of non-compliance with the CFE",),
            ("NATO asserts the withdrawal undermined Euro-Atlantic security",),
            ("NATO condemns Russia’s CFE withdrawal",),
        ],
    ),
    "check-events-without-provenance": (("node", "problem"), []),
    "report-conflicts": (
        ("conflict", "kind", "act", "source", "quote"),
        [
            (
                "https://w3id.org/treatykg/id/conflict/class-russia-completely-withdraws-from-cfe-2015",
                "https://w3id.org/treatykg/ontology#ClassConflict",
                "https://w3id.org/treatykg/id/event/russia-completely-withdraws-from-cfe-2015",
                "https://w3id.org/treatykg/source/cfe-treaty-record",
                "On 10 March 2015 Russia announced that from 11 March 2015 it would no longer attend the "
                "meetings of the treaty's Joint Consultative Group, which made its suspension complete",
            ),
            (
                "https://w3id.org/treatykg/id/conflict/class-russia-completely-withdraws-from-cfe-2015",
                "https://w3id.org/treatykg/ontology#ClassConflict",
                "https://w3id.org/treatykg/id/event/russia-completely-withdraws-from-cfe-2015",
                "https://w3id.org/treatykg/source/cfe-withdrawal-article",
                "complete withdrawal in 2015",
            ),
        ],
    ),
    # Status on the default build (the article and the curated note); a row per source of the act.
    "status-on": (
        ("statusLabel", "actLabel", "when"),
        [
            ("withdrawn", "Russia formally withdraws from the CFE Treaty", "7 November 2023"),
            ("withdrawn", "Russia formally withdraws from the CFE Treaty", "7 November 2023"),
        ],
    ),
    "status-history": (
        ("statusLabel", "actLabel", "when"),
        [
            ("unknown", None, None),
            ("indeterminate", "Russia succeeds to Treaty on Conventional Armed Forces in Europe", None),
            (
                "consented, not in force",
                "Russia ratifies Treaty on Conventional Armed Forces in Europe (8 July 1992)",
                "8 July 1992",
            ),
            (
                "provisionally applying",
                "Provisional application of the CFE Treaty by its 29 States Parties (from 17 July 1992)",
                "17 July 1992",
            ),
            ("party", "Entry into force of the CFE Treaty (9 November 1992)", "9 November 1992"),
            (
                "party",
                "Russia ratifies Treaty on Conventional Armed Forces in Europe (8 July 1992)",
                "8 July 1992",
            ),
            (
                "indeterminate",
                "Russia suspends its participation in the CFE (2007)",
                "12 December 2007 to 13 December 2007",
            ),
            (
                "suspended",
                "Russia suspends its participation in the CFE (2007)",
                "12 December 2007 to 13 December 2007",
            ),
            (
                "suspended",
                "Russia suspends its participation in the CFE (2007)",
                "12 December 2007 to 13 December 2007",
            ),
            ("suspended", "Russia’s “complete withdrawal” from the CFE (2015)", "11 March 2015"),
            (
                "denounced, withdrawal pending",
                "Russia officially denounces the CFE (May 2023)",
                "29 May 2023",
            ),
            (
                "denounced, withdrawal pending",
                "Russia officially denounces the CFE (May 2023)",
                "29 May 2023",
            ),
            ("withdrawn", "Russia formally withdraws from the CFE Treaty", "7 November 2023"),
            ("withdrawn", "Russia formally withdraws from the CFE Treaty", "7 November 2023"),
        ],
    ),
    "parties-on": (
        ("stateLabel", "statusLabel"),
        [
            ("Russia", "withdrawn"),
            ("Soviet Union", "signatory"),
            ("United States", "suspended"),
        ],
    ),
    "status-claims": (
        ("actLabel", "voiceLabel", "speakerLabel"),
        [
            ("Russia suspends its participation in the CFE (2007)", "attributed to a speaker", "NATO"),
            ("Russia’s non-compliance with the CFE", "attributed to a speaker", "NATO"),
            ("Russia’s “complete withdrawal” from the CFE (2015)", "attributed to a speaker", "NATO"),
        ],
    ),
}
NEEDS_INFERENCE = {"cq-reactions", "cq-agent-involvement"}


@pytest.fixture(scope="module", params=[True, False], ids=["reasoned", "asserted-only"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A store built from the packaged ontology and data, with or without the OWL RL inferred graph."""
    path: Path = tmp_path_factory.mktemp("store")
    with open_store(path) as handle:
        build(handle, load_inputs(), reasoned=request.param)
        yield request.param, handle.store


def run(store, name: str, columns: tuple[str, ...], params: dict[str, str] | None = None) -> list[tuple]:
    query = load_query(name)
    solutions = query_union(store, query.text, substitutions=query.bind(params))
    return [tuple(None if s[c] is None else s[c].value for c in columns) for s in solutions]


def test_every_prepared_query_has_an_expected_answer_and_metadata() -> None:
    queries = {q.name: q for q in list_queries()}
    assert set(queries) == set(EXPECTED)
    assert sum(name.startswith("cq-") for name in queries) >= 12
    for query in queries.values():
        for key in ("summary", "description", "expected"):
            assert query.metadata[key], (query.name, key)
        needs = query.metadata["inference"]
        assert needs == ("required" if query.name in NEEDS_INFERENCE else "none"), query.name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_competency_question_answers_exactly(store, name: str) -> None:
    reasoned, oxstore = store
    columns, rows = EXPECTED[name]
    answer = run(oxstore, name, columns)
    if reasoned or name not in NEEDS_INFERENCE:
        assert answer == rows
    else:
        # Without the inferred graph the question cannot be answered: proof that it relies on reasoning.
        assert answer == []


def test_parameters_change_the_answer(store) -> None:
    _, oxstore = store
    soviet = {"state": "https://w3id.org/treatykg/id/state/soviet-union"}
    assert run(oxstore, "cq-treaties-left", ("actLabel",), soviet) == []
    ctbt = {"treaty": "https://w3id.org/treatykg/id/treaty/ctbt"}
    assert run(oxstore, "cq-treaty-history", ("actLabel",), ctbt) == [
        ("Russia revokes its ratification of the CTBT",)
    ]
    nato = {"speaker": "https://w3id.org/treatykg/id/organization/nato"}
    assert run(oxstore, "cq-speaker-statements", ("kind",), nato) == [
        ("accusation",),
        ("assertion",),
        ("condemnation",),
    ]


def test_what_happened_excludes_claims_even_with_inferences(store) -> None:
    _, oxstore = store
    happened = {
        s["e"].value
        for s in query_union(
            oxstore,
            """
        PREFIX tkg: <https://w3id.org/treatykg/ontology#>
        SELECT ?e { ?e tkg:epistemicStatus tkg:ReportedBySource }""",
        )
    }
    for slug in ("adapted-cfe-ratification", "nato-expansion", "war-in-ukraine", "cfe-relic-of-the-cold-war"):
        assert E + slug not in happened
    # NATO cites the 2007 suspension and the 2015 halt; the curated note reports them in its own voice.
    for slug in ("russia-suspends-cfe-participation-2007", "russia-completely-withdraws-from-cfe-2015"):
        assert E + slug in happened
    statuses = {
        (s["e"].value, s["n"].value)
        for s in query_union(
            oxstore,
            """
        PREFIX tkg: <https://w3id.org/treatykg/ontology#>
        SELECT ?e (COUNT(DISTINCT ?s) AS ?n) { ?e tkg:epistemicStatus ?s }
        GROUP BY ?e HAVING (COUNT(DISTINCT ?s) > 1)""",
        )
    }
    assert statuses == set()
