"""Treaty status over time (graph/derive/status.py, the status queries, `treatykg status`, GET /status): a
table of (state, treaty, day -> status and the acts it rests on) over test-only sources, the intervals'
bounds, the claims beside an answer, writes kept current, and the answers on the built article store."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
from pipeline_support import copy_store, store_quads
from rdflib import Dataset, Graph

from treatykg.cli.main import main
from treatykg.core import resources
from treatykg.core.iris import ID, ONTOLOGY_GRAPH, STATUS_GRAPH, TKG
from treatykg.core.terms import BlankNodeMap, triples_to_ox
from treatykg.graph.derive.reconcile import reconcile_into, reconciled_change, reconciled_graph
from treatykg.graph.derive.refresh import affected_pairs, derived_change, touched_acts
from treatykg.graph.derive.status import derive_status, status_change, status_graph, status_into
from treatykg.graph.query.status import Row, history, resolve, status_on
from treatykg.graph.semantics.reference import validate_graphs

FIXTURE = Path(__file__).parent / "fixtures" / "status" / "acts.trig"
TEST = "https://example.org/treatykg-status-test/"
EVENT, STATE, TREATY = TEST + "id/event/", TEST + "id/state/", TEST + "id/treaty/"
REPORT_B = TEST + "graph/source/report-b"
RECONCILED = "https://w3id.org/treatykg/graph/reconciled"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def fixture_graphs() -> dict[str, Graph]:
    """The fixture's graphs by name."""
    dataset = Dataset()
    dataset.parse(FIXTURE, format="trig")
    return {str(g.identifier): g for g in dataset.graphs() if len(g)}


def load(store: ox.Store, graphs: dict[str, Graph]) -> None:
    """Put rdflib graphs into a store under their names."""
    blank_nodes = BlankNodeMap()
    for name, graph in graphs.items():
        node = ox.NamedNode(name)
        store.extend(
            ox.Quad(t.subject, t.predicate, t.object, node) for t in triples_to_ox(graph, blank_nodes)
        )


@pytest.fixture(scope="module")
def derived() -> ox.Store:
    """The fixture, the ontology, its reconciled view and its status graph, as a build would store them."""
    graphs = fixture_graphs()
    graphs[RECONCILED] = reconciled_graph(graphs.values())
    graphs[STATUS_GRAPH] = status_graph(graphs.values())
    graphs[ONTOLOGY_GRAPH] = Graph().parse(resources.ontology_file())
    store = ox.Store()
    load(store, graphs)
    return store


def runner(store: ox.Store):
    """A Runner over a plain pyoxigraph store (the union of its graphs)."""

    def run(text: str) -> list[Row]:
        results = store.query(text, use_default_graph_as_union=True)
        names = [variable.value for variable in results.variables]  # type: ignore[union-attr]
        return [{name: row[name] for name in names if row[name] is not None} for row in results]  # type: ignore[union-attr]

    return run


