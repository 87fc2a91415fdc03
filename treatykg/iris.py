"""The project's IRI policy in one place: namespaces, named graphs and the per-source graph rule."""

BASE = "https://w3id.org/treatykg/"
ONTOLOGY = BASE + "ontology"
TKG = ONTOLOGY + "#"
ID = BASE + "id/"
SOURCE = BASE + "source/"
GRAPH = BASE + "graph/"

# Named graphs the build owns; every other graph in the store was written over HTTP and is kept by a rebuild.
ONTOLOGY_GRAPH = GRAPH + "ontology"
INFERRED_GRAPH = GRAPH + "inferred"
WIKIDATA_GRAPH = GRAPH + "wikidata-links"

SYNTHETIC_BASE = "https://example.org/treatykg-synthetic/"


def source_graph(slug: str) -> str:
    """Name of the graph holding the asserted facts of the source with this slug."""
    return GRAPH + "source/" + slug
