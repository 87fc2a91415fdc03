"""The reconciled view of the accounts (graph/derive): refinement, each conflict kind, a cycle, the curator's
decisions; both builds store it, `treatykg conflicts` and report-conflicts list it, and a store built before
it refuses writes."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from pipeline_support import canonical, run, store_quads
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from treatykg.core import resources
from treatykg.core.iris import ID, RECONCILED_GRAPH, TKG, WRITES_GRAPH, source_graph
from treatykg.graph.build.sheets import compile_sheets, sheets_under
from treatykg.graph.derive.reconcile import derive, reconciled_graph
from treatykg.graph.store.embedded import VERSION_FILE

pytestmark = pytest.mark.slow  # builds stores of the sources: seconds per module

FIXTURES = Path(__file__).parent / "fixtures" / "reconcile"
EVENT = ID + "event/"
UKRAINE, GEORGIA = URIRef(EVENT + "1992-ukraine-ratifies-cfe"), URIRef(EVENT + "1995-georgia-ratifies-cfe")
MOLDOVA, US = (
    URIRef(EVENT + "moldova-ratifies-cfe"),
    URIRef(EVENT + "united-states-ratifies-cfe-per-report-a"),
)
T = {name: URIRef(TKG + name) for name in ("epistemicStatus", "timeSpan", "happenedAfter", "accordingTo")}
DATE_TIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
ARTICLE = resources.graph_dir() / "sources" / "cfe-withdrawal-article"
AGENTS = Path(__file__).parent / "fixtures" / "reconcile-agents"
SIGNING = URIRef(EVENT + "1990-cfe-signing-per-report-c")
RENUNCIATION = URIRef(EVENT + "1991-russia-renounces-cfe-per-report-c")
PREFER = """
    decision:
      rank: {rank}
      reason: {reason}
      curator: Test Curator
      at: "2026-01-02T03:04:05Z"
"""


def account(act: URIRef, source: str) -> str:
    """The IRI of a source's account of an act."""
    return f"{act}/account/{source}"


def compiled(folder: Path = FIXTURES) -> dict[str, Graph]:
    """The fixture sheets compiled: graph name -> graph."""
    return {name: graph for name, (graph, _) in compile_sheets(sheets_under(folder), []).items()}


def conflicts(graph: Graph) -> dict[str, tuple[str, set[str], set[str]]]:
    """conflict IRI -> (kind, acts, accounts)."""
    found = {}
    for node in graph.subjects(RDF.type, URIRef(TKG + "Conflict")):
        kind = str(graph.value(node, URIRef(TKG + "conflictKind"))).removeprefix(TKG)
        acts = {str(act) for act in graph.objects(node, URIRef(TKG + "conflictAbout"))}
        accounts = {str(account) for account in graph.objects(node, URIRef(TKG + "involvesAccount"))}
        found[str(node)] = (kind, acts, accounts)
    return found


def with_decision(tmp_path: Path, report: str, statement: str, rank: str) -> Path:
    """A copy of the fixtures with a decision on one statement of one report."""
    folder = tmp_path / "sources"
    shutil.copytree(FIXTURES, folder)
    sheet = folder / report / "sheet.yaml"
    text = sheet.read_text(encoding="utf-8")
    head, rest = text.split(f"  - key: {statement}\n", 1)
    end = rest.find("\n  - key:")
    body, tail = (rest, "") if end < 0 else (rest[: end + 1], rest[end + 1 :])
    decision = PREFER.format(rank=rank, reason=f"the test {rank}s this account")
    sheet.write_text(
        f"{head}  - key: {statement}\n{body.rstrip()}\n{decision.lstrip(chr(10))}{tail}", "utf-8"
    )
    return folder


def test_overlapping_spans_refine_each_other_and_the_reported_voice_wins():
    graph = reconciled_graph(compiled().values())
    # 1992 (year) and 7 July 1992 (day) overlap: the act takes the day, the node report-b's account names.
    assert graph.value(UKRAINE, T["timeSpan"]) == URIRef(ID + "time/1992-07-07")
    # report-a attributes the U.S. ratification to Russia; report-b reports it in its own voice.
    assert graph.value(US, T["epistemicStatus"]) == URIRef(TKG + "ReportedBySource")
    assert graph.value(US, T["accordingTo"]) is None