# (state, treaty, day) -> (status, the acts it rests on, by slug).
TABLE = [
    # Year precision: signed "1990". Before it, no record; inside it, indeterminate; its last day decides.
    ("alpha", "one", "1989-12-31", "Unknown", set()),
    ("alpha", "one", "1990-06-01", "Indeterminate", {"alpha-signs-one"}),
    ("alpha", "one", "1990-12-31", "Signatory", {"alpha-signs-one"}),
    # Month precision: ratified "March 1991".
    ("alpha", "one", "1991-02-28", "Signatory", {"alpha-signs-one"}),
    ("alpha", "one", "1991-03-15", "Indeterminate", {"alpha-ratifies-one"}),
    ("alpha", "one", "1991-04-01", "ConsentedNotInForce", {"alpha-ratifies-one"}),
    # Day precision: the treaty entered into force on 9 November 1992; the day it happens, it holds.
    ("alpha", "one", "1992-11-08", "ConsentedNotInForce", {"alpha-ratifies-one"}),
    ("alpha", "one", "1992-11-09", "Party", {"alpha-ratifies-one", "one-enters-into-force"}),
    # Suspension, then withdrawal.
    ("alpha", "one", "2007-12-11", "Party", {"alpha-ratifies-one", "one-enters-into-force"}),
    ("alpha", "one", "2007-12-12", "Suspended", {"alpha-suspends-one"}),
    ("alpha", "one", "2010-05-31", "Suspended", {"alpha-suspends-one"}),
    ("alpha", "one", "2010-06-01", "Withdrawn", {"alpha-withdraws-from-one"}),
    # Denunciation: still bound until the withdrawal takes effect.
    ("beta", "one", "2020-01-31", "Party", {"beta-ratifies-one", "one-enters-into-force"}),
    ("beta", "one", "2020-05-01", "WithdrawalPending", {"beta-denounces-one"}),
    ("beta", "one", "2020-08-02", "Withdrawn", {"beta-withdraws-from-one"}),
    # Consent after the entry into force: not in force for it until a source says so; revocation: signatory.
    ("gamma", "one", "1995-01-15", "ConsentedNotInForce", {"gamma-ratifies-one"}),
    ("gamma", "one", "2000-01-01", "Party", {"one-enters-into-force-for-gamma"}),
    ("gamma", "one", "2024-01-01", "Signatory", {"gamma-revokes-ratification-of-one"}),
    # Provisional application without consent: the entry into force does not make it a party.
    ("delta", "one", "1992-07-16", "Unknown", set()),
    ("delta", "one", "1993-01-01", "ProvisionallyApplying", {"delta-applies-one-provisionally"}),
    # Succession carries the predecessor's status forward from its date.
    ("sigma", "one", "1992-12-31", "Unknown", set()),
    (
        "sigma",
        "one",
        "1993-01-01",
        "Party",
        {"omega-ratifies-one", "one-enters-into-force", "sigma-succeeds-omega-to-one"},
    ),
    # Silence is unknown: epsilon has acts on treaty two only.
    ("epsilon", "one", "2005-01-01", "Unknown", set()),
    ("epsilon", "two", "2005-01-01", "Signatory", {"epsilon-signs-two"}),
    # Two sources disagree on the day of a ratification: disputed between their days.
    ("zeta", "one", "1993-02-28", "Unknown", set()),
    ("zeta", "one", "1993-10-01", "Disputed", {"zeta-ratifies-one"}),
    ("zeta", "one", "1994-06-02", "ConsentedNotInForce", {"zeta-ratifies-one"}),
    # An attributed withdrawal and a deprecated account change nothing.
    ("eta", "one", "2001-01-01", "Party", {"eta-ratifies-one", "one-enters-into-force"}),
    ("theta", "one", "2006-01-01", "Party", {"theta-ratifies-one", "one-enters-into-force"}),
    # A group act: the named member is suspended, the unnamed one is not.
    ("iota", "one", "2024-01-01", "Suspended", {"allies-suspend-one"}),
    ("kappa", "one", "2024-01-01", "Party", {"kappa-ratifies-one", "one-enters-into-force"}),
    # An undated revocation, placed by order before a signing of 7 November 2023: indeterminate until then.
    ("lambda", "two", "2020-01-01", "Indeterminate", {"lambda-revokes-ratification-of-two"}),
    ("lambda", "two", "2023-11-07", "Signatory", {"lambda-revokes-ratification-of-two"}),
]


@pytest.mark.parametrize(("state", "treaty", "day", "expected", "acts"), TABLE)
def test_status_on_a_day(derived: ox.Store, state, treaty, day, expected, acts) -> None:
    answer = status_on(runner(derived), STATE + state, TREATY + treaty, date.fromisoformat(day))
    assert [interval.status for interval in answer.intervals] == [expected]
    supports = {support.act.removeprefix(EVENT) for support in answer.intervals[0].supports}
    assert supports == acts


def test_an_indeterminate_answer_names_its_window(derived: ox.Store) -> None:
    answer = status_on(runner(derived), STATE + "alpha", TREATY + "one", date(1991, 3, 15))
    (interval,) = answer.intervals
    assert interval.bounds == {
        "startEarliest": "1991-03-01T00:00:00Z",
        "startLatest": "1991-03-01T00:00:00Z",
        "endEarliest": "1991-03-31T00:00:00Z",
        "endLatest": "1991-03-31T00:00:00Z",
    }
    assert interval.precision == "http://www.w3.org/2006/time#unitMonth"


