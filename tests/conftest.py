"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

import owlapi_harness


@pytest.fixture(scope="session")
def owltool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OwlTool.java compiled once per session; the owlapi_harness functions then run it."""
    return owlapi_harness.compile_owltool(tmp_path_factory.mktemp("owltool"))
