"""The packaged data as the default build compiles it, for tests that read it without a store: the sheets'
graphs (entities, one per source), the packaged RDF files and the reconciled view derived from them."""

from __future__ import annotations

from functools import cache

from rdflib import Dataset, Graph, URIRef

from treatykg.core import resources
from treatykg.core.iris import RECONCILED_GRAPH, source_graph
from treatykg.graph.build.reference import stem_graph_name
from treatykg.graph.build.sheets import compile_sheets, packaged_sheets
from treatykg.graph.derive.reconcile import reconciled_graph

ARTICLE = "cfe-withdrawal-article"
NOTE = "cfe-treaty-record"


@cache
def compiled() -> dict[str, Graph]:
    """The packaged sheets compiled: graph name -> graph (the entities graph and one per source)."""
    return {name: graph for name, (graph, _) in compile_sheets(packaged_sheets(), []).items()}


def source(slug: str = ARTICLE) -> Graph:
    """One packaged source's compiled graph (a copy)."""
    copy = Graph()
    for triple in compiled()[source_graph(slug)]:
        copy.add(triple)
    return copy


@cache
def _graphs() -> dict[str, Graph]:
    """Every graph of the default build but the ontology and the inferred one, by name."""
    graphs = dict(compiled())
    for path in resources.data_files():
        graphs[stem_graph_name(path)] = Graph().parse(path)
    graphs[RECONCILED_GRAPH] = reconciled_graph(graphs.values())
    return graphs


def graphs() -> dict[str, Graph]:
    """The default build's asserted and derived graphs, by name (shared: do not modify)."""
    return _graphs()


def union() -> Graph:
    """The default build's asserted and derived graphs as one graph (a fresh copy)."""
    merged = Graph()
    for graph in _graphs().values():
        for triple in graph:
            merged.add(triple)
    return merged


def dataset() -> Dataset:
    """The default build's asserted and derived graphs as a dataset, each under its build name."""
    found = Dataset()
    for name, graph in _graphs().items():
        target = found.graph(URIRef(name))
        for triple in graph:
            target.add(triple)
    return found