def test_each_conflict_kind_with_exactly_its_accounts():
    graph = reconciled_graph(compiled().values())
    both = {account(GEORGIA, "report-a"), account(GEORGIA, "report-b")}
    assert conflicts(graph) == {
        ID + "conflict/span-1995-georgia-ratifies-cfe": ("SpanConflict", {str(GEORGIA)}, both),
        ID + "conflict/class-1995-georgia-ratifies-cfe": ("ClassConflict", {str(GEORGIA)}, both),
        ID + "conflict/agent-united-states-ratifies-cfe-per-report-a": (
            "AgentConflict",
            {str(US)},
            {account(US, "report-a"), account(US, "report-b")},
        ),
        ID + "conflict/order-1992-ukraine-ratifies-cfe": (
            "OrderCycle",
            {str(UKRAINE), str(MOLDOVA)},
            {account(MOLDOVA, "report-a"), account(UKRAINE, "report-b")},
        ),
    }
    # 1995 and 1996 do not overlap: no reconciled span; the cycle's edges give no order.
    assert graph.value(GEORGIA, T["timeSpan"]) is None
    assert not list(graph.triples((None, T["happenedAfter"], None)))


def test_the_accounts_stay_as_the_sources_give_them():
    graphs = compiled()
    georgia_b = URIRef(account(GEORGIA, "report-b"))
    assert (georgia_b, URIRef(TKG + "claimedClass"), URIRef(TKG + "Accession")) in graphs[
        source_graph("report-b")
    ]
    assert (georgia_b, T["timeSpan"], URIRef(ID + "time/1996")) in graphs[source_graph("report-b")]
    # Nothing reconciled is stated about an account, and nothing about a source's graph moves.
    graph = reconciled_graph(graphs.values())
    assert not [s for s in graph.subjects() if "/account/" in str(s)]


def test_a_preferred_account_wins_and_changes_no_account(tmp_path):
    folder = with_decision(tmp_path, "report-a", "georgia-ratifies", "prefer")
    graphs = compiled(folder)
    graph = reconciled_graph(graphs.values())
    assert graph.value(GEORGIA, T["timeSpan"]) == URIRef(ID + "time/1995")
    assert {kind for kind, _, _ in conflicts(graph).values()} == {"AgentConflict", "OrderCycle"}
    # report-b's account is the same with or without report-a's decision.
    assert set(graphs[source_graph("report-b")]) == set(compiled()[source_graph("report-b")])
    decision = URIRef(account(GEORGIA, "report-a") + "/decision")
    assert (decision, URIRef(TKG + "rank"), URIRef(TKG + "Preferred")) in graphs[source_graph("report-a")]


def test_a_deprecated_account_is_ignored(tmp_path):
    folder = with_decision(tmp_path, "report-b", "us-ratifies", "deprecate")
    graph = reconciled_graph(compiled(folder).values())
    # Only report-a's account counts: attributed to Russia, and no agent conflict.
    assert graph.value(US, T["epistemicStatus"]) == URIRef(TKG + "AttributedToSpeaker")
    assert set(graph.objects(US, T["accordingTo"])) == {URIRef(ID + "state/russia")}
    assert "AgentConflict" not in {kind for kind, _, _ in conflicts(graph).values()}


def test_an_agent_claimed_where_the_act_has_none_is_adopted_with_its_members():
    graph = reconciled_graph(compiled(AGENTS).values())
    # report-c gives the signing no agent; report-d's account names the group and two of its members.
    assert graph.value(SIGNING, URIRef(TKG + "agent")) == URIRef(ID + "group/cfe-signatories-1990")
    assert set(graph.objects(SIGNING, URIRef(TKG + "actingMember"))) == {
        URIRef(ID + "state/soviet-union"),
        URIRef(ID + "state/united-states"),
    }
    assert conflicts(graph) == {}


def test_the_members_of_a_joined_act_are_its_accounts_claim():
    graphs = compiled(AGENTS)
    report_d = graphs[source_graph("report-d")]
    # The act keeps what report-c gave it: report-d adds nothing to it but its account.
    assert list(report_d.predicate_objects(SIGNING)) == []
    assert set(report_d.objects(URIRef(account(SIGNING, "report-d")), URIRef(TKG + "claimedMember"))) == {
        URIRef(ID + "state/soviet-union"),
        URIRef(ID + "state/united-states"),
    }


