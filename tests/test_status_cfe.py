"""The must-show status answers on the default build with the curated CFE note (graph/sources/
cfe-treaty-record): Russia and the United States across 1990–2025, and Russia's CTBT status resting on the
article's undated revocation of its ratification, never a withdrawal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from treatykg.cli.main import main
from treatykg.core.iris import ID

pytestmark = pytest.mark.slow

EVENT = ID + "event/"
CASES = [
    ("russia", "cfe", "1992-07-10", "ConsentedNotInForce", {"1992-07-08-russia-ratifies-cfe"}),
    ("russia", "cfe", "1992-08-01", "ProvisionallyApplying", {"1992-07-17-cfe-provisional-application"}),
    ("russia", "cfe", "2000-01-01", "Party", {"1992-07-08-russia-ratifies-cfe", "cfe-entry-into-force"}),
    # The suspension took effect in the night of 12 to 13 December 2007.
    ("russia", "cfe", "2007-12-12", "Indeterminate", {"russia-suspends-cfe-participation-2007"}),
    ("russia", "cfe", "2010-01-01", "Suspended", {"russia-suspends-cfe-participation-2007"}),
    (
        "russia",
        "cfe",
        "2016-01-01",
        "Suspended",
        {"russia-suspends-cfe-participation-2007", "russia-completely-withdraws-from-cfe-2015"},
    ),
    ("russia", "cfe", "2023-06-15", "WithdrawalPending", {"2023-05-russia-denounces-cfe"}),
    ("russia", "cfe", "2024-01-01", "Withdrawn", {"russia-withdraws-from-cfe"}),
    ("russia", "cfe", "2025-12-31", "Withdrawn", {"russia-withdraws-from-cfe"}),
    # The note names the Soviet Union and the United States among the 1990 signatories (acting members of
    # the signing); before it, no record.
    ("united-states", "cfe", "1990-11-01", "Unknown", set()),
    ("united-states", "cfe", "1990-12-01", "Signatory", {"cfe-signing"}),
    ("soviet-union", "cfe", "1991-06-01", "Signatory", {"cfe-signing"}),
    # Russia's succession is undated: until its own ratification, whether it held the Soviet signature is
    # open.
    ("russia", "cfe", "1991-06-01", "Indeterminate", {"russia-succeeds-to-cfe"}),
    ("united-states", "cfe", "1992-01-01", "Indeterminate", {"united-states-ratifies-cfe"}),
    ("united-states", "cfe", "2000-01-01", "Party", {"united-states-ratifies-cfe", "cfe-entry-into-force"}),
    ("united-states", "cfe", "2023-12-06", "Party", {"united-states-ratifies-cfe", "cfe-entry-into-force"}),
    ("united-states", "cfe", "2024-01-01", "Suspended", {"2023-12-07-nato-allies-suspend-cfe-operation"}),
    # The article's "recent" revocation is undated; the withdrawal from the CFE (7 November 2023) follows it.
    ("russia", "ctbt", "2023-01-01", "Indeterminate", {"russia-revokes-ctbt-ratification"}),
    ("russia", "ctbt", "2024-01-01", "Signatory", {"russia-revokes-ctbt-ratification"}),
]


def answer(store: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    """`treatykg status ARGS --json` on the store, parsed."""
    assert main(["status", *args, "--json", "--store", str(store)]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(("state", "treaty", "day", "expected", "acts"), CASES)
def test_status_on_the_default_build(store: Path, capsys, state, treaty, day, expected, acts) -> None:
    found = answer(store, capsys, state, treaty, "--on", day)
    assert [interval["status"] for interval in found["intervals"]] == [expected]
    supports = {s["act"].removeprefix(EVENT) for s in found["intervals"][0]["supportedBy"]}
    assert supports == acts


def test_the_ctbt_answer_lists_the_undated_revocation_and_no_withdrawal(store: Path, capsys) -> None:
    found = answer(store, capsys, "russia", "ctbt", "--on", "2024-01-01")
    (interval,) = found["intervals"]
    assert interval["startEarliest"] is None
    assert interval["startLatest"] == "2023-11-07T23:59:59Z"  # by the order the sources give, no date
    (support,) = interval["supportedBy"]
    assert (support["when"], support["sources"]) == (
        None,
        ["https://w3id.org/treatykg/source/cfe-withdrawal-article"],
    )
    history = answer(store, capsys, "russia", "ctbt")
    assert "Withdrawn" not in {interval["status"] for interval in history["intervals"]}


def test_attributed_accounts_are_claims_beside_the_cfe_answer(store: Path, capsys) -> None:
    found = answer(store, capsys, "russia", "cfe", "--on", "2010-01-01")
    claims = {(claim["act"].removeprefix(EVENT), claim["speaker"]) for claim in found["claims"]}
    assert claims == {
        ("russia-suspends-cfe-participation-2007", "NATO"),
        ("russia-completely-withdraws-from-cfe-2015", "NATO"),
        ("russia-cfe-non-compliance", "NATO"),
    }