def test_the_history_has_honest_bounds(derived: ox.Store) -> None:
    answer = history(runner(derived), STATE + "alpha", TREATY + "one")
    rows = [(i.status, i.bounds.get("startEarliest"), i.bounds.get("startLatest")) for i in answer.intervals]
    assert rows == [
        ("Unknown", None, None),
        ("Indeterminate", "1990-01-01T00:00:00Z", "1990-01-01T00:00:00Z"),
        # Signed "in 1990": the status began within the year.
        ("Signatory", "1990-01-01T00:00:00Z", "1990-12-31T23:59:59Z"),
        ("Indeterminate", "1991-03-01T00:00:00Z", "1991-03-01T00:00:00Z"),
        ("ConsentedNotInForce", "1991-03-01T00:00:00Z", "1991-03-31T23:59:59Z"),
        ("Party", "1992-11-09T00:00:00Z", "1992-11-09T23:59:59Z"),
        ("Suspended", "2007-12-12T00:00:00Z", "2007-12-12T23:59:59Z"),
        ("Withdrawn", "2010-06-01T00:00:00Z", "2010-06-01T23:59:59Z"),
    ]
    party = answer.intervals[5]
    assert (party.bounds["endEarliest"], party.bounds["endLatest"]) == (
        "2007-12-12T00:00:00Z",
        "2007-12-12T23:59:59Z",
    )
    assert "endEarliest" not in answer.intervals[-1].bounds


def test_claims_are_listed_beside_the_answer(derived: ox.Store) -> None:
    eta = status_on(runner(derived), STATE + "eta", TREATY + "one", date(2001, 1, 1))
    assert [(c.act.removeprefix(EVENT), c.voice, c.speaker) for c in eta.claims] == [
        ("eta-withdraws-from-one", "attributed to a speaker", "Alpha")
    ]
    theta = status_on(runner(derived), STATE + "theta", TREATY + "one", date(2006, 1, 1))
    assert [(c.act.removeprefix(EVENT), c.rank) for c in theta.claims] == [
        ("theta-withdraws-from-one", "deprecated")
    ]


def test_parties_on_lists_every_state_with_its_status(derived: ox.Store) -> None:
    from treatykg.graph.query.prepared import load_query

    text = load_query("parties-on").bound_text({"treaty": TREATY + "one", "on": "2024-01-01"})
    rows = {
        row["state"].value.removeprefix(STATE): row["status"].value.rsplit("#")[-1]
        for row in runner(derived)(text)
    }
    assert rows == {
        "alpha": "Withdrawn",
        "beta": "Withdrawn",
        "gamma": "Signatory",
        "delta": "ProvisionallyApplying",
        "omega": "Party",
        "sigma": "Party",
        "zeta": "ConsentedNotInForce",
        "eta": "Party",
        "theta": "Party",
        "iota": "Suspended",
        "kappa": "Party",
        "lambda": "Signatory",
    }


def test_the_status_intervals_conform_to_their_shapes(derived: ox.Store) -> None:
    graphs = fixture_graphs()
    status = status_graph([*graphs.values(), reconciled_graph(graphs.values())])
    data = Graph()
    for graph in [*graphs.values(), status]:
        data += graph
    report = validate_graphs(Graph().parse(resources.ontology_file()), data, Graph(), base=TEST)
    intervals = {str(node) for node in status.subjects()}
    assert intervals
    assert [r for r in report.violations if str(r.focus) in intervals] == []


def test_status_change_equals_a_fresh_derivation() -> None:
    """Removing a source, or adding one, changes the status graph as deriving it again would."""
    graphs = fixture_graphs()
    store = ox.Store()
    load(store, graphs)
    reconciled = ox.NamedNode(RECONCILED)
    store.extend(
        ox.Quad(t.subject, t.predicate, t.object, reconciled)
        for t in triples_to_ox(reconciled_graph(graphs.values()), BlankNodeMap())
    )
    full = {
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(STATUS_GRAPH)) for t in derive_status(store)
    }
    store.extend(full)
    change = reconciled_change(store, without=REPORT_B)
    removed, added = status_change(store, without=REPORT_B, reconciled=change)
    without_b = {name: graph for name, graph in graphs.items() if name != REPORT_B}
    expected = status_graph([*without_b.values(), reconciled_graph(without_b.values())])
    after = (full - removed) | added
    assert {q.triple for q in after} == set(triples_to_ox(expected, BlankNodeMap()))
    # report-b held alpha's withdrawal; theta's (deprecated) withdrawal never counted.
    assert any(q.subject.value.endswith("status/alpha/one/from-2010-06-01") for q in removed)
    assert not any("/theta/" in q.subject.value for q in removed | added)

    # The other way: a store without report-b gains it back.
    smaller = ox.Store()
    load(smaller, without_b)
    smaller.extend(
        ox.Quad(t.subject, t.predicate, t.object, reconciled)
        for t in triples_to_ox(reconciled_graph(without_b.values()), BlankNodeMap())
    )
    smaller.extend(
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(STATUS_GRAPH)) for t in derive_status(smaller)
    )
    extra = list(triples_to_ox(graphs[REPORT_B], BlankNodeMap()))
    change = reconciled_change(smaller, extra=extra)
    removed, added = status_change(smaller, extra=extra, reconciled=change)
    held = set(smaller.quads_for_pattern(None, None, None, ox.NamedNode(STATUS_GRAPH)))
    assert (held - removed) | added == full