def test_two_accounts_claiming_different_agents_for_an_act_without_one_conflict(tmp_path):
    folder = tmp_path / "sources"
    shutil.copytree(AGENTS, folder)
    shutil.copytree(folder / "report-d", folder / "report-e")
    sheet = folder / "report-e" / "sheet.yaml"
    text = sheet.read_text(encoding="utf-8").replace("slug: report-d", "slug: report-e")
    sheet.write_text(text.replace("agent: the 22 states that signed the CFE Treaty in 1990", "agent: NATO"))
    graph = reconciled_graph(compiled(folder).values())
    assert graph.value(SIGNING, URIRef(TKG + "agent")) is None
    assert list(graph.objects(SIGNING, URIRef(TKG + "actingMember"))) == []
    assert conflicts(graph) == {
        ID + "conflict/agent-1990-cfe-signing-per-report-c": (
            "AgentConflict",
            {str(SIGNING)},
            {account(SIGNING, source) for source in ("report-c", "report-d", "report-e")},
        )
    }


def test_an_act_whose_every_account_is_deprecated_gets_no_reconciled_value(capsys, tmp_path):
    graph = reconciled_graph(compiled(AGENTS).values())
    assert list(graph.predicate_objects(RENUNCIATION)) == []
    # It is then a claim only: both builds accept it, and no query for what happened lists it.
    for engine in ("reference", "fast"):
        path = tmp_path / engine
        result = run(capsys, "build", "--engine", engine, "--store", path, "--data", ARTICLE, AGENTS)
        assert result.code == 0, result.err
        assert "violation" not in result.err
        query = run(capsys, "query", "cq-treaty-history", "--store", path, "--format", "csv")
        assert str(SIGNING) in query.out
        assert str(RENUNCIATION) not in query.out


def spans_store(*spans: tuple[str, str, str, str]) -> ox.Store:
    """A store of one act with one account per (source, earliest, latest, precision)."""
    store, act = ox.Store(), ox.NamedNode(EVENT + "x")
    tkg = lambda name: ox.NamedNode(TKG + name)  # noqa: E731  # a short helper for the quads below
    for source, earliest, latest, precision in spans:
        node, span = ox.NamedNode(f"{act.value}/account/{source}"), ox.NamedNode(f"{ID}time/{source}")
        graph = ox.NamedNode(source_graph(source))
        store.add(ox.Quad(node, tkg("accountOf"), act, graph))
        store.add(ox.Quad(node, tkg("epistemicStatus"), tkg("Hypothetical"), graph))
        store.add(ox.Quad(node, tkg("timeSpan"), span, graph))
        for name, value in (("earliest", earliest), ("latest", latest)):
            store.add(ox.Quad(span, tkg(name), ox.Literal(value, datatype=DATE_TIME), graph))
        store.add(
            ox.Quad(span, tkg("precision"), ox.NamedNode("http://www.w3.org/2006/time#" + precision), graph)
        )
    return store


def test_an_intersection_no_account_gives_gets_a_minted_span_at_the_finest_precision():
    store = spans_store(
        ("a", "1992-01-01T00:00:00Z", "1993-12-31T23:59:59Z", "unitYear"),
        ("b", "1992-07-01T00:00:00Z", "1994-06-30T23:59:59Z", "unitMonth"),
    )
    triples = {(t.subject.value, t.predicate.value, t.object.value) for t in derive(store)}
    span = ID + "time/1992-07--1993-12"
    assert triples == {
        (EVENT + "x", TKG + "epistemicStatus", TKG + "Hypothetical"),
        (EVENT + "x", TKG + "timeSpan", span),
        (span, str(RDF.type), TKG + "TimeSpan"),
        (span, "http://www.w3.org/2000/01/rdf-schema#label", "July 1992 to December 1993"),
        (span, TKG + "earliest", "1992-07-01T00:00:00Z"),
        (span, TKG + "latest", "1993-12-31T23:59:59Z"),
        (span, TKG + "precision", "http://www.w3.org/2006/time#unitMonth"),
    }


def test_a_span_with_an_ill_typed_bound_is_left_out_and_the_others_reconcile():
    store = spans_store(
        ("a", "1992-01-01T00:00:00Z", "1992-12-31T23:59:59Z", "unitYear"),
        (
            "b",
            "1992-13-45T00:00:00Z",
            "1993-06-30T23:59:59Z",
            "unitMonth",
        ),  # no such month: SHACL's to report
    )
    triples = {(t.subject.value, t.predicate.value, t.object.value) for t in derive(store)}
    assert triples == {
        (EVENT + "x", TKG + "epistemicStatus", TKG + "Hypothetical"),
        (EVENT + "x", TKG + "timeSpan", ID + "time/a"),
    }


