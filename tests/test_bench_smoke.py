"""The endpoint benchmark's machinery at a tiny size: every path answers, they agree, the report is whole.

The benchmark itself (bench/endpoint.py, 10k to 1M triples) is a command, never a test; this runs it on 2k
triples, 2 queries, 1 client and one pass, in seconds. The mix's competency questions are derived from
queries/; the derivation is checked against the hand-edited copies it replaced.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from treatykg.core.iris import SYNTHETIC_BASE
from treatykg.graph.query.prepared import load_query, parse_query

BENCH = Path(__file__).resolve().parents[1] / "bench" / "endpoint.py"
QUERIES = ["cq-treaties-left", "an-treaty-exits"]
# SHA-256 of each text (its `#+` header left out) as bench/queries/ held it, a hand-edited copy of queries/,
# with tkg:ReportedByArticle renamed tkg:ReportedBySource; three now read what moved to the accounts (a
# qualifier, an anchor) from the accounts, and cq-treaties-left lists a cessation of participation.
COPIES = {
    "cq-agent-involvement": "a71508932be5dbfdb71da5634e7b1b62a1d2d342e31841e7f3afb2b3a55b37e0",
    "cq-events-before": "d59314849ca46b487b83bfd818418738c55a496e0be04472ca7f88c06dced283",
    "cq-hypothetical-events": "7b8bb55b8d8ef265fc06d42da350515025d462cff33647d1158510a5c153c3e3",
    "cq-linkages": "98b3e59b401a7d6e41c9644cb1e2e08efc5ea0dfc62c757efca27519bbb3e411",
    "cq-speaker-statements": "e8cd48e0348b8a043d93e33a60613cb4546943bb32a682855553eaa117829910",
    "cq-supporting-sentence": "138c93c0e949e2e81a3365ffafc591dacc24ae28b7ed877ec9b2cdd93b715d1c",
    "cq-treaties-left": "f91c080d3b81384524ff4bc6ef376b4629d55d2791db65b49e5ebdc61f7ff68e",
    "cq-treaty-aims": "5cfd0906c191d618a4448b4a0de0cf5f9c56921b56f8a40e1c50296f7d8a2b99",
    "cq-treaty-history": "c38b4db732dd2f845d693e0426d883b87bd2a2dac15b4508704971d34fbef9c9",
    "cq-withdrawal-reason": "1de053cc27005359da1ea919ab0f298a6fd14cdc41ba119b55d8953f5d9511ac",
}
# The copies that wrote the entity's IRI where the variable stood, rather than a VALUES row.
INLINED = {
    "cq-agent-involvement",
    "cq-events-before",
    "cq-speaker-statements",
    "cq-supporting-sentence",
    "cq-treaties-left",
    "cq-withdrawal-reason",
}
# The mix before its competency questions were derived: bench/queries/*.rq, by name.
MIX = {
    *COPIES,
    "cq-accusations",
    "cq-attributed-events",
    "cq-reactions",
    "an-alliance-members",
    "an-class-partition",
    "an-label-search",
    "an-provenance-per-source",
    "an-speakers",
    "an-treaty-acts-by-year",
    "an-treaty-exits",
}


@pytest.fixture(scope="module")
def endpoint():
    """bench/endpoint.py as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_endpoint", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _inlined(text: str, bindings: dict[str, str]) -> str:
    """The text with each bound parameter's VALUES row gone and its IRI written where the variable stood."""
    for name, iri in bindings.items():
        term = f"<{SYNTHETIC_BASE}{iri}>"
        text = text.replace(f"  VALUES ?{name} {{ {term} }}\n", "")
        text = re.sub(rf"\?{name}\b", term, text)
    return text


def test_derived_queries_are_the_copies_they_replace(endpoint) -> None:
    """Each derived competency question is the text its copy held (up to how the copy wrote the binding)."""
    assert set(endpoint.DERIVED) == set(COPIES)
    for name, bindings in endpoint.DERIVED.items():
        text = endpoint.derive_query(load_query(name), bindings)
        if name in INLINED:
            text = _inlined(text, bindings)
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == COPIES[name], name


def test_the_mix_keeps_its_queries_and_each_parses(endpoint) -> None:
    """The same names as before, none both derived and a file; every text is SPARQL Oxigraph accepts."""
    mix = endpoint.load_mix()
    assert [query.name for query in mix] == sorted(MIX)
    assert not set(endpoint.DERIVED) & {path.stem for path in endpoint.QUERIES.glob("*.rq")}
    for query in mix:
        assert query.summary, query.name
        assert query.kind in ("competency", "analytical"), query.name
        ox.Store().query(query.text)


def test_derivation_rebases_the_articles_iris_not_the_ontologys(endpoint) -> None:
    """Things, sources and graphs move to the synthetic base; ontology terms stay; a binding is checked."""
    query = parse_query(
        "#+ param: x iri https://w3id.org/treatykg/id/state/russia\n"
        "PREFIX tkg: <https://w3id.org/treatykg/ontology#>\n"
        "SELECT ?x ?y WHERE {\n"
        "  GRAPH <https://w3id.org/treatykg/graph/inferred> "
        "{ ?x tkg:agentIn <https://w3id.org/treatykg/id/y> }\n"
        "}\n",
        "example",
    )
    assert endpoint.derive_query(query, {"x": "id/state/eskastan"}) == (
        "PREFIX tkg: <https://w3id.org/treatykg/ontology#>\n"
        "SELECT ?y WHERE {\n"
        f"  VALUES ?x {{ <{SYNTHETIC_BASE}id/state/eskastan> }}\n"
        f"  GRAPH <{SYNTHETIC_BASE}graph/inferred> "
        f"{{ ?x tkg:agentIn <{SYNTHETIC_BASE}id/y> }}\n"
        "}\n"
    )
    with pytest.raises(ValueError, match="not a valid iri"):
        endpoint.derive_query(query, {"x": "id/state/not an iri"})


@pytest.fixture(scope="module")
def report(endpoint, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    """One run at 2k triples; the JSON it wrote and the folder it wrote it in."""
    out = tmp_path_factory.mktemp("bench-out")
    settings = endpoint.Settings(
        clients=(1,), passes=1, queries=QUERIES, rdflib_budget=120, rdflib_query_budget=30, log=lambda _: None
    )
    endpoint.run([2000], out, settings, work=tmp_path_factory.mktemp("bench-work"))
    return json.loads((out / "endpoint.json").read_text()), out


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_the_plot_is_written(report) -> None:
    """A PNG, when matplotlib (the bench extra) is installed."""
    pytest.importorskip("matplotlib")
    _, out = report
    assert (out / "endpoint.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.slow
def test_a_report_without_rdflib_says_so(endpoint, report) -> None:
    """Without the rdflib path (`--no-rdflib`): no rows for it, and "not run" in the summary."""
    document, out = report
    assert (out / "endpoint.md").read_text().startswith(f"Measured {document['date']} on ")
    without = json.loads(json.dumps(document))
    del without["sizes"][0]["paths"]["rdflib"]
    text = endpoint.tables(without)
    assert "| 2,000 | rdflib |" in endpoint.tables(document)
    assert "| 2,000 | rdflib |" not in text
    assert text.splitlines()[-1].endswith("| yes | not run |")