def test_a_write_derives_again_only_the_pairs_it_can_change() -> None:
    """Retracting any one account changes the reconciled view and the status graph exactly as deriving them
    again would, though only the acts and (state, treaty) pairs the write reaches are derived: omega's
    ratification reaches sigma, its successor; lambda's revocation of two reaches lambda's signing of one,
    claimed to come after it; one's entry into force reaches every pair of one."""
    graphs = fixture_graphs()
    accounts = sorted(
        {str(s) for g in graphs.values() for s in g.subjects() if "/account/" in str(s)}, key=str
    )
    assert len(accounts) > 20
    reached = set()
    for account in accounts:
        store = ox.Store()
        load(store, graphs)
        reconcile_into(store)
        status_into(store)
        node = ox.NamedNode(account)
        removed = [
            *store.quads_for_pattern(node, None, None, None),
            *store.quads_for_pattern(None, None, node, None),
        ]
        removed = [q for q in removed if q.graph_name.value not in (RECONCILED, STATUS_GRAPH)]
        for quad in removed:
            store.remove(quad)
        scoped = derived_change(store, removed, [])
        reconciled = reconciled_change(store)
        status = status_change(store, reconciled=reconciled)
        assert scoped == (reconciled[0] | status[0], reconciled[1] | status[1]), account
        reached |= {q.subject.value.split("/status/")[1].rsplit("/", 1)[0] for q in status[0] | status[1]}
        if account.endswith("omega-ratifies-one/account/report-a"):
            assert any("/status/sigma/one/" in q.subject.value for q in status[0] | status[1])
    assert {"sigma/one", "lambda/one", "lambda/two"} <= reached


ORDERED = """
@base <https://example.org/treatykg-status-test/> .
@prefix tkg: <https://w3id.org/treatykg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix time: <http://www.w3.org/2006/time#> .
<graph/source/ordered> {
  <id/state/alpha> a tkg:State ; rdfs:label "Alpha"@en .
  <id/state/beta> a tkg:State ; rdfs:label "Beta"@en .
  <id/event/x> a tkg:Signing ; tkg:agent <id/state/alpha> ; tkg:treaty <id/treaty/one> .
  <id/event/x/account/r> tkg:accountOf <id/event/x> ; tkg:epistemicStatus tkg:ReportedBySource ;
      tkg:timeSpan <id/time/2000> ; tkg:claimsAfter <id/event/y> .
  <id/time/2000> tkg:earliest "2000-01-01T00:00:00Z"^^xsd:dateTime ;
      tkg:latest "2000-12-31T23:59:59Z"^^xsd:dateTime ; tkg:precision time:unitYear .
  <id/event/y> a tkg:Ratification ; tkg:agent <id/state/beta> ; tkg:treaty <id/treaty/two> .
  <id/event/y/account/r> tkg:accountOf <id/event/y> ; tkg:epistemicStatus tkg:ReportedBySource ;
      tkg:timeSpan <id/time/2000-06-01> .
  <id/time/2000-06-01> tkg:earliest "2000-06-01T00:00:00Z"^^xsd:dateTime ;
      tkg:latest "2000-06-01T23:59:59Z"^^xsd:dateTime ; tkg:precision time:unitDay .
}
"""