def test_an_object_claim_that_differs_is_a_conflict():
    store = spans_store(
        ("a", "1992-01-01T00:00:00Z", "1992-12-31T23:59:59Z", "unitYear"),
        ("b", "1992-01-01T00:00:00Z", "1992-12-31T23:59:59Z", "unitYear"),
    )
    claim = ox.Quad(
        ox.NamedNode(EVENT + "x/account/b"),
        ox.NamedNode(TKG + "claimedObject"),
        ox.NamedNode(ID + "treaty/adapted-cfe"),
        ox.NamedNode(source_graph("b")),
    )
    store.add(claim)
    graph = Graph()
    for t in derive(store):
        graph.add(
            (
                URIRef(t.subject.value),
                URIRef(t.predicate.value),
                URIRef(t.object.value) if isinstance(t.object, ox.NamedNode) else Literal(t.object.value),
            )
        )
    assert conflicts(graph) == {
        ID + "conflict/object-x": (
            "ObjectConflict",
            {EVENT + "x"},
            {EVENT + "x/account/a", EVENT + "x/account/b"},
        )
    }
    # Equal spans: the act shares the first account's node rather than a minted one.
    assert graph.value(URIRef(EVENT + "x"), T["timeSpan"]) == URIRef(ID + "time/a")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Stores built by each engine from the article and the two invented reports."""
    stores = {}
    for engine in ("reference", "fast"):
        path = tmp_path_factory.mktemp(engine) / "store"
        from treatykg.cli.main import main

        assert (
            main(["build", "--engine", engine, "--store", str(path), "--data", str(ARTICLE), str(FIXTURES)])
            == 0
        )
        stores[engine] = path
    return stores


def reconciled(path: Path) -> set[str]:
    """The reconciled graph of a store, as N-Triples lines."""
    return {f"{q.triple}" for q in store_quads(path) if q.graph_name == ox.NamedNode(RECONCILED_GRAPH)}


def test_both_builds_store_the_same_reconciled_graph(built):
    reference = reconciled(built["reference"])
    assert reference == reconciled(built["fast"])
    assert f"<{UKRAINE}> <{TKG}timeSpan> <{ID}time/1992-07-07>" in reference
    assert len([line for line in reference if line.endswith(f"<{TKG}Conflict>")]) == 4


def test_treatykg_conflicts_lists_kind_act_and_both_quotes(capsys, built):
    result = run(capsys, "conflicts", "--store", built["reference"])
    assert result.code == 0
    cfe = "ratifies Treaty on Conventional Armed Forces in Europe"
    assert result.out.splitlines() == [
        f"AgentConflict  United States {cfe} <{US}>",
        "  report-a: “Russia said that the United States had ratified the CFE Treaty”",
        "  report-b: “The United States ratified the CFE Treaty” … “The ratification credited to the United"
        " States was the Soviet Union's”",
        f"ClassConflict  Georgia {cfe} (1995) <{GEORGIA}>",
        "  report-a: “Georgia ratified the CFE Treaty in 1995”",
        "  report-b: “Georgia acceded to the CFE Treaty in 1996”",
        f"OrderCycle  Ukraine {cfe} (1992) <{UKRAINE}>; Moldova {cfe} <{MOLDOVA}>",
        "  report-b: “Ukraine ratified the CFE Treaty on 7 July 1992” … “Ukraine ratified the CFE Treaty"
        " after Moldova did”",
        "  report-a: “Moldova ratified the CFE Treaty after Ukraine did”",
        f"SpanConflict  Georgia {cfe} (1995) <{GEORGIA}>",
        "  report-a: “Georgia ratified the CFE Treaty in 1995”",
        "  report-b: “Georgia acceded to the CFE Treaty in 1996”",
        "4 conflict(s)",
    ]
    listed = json.loads(run(capsys, "conflicts", "--json", "--store", built["fast"]).out)
    assert [(item["kind"], len(item["accounts"])) for item in listed] == [
        ("AgentConflict", 2),
        ("ClassConflict", 2),
        ("OrderCycle", 2),
        ("SpanConflict", 2),
    ]


def test_report_conflicts_rows(capsys, built):
    result = run(capsys, "query", "report-conflicts", "--format", "csv", "--store", built["fast"])
    rows = result.out.splitlines()
    assert rows[0] == "conflict,kind,act,actLabel,account,source,start,quote"
    # One row per quote: two accounts per conflict, report-b's U.S. and Ukraine accounts with two quotes each.
    assert len(rows) == 1 + 8 + 2


def test_a_store_built_before_the_reconciled_view_refuses_writes(capsys, built, tmp_path):
    path = tmp_path / "old"
    shutil.copytree(built["fast"], path)
    version = json.loads((path / VERSION_FILE).read_text(encoding="utf-8"))
    del version["build"]["derived"]
    (path / VERSION_FILE).write_text(json.dumps(version), encoding="utf-8")
    before = store_quads(path)
    result = run(capsys, "add", Path(__file__).parent / "fixtures" / "build" / "links.ttl", "--store", path)
    assert result.code == 2
    assert "built by an earlier version of treatykg" in result.err
    assert "rebuild it with `treatykg build`" in result.err
    assert store_quads(path) == before


def graphs_of(path: Path) -> dict[str, set[str]]:
    """The store's graphs but the write log, as sets of canonical N-Triples lines."""
    graphs: dict[str, set[str]] = {}
    for quad in canonical(store_quads(path)):
        if quad.graph_name != ox.NamedNode(WRITES_GRAPH):
            graphs.setdefault(str(quad.graph_name), set()).add(str(quad.triple))
    return graphs


