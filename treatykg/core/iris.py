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
# The shared entity sheet (graph/entities.yaml) compiled, the reconciled view of the sources' accounts and
# the treaty status intervals derived from it (derived by the build and kept current by writes; reasoned
# over and validated like the asserted graphs).
ENTITIES_GRAPH = GRAPH + "entities"
RECONCILED_GRAPH = GRAPH + "reconciled"
STATUS_GRAPH = GRAPH + "status"
# The graphs the build derives, which derivations never read as their input.
DERIVED_GRAPHS = (RECONCILED_GRAPH, STATUS_GRAPH)
# Provenance of HTTP writes (who, when; PROV-O), kept apart from the facts and not reasoned over.
WRITES_GRAPH = GRAPH + "writes"
# The reasoner's and validator's scratch graphs: never data.
WORK_PREFIX = GRAPH + "work/"
# Graphs that hold no asserted data: reasoning and validation read every other graph.
NOT_ASSERTED = (INFERRED_GRAPH, WRITES_GRAPH)

# The dataset as a whole (VoID/DCAT), its SPARQL endpoint and where its dumps are published.
DATASET = BASE + "dataset"
SPARQL_ENDPOINT = BASE + "sparql"
DUMPS = BASE + "dumps/"

SYNTHETIC_BASE = "https://example.org/treatykg-synthetic/"

# Prefixes of every dump, table and message, and of the published JSON-LD context (in this order).
PREFIXES = {
    "tkg": TKG,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "oa": "http://www.w3.org/ns/oa#",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "vann": "http://purl.org/vocab/vann/",
    "wd": "http://www.wikidata.org/entity/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "spdx": "http://spdx.org/rdf/terms#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
}


def source_graph(slug: str) -> str:
    """Name of the graph holding the asserted facts of the source with this slug."""
    return GRAPH + "source/" + slug


def asserted_graph(key: object | None) -> bool:
    """Whether a graph (its name, or None for the default graph) holds asserted data that reasoning covers."""
    return key is None or (str(key) not in NOT_ASSERTED and not str(key).startswith(WORK_PREFIX))
