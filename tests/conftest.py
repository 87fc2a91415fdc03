"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_support import private_store

from treatykg.server.app import close_app, create_app

import owlapi_harness


@pytest.fixture(scope="session")
def owltool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OwlTool.java compiled once per session; the owlapi_harness functions then run it."""
    return owlapi_harness.compile_owltool(tmp_path_factory.mktemp("owltool"))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the built article store for the test module's app."""
    return private_store(tmp_path_factory)


@pytest.fixture(scope="module")
def test_config(store: Path) -> dict[str, Any]:
    """The settings `app` is created with; a test module overrides this fixture to change them."""
    return {"STORE": str(store), "BUILD_IF_EMPTY": False}


@pytest.fixture(scope="module")
def app(test_config: dict[str, Any]) -> Iterator[Flask]:
    """`create_app(test_config)`, one per test module, closed after it."""
    app = create_app(test_config)
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()
