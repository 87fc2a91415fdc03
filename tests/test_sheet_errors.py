"""Every way a statement sheet fails, each with its exact located message; all problems of a sheet at once."""

from __future__ import annotations

import pytest
from sheet_support import compile_text, make_source

from treatykg.graph.sources.compile import compile_sheet
from treatykg.graph.sources.entities import load_entities
from treatykg.graph.sources.errors import SheetInvalid
from treatykg.graph.sources.yamlsafe import read_yaml

TEXT = "Russia denounced the CFE in May 2023. NATO called the move “final.” The CFE was signed in 1990.\n"
TABLE = """\
sentences:
  - sentence: Russia denounced the CFE in May 2023.
  - sentence: NATO called the move “final.”
  - sentence: The CFE was signed in 1990.
statements:
"""


def problems(tmp_path, statements: str, text: str = TEXT, table: str = TABLE) -> list[str]:
    """The messages of compiling the sheet, without the file name."""
    with pytest.raises(SheetInvalid) as caught:
        compile_text(tmp_path / "s", text, table + statements)
    prefix = str(tmp_path / "s" / "sheet.yaml") + ":"
    return [str(problem).removeprefix(prefix) for problem in caught.value.problems]


def statement(quote: str, extra: str = "", cls: str = "Denunciation") -> str:
    """One statement of the given class with one quote and extra keys."""
    lines = f"  - key: s1\n    class: {cls}\n    quote: {quote}\n"
    return lines + "".join(f"    {line}\n" for line in extra.splitlines() if line)


def test_a_quote_not_in_the_text_names_the_nearest_match_and_its_offset(tmp_path):
    assert problems(tmp_path, statement("Russia denounces the CFE")) == [
        "12: statement s1: the quote is not in the text; "
        "nearest match at offset 0: 'Russia denounced the CFE'"
    ]


def test_an_empty_quote(tmp_path):
    assert problems(tmp_path, statement('""')) == ["12: statement s1: the quote is empty"]


def test_a_quote_found_twice_asks_which_occurrence(tmp_path):
    assert problems(tmp_path, statement("CFE")) == [
        "12: statement s1: the quote occurs 2 times (at offsets 21, 72); "
        "say which with `occurrence: N` (1 = the first)"
    ]


def test_occurrence_picks_one(tmp_path):
    sheet = '  - key: s1\n    class: Signing\n    time: "1990"\n    quote: {text: CFE, occurrence: "2"}\n'
    graph, _ = compile_text(tmp_path / "s", TEXT, TABLE + sheet)
    spans = [str(s) for s in graph.subjects() if "/span/" in str(s)]
    assert sorted(set(spans)) == ["https://w3id.org/treatykg/source/test-source/span/72-75"]


def test_occurrence_beyond_the_count(tmp_path):
    sheet = '  - key: s1\n    class: Signing\n    quote: {text: CFE, occurrence: "3"}\n'
    assert problems(tmp_path, sheet) == [
        "12: statement s1: occurrence 3 asked, but the quote occurs 2 time(s)"
    ]


def test_a_quote_spanning_two_sentences(tmp_path):
    assert problems(tmp_path, statement("May 2023. NATO called")) == [
        "12: statement s1: the quote [28, 49) spans sentence 1 and sentence 2; a quote lies inside one row"
    ]


def test_straight_quotes_where_the_text_has_typographic_ones_show_the_texts_characters(tmp_path):
    assert problems(tmp_path, statement("'called the move \"final.\"'", cls="Characterization")) == [
        "12: statement s1: the quote is typed with look-alike characters: '\"' (U+0022) where the text has "
        "'“' (U+201C), '\"' (U+0022) where the text has '”' (U+201D); the text at offset 43 reads "
        "'called the move “final.”'"
    ]


def test_a_name_matching_several_entities_lists_them(tmp_path):
    assert problems(tmp_path, statement("Russia denounced", "agent: Moscow\nobject: CFE")) == [
        "13: statement s1: the name 'Moscow' without a time matches several entities: "
        "https://w3id.org/treatykg/id/state/russia, "
        "https://w3id.org/treatykg/id/state/soviet-union; give the IRI"
    ]


def test_an_unknown_name(tmp_path):
    assert problems(tmp_path, statement("Russia denounced", "agent: Atlantis")) == [
        "13: statement s1: unknown name 'Atlantis': not a label or alias in the entity sheet, "
        "nor a statement key of this sheet (agent and object name only an earlier statement)"
    ]


