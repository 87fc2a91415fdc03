"""For the linked-data and UI tests: a private copy of the built article store, and its subjects."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
from markupsafe import escape
from pipeline_support import article_store, copy_store

from treatykg.core.iris import BASE, ONTOLOGY_GRAPH, TKG
from treatykg.graph.store.embedded import open_store

HTML = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}  # what a browser sends
TURTLE = {"Accept": "text/turtle"}
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def private_store(tmp_path_factory) -> Path:
    """A copy of the session's built article store that this test module may serve (and write)."""
    return copy_store(article_store(), tmp_path_factory.mktemp("web") / "store")


def subjects(store: Path) -> dict[str, dict]:
    """Every IRI under the project base that is a subject: its label, graphs and the triples about it."""
    found: dict[str, dict] = defaultdict(lambda: {"label": None, "graphs": set(), "triples": set()})
    with open_store(store, holder="a test") as handle:
        for quad in handle.store.quads_for_pattern(None, None, None, None):
            subject = quad.subject
            if not (isinstance(subject, ox.NamedNode) and subject.value.startswith(BASE)):
                continue
            entry = found[subject.value]
            entry["graphs"].add(quad.graph_name.value)
            if quad.predicate == LABEL and (entry["label"] is None or quad.object.language == "en"):
                entry["label"] = quad.object.value
            if not isinstance(quad.object, ox.BlankNode):
                entry["triples"].add((quad.triple, quad.graph_name.value))
        graphs = [name.value for name in handle.store.named_graphs()]
    for graph in graphs:
        found[graph]["graphs"].add("named graph")
    return dict(found)


def kind(iri: str) -> str:
    """How the server serves an IRI: an ontology term, a named graph, or a resource page."""
    if iri.startswith(TKG) or iri == BASE + "ontology":
        return "ontology"
    if iri.startswith(BASE + "graph/"):
        return "graph"
    return "resource"


def local_path(iri: str) -> str:
    """The server path for a w3id IRI."""
    rest = iri[len(BASE) :]
    return "/ontology" if rest.startswith("ontology") else "/" + rest


def escaped(text: str) -> str:
    """Text as Jinja escapes it in a page."""
    return str(escape(text))


def about(entry: dict, term_graphs: bool = False) -> set[ox.Triple]:
    """The triples about a subject a document must hold: from the ontology graph for ontology terms."""
    return {triple for triple, graph in entry["triples"] if not term_graphs or graph == ONTOLOGY_GRAPH}
