"""The endpoint benchmark's machinery at a tiny size: every path answers, they agree, the report is whole.

The benchmark itself (bench/endpoint.py, 10k to 1M triples) is a command, never a test; this runs it on 2k
triples, 2 queries, 1 client and one pass, in seconds.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "endpoint.py"
QUERIES = ["cq-treaties-left", "an-treaty-exits"]


@pytest.fixture(scope="module")
def endpoint():
    """bench/endpoint.py as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_endpoint", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def report(endpoint, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    """One run at 2k triples; the JSON it wrote and the folder it wrote it in."""
    out = tmp_path_factory.mktemp("bench-out")
    settings = endpoint.Settings(
        clients=(1,), passes=1, queries=QUERIES, rdflib_budget=120, rdflib_query_budget=30, log=lambda _: None
    )
    endpoint.run([2000], out, settings, work=tmp_path_factory.mktemp("bench-work"))
    return json.loads((out / "endpoint.json").read_text()), out


def test_the_three_paths_agree_on_every_query(report) -> None:
    """Each query answered by all three paths, with rows, and the same rows as sets."""
    document, _ = report
    answers = document["sizes"][0]["answers"]
    assert answers["agree"] is True
    assert set(answers["queries"]) == set(QUERIES)
    for entry in answers["queries"].values():
        assert entry["agree"] is True
        rows = entry["rows"]
        assert set(rows) == {"treatykg", "oxigraph", "rdflib"}
        assert rows["treatykg"] == rows["oxigraph"] == rows["rdflib"] > 0


def test_the_report_has_build_steps_latencies_memory_and_the_ratio(report) -> None:
    """Build time per step, store size, peak RSS; p50/p95 and throughput per path; PSS; the ratio."""
    document, out = report
    assert document["clients"] == [1]
    size = document["sizes"][0]
    assert size["size"] == 2000
    build = size["build"]
    assert set(build["steps"]) == {"load", "reason", "validate", "store"}
    assert build["quads"] > build["triples"] >= 2000  # the inferred graph on top of the data
    assert build["store_bytes"] > 0
    assert build["peak_rss_bytes"] > 0
    for path in ("treatykg", "oxigraph", "rdflib"):
        level = size["paths"][path]["levels"]["1"]
        assert level["queries"] == len(QUERIES)
        assert level["errors"] == 0
        assert 0 < level["p50_ms"] <= level["p95_ms"]
        assert level["throughput_qps"] > 0
        assert set(level["per_query"]) == set(QUERIES)
    assert size["paths"]["rdflib"]["did_not_finish"] == []
    assert "no HTTP" in size["paths"]["rdflib"]["transport"]
    for path in ("treatykg", "oxigraph"):
        assert size["paths"][path]["pss_peak_bytes"] > 0
    assert size["paths"]["treatykg"]["processes_max"] >= 3  # the server, the read view and a worker
    assert set(size["ratio"]["per_query"]) == set(QUERIES)
    assert size["ratio"]["geomean"] > 0
    assert document["must_show"]["answers_agree"] is True
    assert "| 2,000 | treatykg | 1 |" in (out / "endpoint.md").read_text()


def test_the_plot_is_written(report) -> None:
    """A PNG, when matplotlib (the bench extra) is installed."""
    pytest.importorskip("matplotlib")
    _, out = report
    assert (out / "endpoint.png").read_bytes().startswith(b"\x89PNG")
