"""`/admin/check`, the server's `treatykg check`: the engine the request names; a 400 for another."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # runs commands or a server end to end: seconds each

TOKEN = "admin-check-token"  # noqa: S105 - the scratch server's own token
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def test_config(test_config):
    """The shared settings, with a token for the admin routes."""
    return {**test_config, "UPDATE_TOKEN": TOKEN}


def test_the_check_runs_with_the_engine_asked_for(client) -> None:
    reports = {}
    for name, body in (
        ("default", None),
        ("compiled", {"engine": "compiled"}),
        ("reference", {"engine": "reference"}),
    ):
        reply = client.post("/admin/check", json=body, headers=AUTH)
        assert reply.status_code == 200, reply.text
        reports[name] = reply.get_json()
    assert reports["default"] == reports["compiled"] == reports["reference"]
    assert reports["reference"]["ok"]
    assert reports["reference"]["facts"][-1].startswith("SHACL: 0 violations, ")


def test_an_unknown_engine_is_a_400_naming_the_engines(client) -> None:
    reply = client.post("/admin/check", json={"engine": "fast"}, headers=AUTH)
    assert reply.status_code == 400
    assert "naming one of: compiled, reference" in reply.text
