"""Shared pytest fixtures."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_support import private_store

from treatykg.server.app import close_app, create_app
from treatykg.server.harness import VIRTUOSO_PACKAGE, OxigraphServe, VirtuosoServe

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


# -- remote stores: one of each engine per session, on loopback, emptied for each test module -------------

REMOTE_ENGINES = ("oxigraph", "virtuoso")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServe]:
    """An Oxigraph server (the `oxigraph` package of the test extra) with a 3 s query limit of its own."""
    with OxigraphServe(tmp_path_factory.mktemp("oxigraph"), timeout_s=3) as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServe]:
    """Virtuoso Open Source (`virtuoso-t`, Debian's package); the client sends each query's limit."""
    if shutil.which("virtuoso-t") is None:
        # Not a skip: a check that silently skips checks nothing; .ci/run installs the package.
        pytest.fail(f"virtuoso-t is not installed: apt-get install {VIRTUOSO_PACKAGE}")
    with VirtuosoServe(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture(scope="module", params=REMOTE_ENGINES)
def remote(request: pytest.FixtureRequest) -> Iterator[OxigraphServe | VirtuosoServe]:
    """Each remote engine in turn, emptied, with TREATYKG_REMOTE_DIALECT naming its dialect."""
    server = request.getfixturevalue(f"{request.param}_server")
    server.clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TREATYKG_REMOTE_DIALECT", server.dialect)
        yield server
