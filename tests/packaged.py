"""The packaged data as the default build compiles it, for tests that read it without a store: the sheets'
graphs (entities, one per source), the packaged RDF files and the reconciled view derived from them."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from treatykg.core import resources
from treatykg.core.iris import ENTITIES_GRAPH, RECONCILED_GRAPH, source_graph
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


def protege_folder(root: Path) -> Path:
    """The editors' layout under `root` (ontology/ and graph/data/ with its Protégé catalog) holding the
    packaged sources as Protégé opens them, each importing the ontology; the data folder. `<article>.ttl` is
    the article's compiled graph with the entity sheet's graph and the reconciled view of its accounts alone;
    `packaged-sources.ttl` holds every packaged source (the note joins the article's acts), the entities and
    the whole reconciled view, under the article's ontology header (the note's sheet names no dataset)."""
    data = root / "graph" / "data"
    (root / "ontology").mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    for path in resources.ontology_dir().glob("*"):
        if path.suffix in (".ttl", ".xml"):
            shutil.copy(path, root / "ontology" / path.name)
    for path in [resources.data_catalog(), *resources.data_files()]:
        shutil.copy(path, data / path.name)
    entities = compiled()[ENTITIES_GRAPH]
    article = source(ARTICLE)
    _merged(article, entities, reconciled_graph([article])).serialize(
        data / f"{ARTICLE}.ttl", format="turtle"
    )
    everything = _merged(source(ARTICLE), source(NOTE), entities, _graphs()[RECONCILED_GRAPH])
    everything.serialize(data / "packaged-sources.ttl", format="turtle")
    return data


def _merged(first: Graph, *more: Graph) -> Graph:
    """`first` with the triples of `more` added."""
    for graph in more:
        for triple in graph:
            first.add(triple)
    return first