def ordered_store() -> ox.Store:
    """ORDERED with its reconciled view and status, as a build stores them."""
    store = ox.Store()
    store.load(ORDERED.encode(), format=ox.RdfFormat.TRIG)
    reconcile_into(store)
    status_into(store)
    return store


def test_a_write_reaches_the_pairs_its_acts_are_ordered_with() -> None:
    """x (alpha signs one, 2000) came after y (beta ratifies two, 1 June 2000), so alpha's signing is
    indeterminate from 1 June only; retracting the account of y, which names neither alpha nor one,
    widens x's window again: alpha's pair is derived again through the order."""
    store = ordered_store()
    account = ox.NamedNode(EVENT + "y/account/r")
    removed = list(store.quads_for_pattern(account, None, None, ox.NamedNode(TEST + "graph/source/ordered")))
    for quad in removed:
        store.remove(quad)
    scoped = derived_change(store, removed, [])
    reconciled = reconciled_change(store)
    status = status_change(store, reconciled=reconciled)
    assert scoped == (reconciled[0] | status[0], reconciled[1] | status[1])
    assert any("/status/alpha/one/from-2000-06-01" in q.subject.value for q in status[0])
    assert any("/status/alpha/one/from-2000-01-01" in q.subject.value for q in status[1])

    # A second account of x: alpha's pair is derived again, reading y for the window the order gives x.
    store = ordered_store()
    second = ox.NamedNode(EVENT + "x/account/s")
    graph = ox.NamedNode(TEST + "graph/source/ordered")
    added = [
        ox.Quad(second, ox.NamedNode(TKG + name), value, graph)
        for name, value in [
            ("accountOf", ox.NamedNode(EVENT + "x")),
            ("epistemicStatus", ox.NamedNode(TKG + "ReportedBySource")),
            ("timeSpan", ox.NamedNode(TEST + "id/time/2000")),
        ]
    ]
    store.extend(added)
    scoped = derived_change(store, [], added)
    reconciled = reconciled_change(store)
    status = status_change(store, reconciled=reconciled)
    assert scoped == (reconciled[0] | status[0], reconciled[1] | status[1])
    assert {q.object for q in status[1] if q.predicate.value == TKG + "supportedBy"} >= {second}


def test_an_act_gaining_its_first_account_is_read_for_its_pair() -> None:
    """An act written before accounts changes no status; a sheet adding its first reported account makes it
    count, and the scoped change reads the act (its treaty and agent are in the store, not the sheet)."""
    store = ox.Store()
    store.load(ORDERED.encode(), format=ox.RdfFormat.TRIG)
    graph = ox.NamedNode(TEST + "graph/source/ordered")
    act = ox.NamedNode(EVENT + "z")
    store.extend(
        [
            ox.Quad(act, ox.NamedNode(RDF_TYPE), ox.NamedNode(TKG + "Ratification"), graph),
            ox.Quad(act, ox.NamedNode(TKG + "agent"), ox.NamedNode(STATE + "alpha"), graph),
            ox.Quad(act, ox.NamedNode(TKG + "treaty"), ox.NamedNode(TREATY + "one"), graph),
        ]
    )
    reconcile_into(store)
    status_into(store)
    account = ox.NamedNode(EVENT + "z/account/s")
    extra = [
        ox.Triple(account, ox.NamedNode(TKG + "accountOf"), act),
        ox.Triple(account, ox.NamedNode(TKG + "epistemicStatus"), ox.NamedNode(TKG + "ReportedBySource")),
        ox.Triple(account, ox.NamedNode(TKG + "timeSpan"), ox.NamedNode(TEST + "id/time/2000-06-01")),
    ]
    joining = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in extra]
    reconciled = reconciled_change(store, extra=extra, acts=touched_acts(store, extra))
    pairs = affected_pairs(store, [], joining, reconciled[0] | reconciled[1])
    scoped = status_change(store, extra=extra, reconciled=reconciled, pairs=pairs)
    assert scoped == status_change(store, extra=extra, reconciled=reconciled)
    assert any(q.object == act for q in scoped[1] if q.predicate.value == TKG + "supportedBy")


def test_names_resolve_through_the_entity_sheet() -> None:
    assert resolve("russia", "State") == ID + "state/russia"
    assert resolve("United-States", "State") == ID + "state/united-states"
    assert resolve("CFE", "Treaty") == ID + "treaty/cfe"
    with pytest.raises(Exception, match=r"no state is named 'rusia'.*did you mean russia"):
        resolve("rusia", "State")
    with pytest.raises(Exception, match="no treaty is named 'nato'"):
        resolve("nato", "Treaty")