def test_an_unknown_class_and_an_unknown_property(tmp_path):
    sheet = statement("Russia denounced", "properties: {linkedActs: s1}", cls="Denounciation")
    assert problems(tmp_path, sheet) == [
        "11: statement s1: unknown class 'Denounciation' (not in the ontology)",
        "13: statement s1: unknown property 'linkedActs' (not in the ontology)",
    ]


def test_a_class_that_is_not_an_event(tmp_path):
    assert problems(tmp_path, statement("Russia denounced", cls="State")) == [
        "11: statement s1: class 'State' is not an event class (tkg:Event)"
    ]


@pytest.mark.parametrize(
    ("time", "message"),
    [
        ("2023-02-30", "time '2023-02-30' is impossible: February 2023 has 28 days"),
        ("2023-13", "time '2023-13' is impossible: there is no month 13"),
        ("2023-06/2023-05", "time '2023-06/2023-05' is reversed: 2023-06 is after 2023-05"),
    ],
)
def test_impossible_dates_and_reversed_spans(tmp_path, time, message):
    assert problems(tmp_path, statement("Russia denounced the CFE in May 2023", f'time: "{time}"')) == [
        f"13: statement s1: {message}"
    ]


def test_a_date_the_text_does_not_give(tmp_path):
    # The sentence gives May 2023: the day 7 and the year 2022 are the curator's, not the source's.
    assert problems(tmp_path, statement("Russia denounced", 'time: "2023-05-07"')) == [
        "13: statement s1: time '2023-05-07' is not given by the text: neither the quotes nor their "
        "sentences give the day 7"
    ]
    assert problems(tmp_path, statement("Russia denounced", 'time: "2022-05"')) == [
        "13: statement s1: time '2022-05' is not given by the text: neither the quotes nor their "
        "sentences give the year 2022"
    ]


def test_the_year_of_a_month_must_stand_alone(tmp_path):
    # "2023" inside "12023" is not the year 2023, and June is not May.
    text = "Item 12023 was filed. Then June came.\n"
    table = "sentences:\n  - sentence: Item 12023 was filed.\n  - sentence: Then June came.\nstatements:\n"
    assert problems(
        tmp_path, statement("Item 12023 was filed", 'time: "2023-05"', cls="Situation"), text, table
    ) == [
        "12: statement s1: time '2023-05' is not given by the text: "
        "neither the quotes nor their sentences give the year 2023 or the month May"
    ]


def test_a_sentence_table_row_not_in_the_text(tmp_path):
    table = "sentences:\n  - sentence: Russia denounced the CFE in June 2023.\nstatements: []\n"
    assert problems(tmp_path, "", table=table) == [
        "6: sentence 1 of the sentence table is not in the text after offset 0; nearest: "
        "'Russia denounced the CFE in May 2023. ' at offset 0"
    ]


def test_a_text_that_is_not_the_sheets(tmp_path):
    path = make_source(tmp_path / "s", TEXT, TABLE + statement("Russia denounced"))
    (tmp_path / "s" / "text.txt").write_text(TEXT + "More.\n", encoding="utf-8")
    with pytest.raises(SheetInvalid) as caught:
        compile_sheet(path, load_entities())
    (message,) = [str(problem) for problem in caught.value.problems]
    assert message.startswith(f"{path}:4: the text {tmp_path / 's' / 'text.txt'} has SHA-256 ")
    assert message.endswith(", the sheet says " + path.read_text().split("sha256: ")[1].split("\n")[0])


def test_every_problem_of_a_sheet_is_reported_in_order(tmp_path):
    sheet = statement("nowhere at all", "agent: Atlantis") + statement('""').replace("s1", "s2")
    assert problems(tmp_path, sheet) == [
        "12: statement s1: the quote is not in the text; nearest match at offset 33: '023. NATO call'",
        "13: statement s1: unknown name 'Atlantis': not a label or alias in the entity sheet, "
        "nor a statement key of this sheet (agent and object name only an earlier statement)",
        "16: statement s2: the quote is empty",
    ]


def test_a_schema_error_is_located(tmp_path):
    assert problems(tmp_path, statement("Russia denounced", "agnet: Russia")) == [
        "13: statements/0: Additional properties are not allowed ('agnet' was unexpected)"
    ]