def test_add_then_remove_sheets_keeps_the_reconciled_view_a_build_would_give(capsys, built, tmp_path):
    path = tmp_path / "store"
    assert run(capsys, "build", "--engine", "fast", "--store", path, "--data", ARTICLE).code == 0
    for report in ("report-a", "report-b"):
        result = run(capsys, "add", FIXTURES / report / "sheet.yaml", "--store", path, "--curator", "Test")
        assert result.code == 0, result.err
    # Every graph but the write log equals a build's with both sheets, inferences included.
    assert graphs_of(path) == graphs_of(built["fast"])
    assert run(capsys, "conflicts", "--store", path).out.splitlines()[-1] == "4 conflict(s)"
    result = run(capsys, "source", "remove", "report-b", "--store", path, "--curator", "Test")
    assert result.code == 0, result.err
    assert result.out.startswith(f"removed {source_graph('report-b')} from {path}: version 4, ")
    alone = tmp_path / "alone"
    data = ("--data", ARTICLE, FIXTURES / "report-a")
    assert run(capsys, "build", "--engine", "fast", "--store", alone, *data).code == 0
    assert reconciled(path) == reconciled(alone)
    assert run(capsys, "conflicts", "--store", path).out == "0 conflict(s)\n"
    # The write log names who added and removed, and what.
    labels = {q.object.value for q in store_quads(path) if q.predicate.value.endswith("#label")}
    assert {"add source report-a", "add source report-b", "remove source report-b"} <= labels


def test_a_sheet_that_violates_a_shape_changes_nothing(capsys, built, tmp_path):
    path = tmp_path / "store"
    shutil.copytree(built["fast"], path)
    folder = tmp_path / "bad"
    folder.mkdir()
    text = "Moldova declared something.\n"
    (folder / "text.txt").write_text(text, encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    (folder / "sheet.yaml").write_text(
        f"""source:
  slug: bad-declaration
  kind: news
  text: text.txt
  sha256: {digest}
sentences:
  - sentence: "Moldova declared something."
statements:
  - key: moldova-declares
    class: Declaration
    speaker: Moldova
    quote: Moldova declared something
""",
        encoding="utf-8",
    )
    before = store_quads(path)
    version = (path / VERSION_FILE).read_bytes()
    result = run(capsys, "add", folder / "sheet.yaml", "--store", path)
    assert result.code == 1
    assert result.err.startswith("does not conform: 1 SHACL violation(s)")
    assert "A speech act needs at least one tkg:content, a tkg:Proposition." in result.err
    assert store_quads(path) == before
    assert (path / VERSION_FILE).read_bytes() == version


def test_source_remove_refuses_a_source_the_build_compiles_or_none(capsys, built):
    result = run(capsys, "source", "remove", "report-b", "--store", built["fast"])
    assert result.code == 2
    assert "is compiled by the build; take its sheet out of the build's data, rebuild" in result.err
    result = run(capsys, "source", "remove", "no-such-source", "--store", built["fast"])
    assert result.code == 2
    assert "the store holds no source 'no-such-source'" in result.err


def test_the_export_writes_the_reconciled_view_as_its_own_files(capsys, built, tmp_path):
    assert run(capsys, "export", "--store", built["fast"], "--out", tmp_path).code == 0
    exported = Graph().parse(tmp_path / "reconciled.ttl")
    assert {f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in exported} == reconciled(built["fast"])
    asserted = Graph().parse(tmp_path / "asserted.ttl")
    assert not list(asserted.triples((None, URIRef(TKG + "conflictKind"), None)))