# A store built from the article's statement sheet (its accounts: the CTBT revocation and the CFE withdrawal
# undated and unordered).


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The article's sheet built into a store (the `client` fixture serves it)."""
    path = tmp_path_factory.mktemp("status") / "store"
    sheet = resources.graph_dir() / "sources" / "cfe-withdrawal-article"
    links = resources.data_dir() / "wikidata-links.ttl"
    assert main(["build", "--store", str(path), "--data", str(sheet), str(links)]) == 0
    return path


@pytest.mark.slow  # the built article store and a server app
def test_cli_answers_on_the_article_store(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "russia", "ctbt", "--on", "2024-01-01", "--store", str(store), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert [interval["status"] for interval in answer["intervals"]] == ["Indeterminate"]
    (support,) = answer["intervals"][0]["supportedBy"]
    assert support["act"] == ID + "event/russia-revokes-ctbt-ratification"
    assert support["when"] is None
    assert main(["status", "ukraine", "cfe", "--on", "2024-01-01", "--store", str(store)]) == 0
    assert "unknown: from the first record" in capsys.readouterr().out
    assert main(["status", "rusia", "cfe", "--store", str(store)]) == 2
    assert "no state is named 'rusia' in the entity sheet; did you mean russia" in capsys.readouterr().err


@pytest.mark.slow  # the built article store and a server app
def test_http_route_answers_json_and_refuses_bad_input(client) -> None:
    response = client.get("/status?state=russia&treaty=ctbt&on=2024-01-01")
    assert response.status_code == 200
    assert [i["status"] for i in response.get_json()["intervals"]] == ["Indeterminate"]
    response = client.get("/status?state=russia&treaty=ctbt")
    assert response.get_json()["on"] is None
    for query, message in (
        ("state=russia", "the parameter treaty is required"),
        ("state=rusia&treaty=cfe", "no state is named 'rusia'"),
        ("state=russia&treaty=cfe&on=2023-13-01", "on: not a day (YYYY-MM-DD): '2023-13-01'"),
    ):
        response = client.get(f"/status?{query}")
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


@pytest.mark.slow  # the built article store and a server app
def test_the_prepared_query_binds_its_day_over_http(client) -> None:
    response = client.get(
        "/queries/status-on?state=https://w3id.org/treatykg/id/state/ukraine&on=2024-01-01",
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    (row,) = response.get_json()["results"]["bindings"]
    assert row["status"]["value"].endswith("#Unknown")


@pytest.mark.slow  # the built article store and a server app
def test_state_pages_and_the_timeline_draw_the_status_strip(client) -> None:
    for page in ("/id/state/russia", "/id/treaty/ctbt", "/timeline"):
        text = client.get(page, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert '<section class="status-strip">' in text
        assert 'class="st Indeterminate"' in text


@pytest.mark.slow  # builds two stores
def test_add_and_remove_keep_the_status_graph_as_a_rebuild_would(store: Path, tmp_path: Path) -> None:
    report = Path(__file__).parent / "fixtures" / "reconcile" / "report-a"
    copy = copy_store(store, tmp_path / "store")
    before = status_quads(copy)
    assert main(["add", str(report / "sheet.yaml"), "--store", str(copy), "--curator", "Test Curator"]) == 0
    rebuilt = tmp_path / "rebuilt"
    sheet = resources.graph_dir() / "sources" / "cfe-withdrawal-article"
    links = resources.data_dir() / "wikidata-links.ttl"
    assert main(["build", "--store", str(rebuilt), "--data", str(sheet), str(links), str(report)]) == 0
    added = status_quads(copy)
    assert added == status_quads(rebuilt)
    assert {q.subject.value for q in added - before} >= {ID + "status/ukraine/cfe/from-1992-12-31"}
    assert main(["source", "remove", "report-a", "--store", str(copy), "--curator", "Test Curator"]) == 0
    assert status_quads(copy) == before


def status_quads(path: Path) -> set[ox.Quad]:
    """The status graph of the store at `path`."""
    return {quad for quad in store_quads(path) if quad.graph_name == ox.NamedNode(STATUS_GRAPH)}
