"""docs/routes.md is the route table the app generates, so the documented routes never drift from the code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from treatykg.server.routes import route_table

ROUTES_PAGE = Path(__file__).resolve().parents[1] / "docs" / "routes.md"


@pytest.fixture(scope="module")
def test_config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An empty scratch store: the routes do not depend on the data."""
    return {"STORE": str(tmp_path_factory.mktemp("routes") / "store"), "BUILD_IF_EMPTY": False}


def test_docs_routes_is_the_generated_route_table(app: Flask) -> None:
    expected = route_table(app)
    assert ROUTES_PAGE.read_text(encoding="utf-8") == expected, (
        "regenerate it: python -m treatykg.server.routes docs/routes.md"
    )


def test_every_route_says_what_it_answers(app: Flask) -> None:
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    assert len(rules) > 20
    assert [rule.rule for rule in rules if not app.view_functions[rule.endpoint].__doc__] == []
