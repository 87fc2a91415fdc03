"""docs/querying.md answers as written: each `sparql` block, run against a store built from the seed article's
sheet, prints exactly the `csv` block after it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pipeline_support import run

from treatykg.core import resources

pytestmark = pytest.mark.slow  # builds a store

DOC = Path(__file__).resolve().parents[1] / "docs" / "querying.md"
BLOCK = re.compile(r"^```(sparql|csv)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
ARTICLE = resources.graph_dir() / "sources" / "cfe-withdrawal-article"


def questions() -> list[tuple[str, str]]:
    """(query, expected CSV) for every `sparql` block of the page, each followed by its `csv` block."""
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    kinds = [kind for kind, _ in blocks]
    assert kinds == ["sparql", "csv"] * (len(blocks) // 2), "each query is followed by its answer"
    return [(blocks[i][1], blocks[i + 1][1]) for i in range(0, len(blocks), 2)]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """A store built from the packaged article's sheet."""
    from treatykg.cli.main import main

    path = tmp_path_factory.mktemp("querying") / "store"
    assert main(["build", "--engine", "fast", "--store", str(path), "--data", str(ARTICLE)]) == 0
    return path


def test_the_page_has_ten_questions_with_answers():
    found = questions()
    assert len(found) == 10
    assert all(answer.count("\n") >= 2 for _, answer in found), "every answer has at least one row"


@pytest.mark.parametrize("number", range(1, 11))
def test_each_query_gives_the_answer_the_page_shows(capsys, store, number):
    query, expected = questions()[number - 1]
    result = run(capsys, "query", "--store", store, "--format", "csv", "-e", query)
    assert result.code == 0, result.err
    # SPARQL's CSV ends lines with CRLF; the page shows plain newlines.
    assert result.out.replace("\r\n", "\n") == expected
