"""The store's acts a sheet is compiled against, found by index lookups from what the sheet names
(graph/build/sheets.known_acts_for): the sheet compiles to the same graph as against every act the store
holds, and the acts it reads are only those its names reach."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from pipeline_support import article_store, copy_store
from rdflib.compare import to_isomorphic

from treatykg.cli.main import main
from treatykg.graph.build.sheets import held_in, known_acts, known_acts_for
from treatykg.graph.sources.compile import compile_sheet
from treatykg.graph.sources.entities import load_entities

pytestmark = pytest.mark.slow  # builds a store and adds a sheet

FIXTURES = Path(__file__).parent / "fixtures" / "reconcile"
EVENT = "https://w3id.org/treatykg/id/event/"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> ox.Store:
    """The packaged build with report-a added (report-b names one of its acts by IRI)."""
    path = copy_store(article_store(), tmp_path_factory.mktemp("known") / "store")
    assert main(["add", str(FIXTURES / "report-a" / "sheet.yaml"), "--store", str(path)]) == 0
    return ox.Store.read_only(str(path / "oxigraph"))


def acts(graph) -> set[str]:
    return {str(s) for s in graph.subjects() if str(s).startswith(EVENT) and "/account/" not in str(s)}


@pytest.mark.parametrize("report", ["report-a", "report-b"])
def test_a_sheet_compiles_against_the_acts_its_names_reach_as_against_all(store, report):
    sheet = FIXTURES / report / "sheet.yaml"
    every, near = load_entities(), load_entities()
    every.add_acts(known_acts(store))
    found = known_acts_for(store, sheet, near)
    near.add_acts(found)
    near.held = held_in(store)
    # Fewer acts read, and what is read is what the full query gives of them.
    assert 0 < len(acts(found)) < len(acts(known_acts(store)))
    assert set(found) <= set(known_acts(store))
    graph, compiled = compile_sheet(sheet, every)
    graph_near, compiled_near = compile_sheet(sheet, near)
    assert to_isomorphic(graph_near) == to_isomorphic(graph)
    assert compiled_near.lines() == compiled.lines()
    assert any(line.startswith("join ") for line in compiled.lines())


def test_a_minted_iri_avoids_what_the_store_describes(store):
    held = held_in(store)
    assert held(EVENT + "russia-withdraws-from-cfe")
    assert not held(EVENT + "nothing-by-this-name")