def test_the_cli_exits_1_with_the_list(tmp_path, capsys):
    from treatykg.cli.main import main

    path = make_source(tmp_path / "s", TEXT, TABLE + statement('""'))
    assert main(["sheet", "compile", str(path), "--known"]) == 1
    assert capsys.readouterr().err == (
        f"{path}:12: statement s1: the quote is empty\nthe sheet does not compile: 1 problem(s)\n"
    )


# --- YAML hazards -------------------------------------------------------------------------------------


def test_scalars_stay_the_strings_written(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("a: no\nb: 1990\nc: 2023-05\nd: 1e3\ne: ~\nf: 0x10\n", encoding="utf-8")
    assert read_yaml(path) == {"a": "no", "b": "1990", "c": "2023-05", "d": "1e3", "e": "~", "f": "0x10"}


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path):
    path = tmp_path / "bomb.yaml"
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    bomb += "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b]\n"
    path.write_text(bomb, encoding="utf-8")
    with pytest.raises(SheetInvalid) as caught:
        read_yaml(path)
    assert [str(problem) for problem in caught.value.problems] == [
        f"{path}:1: YAML: anchors (&name) are not allowed in a sheet"
    ]
    path.write_text("a: *undefined\n", encoding="utf-8")
    with pytest.raises(SheetInvalid) as caught:
        read_yaml(path)
    assert [str(problem) for problem in caught.value.problems] == [
        f"{path}:1: YAML: aliases (*name) are not allowed in a sheet"
    ]


def test_duplicate_keys_are_refused_naming_both_lines(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("source:\n  slug: a\n  kind: news\n  slug: b\n", encoding="utf-8")
    with pytest.raises(SheetInvalid) as caught:
        read_yaml(path)
    assert [str(problem) for problem in caught.value.problems] == [
        f"{path}:4: duplicate key 'slug' (first on line 2)"
    ]


def test_a_yaml_syntax_error_is_located(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("a: [1, 2\nb: 3\n", encoding="utf-8")
    with pytest.raises(SheetInvalid) as caught:
        read_yaml(path)
    assert [str(problem) for problem in caught.value.problems] == [
        f"{path}:2: YAML: expected ',' or ']', but got ':'"
    ]


# --- the entity sheet ---------------------------------------------------------------------------------


def test_an_anaphor_is_never_an_alias(tmp_path):
    path = tmp_path / "entities.yaml"
    path.write_text(
        "entities:\n"
        "  - iri: https://w3id.org/treatykg/id/organization/nato\n"
        "    class: Alliance\n"
        "    label: NATO\n"
        "    aliases: [the alliance, They, the Alliance]\n",
        encoding="utf-8",
    )
    with pytest.raises(SheetInvalid) as caught:
        load_entities(path)
    assert [str(problem) for problem in caught.value.problems] == [
        f"{path}:5: alias 'the alliance' of NATO is an anaphor, never an alias",
        f"{path}:5: alias 'They' of NATO is an anaphor, never an alias",
    ]


def test_each_mention_problem_is_located(tmp_path):
    table = TABLE.replace("statements:\n", "")
    mentions = (
        "mentions:\n"
        "  - name: NATO\n"
        "    alt_labels: [the alliance, North Atlantic Treaty Organization]\n"
        "    quote: NATO\n"
        "  - name: NATO\n"
        "  - name: s1\n"
        "  - name: Russia\n"
        "    properties: {memberOf: NATO}\n"
        "  - name: Adapted CFE\n"
        "    time: '1999'\n"
        "    quote: The CFE\n"
        "statements:\n" + statement("Russia denounced the CFE")
    )
    nato = "https://w3id.org/treatykg/id/organization/nato"
    assert problems(tmp_path, mentions, table=table) == [
        f"11: mention NATO: 'the alliance' is an anaphor, never a name of {nato}",
        "11: mention NATO: the name 'North Atlantic Treaty Organization' is not in the text",
        f"13: mention NATO: {nato} is mentioned twice; give all its quotes in one mention",
        "14: mention s1: https://w3id.org/treatykg/id/event/s1 is not an entity of the entity sheet",
        "16: mention Russia: unknown property 'memberOf' (not in the ontology)",
        "18: mention Adapted CFE: time '1999' is not given by the text: neither the quotes nor their "
        "sentences give the year 1999",
    ]
