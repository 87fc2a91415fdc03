"""Where the packaged ontology, shapes, catalogs, article data and queries live, in one place."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

CATALOG_NAME = "catalog-v001.xml"


def graph_dir() -> Path:
    """The graph folder (`graph/`, the package treatykg.graph), found without importing it."""
    # find_spec, not an import: the core sits below the graph layer and imports none of it.
    spec = find_spec("treatykg.graph")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("treatykg.graph: the distribution is incomplete")
    return Path(next(iter(spec.submodule_search_locations)))


def data_dir() -> Path:
    """The packaged source data folder (`graph/data/`): texts, their graphs, the Wikidata links."""
    return graph_dir() / "data"


def _data_only_folder(name: str) -> Path:
    """A folder that holds no Python (ontology/, queries/); installed or not, it sits beside graph/."""
    # Not importlib.resources.files("treatykg.ontology"): without __init__.py these are namespace packages,
    # for which files() gives a MultiplexedPath that rdflib, Java and open() can't take, and which
    # setuptools' editable installs can't import at all. Wheels install unzipped, so real folders exist.
    return graph_dir().parent / name


def ontology_dir() -> Path:
    """The ontology folder (`ontology/`)."""
    return _data_only_folder("ontology")


def ontology_file() -> Path:
    """The editors' ontology file (`ontology/treatykg.ttl`)."""
    return ontology_dir() / "treatykg.ttl"


def shapes_file() -> Path:
    """The SHACL shapes (`ontology/shapes.ttl`)."""
    return ontology_dir() / "shapes.ttl"


def ontology_catalog() -> Path:
    """Protégé's catalog for the ontology folder (`ontology/catalog-v001.xml`)."""
    return ontology_dir() / CATALOG_NAME


def data_files() -> list[Path]:
    """The curated RDF data files (`graph/data/*.ttl`), sorted by name."""
    return sorted(data_dir().glob("*.ttl"))


def data_catalog() -> Path:
    """Protégé's catalog for the data folder (`graph/data/catalog-v001.xml`)."""
    return data_dir() / CATALOG_NAME


def queries_dir() -> Path:
    """The named SPARQL queries folder (`queries/`)."""
    return _data_only_folder("queries")


def query_files() -> list[Path]:
    """The named SPARQL queries (`queries/*.rq`), sorted by name."""
    return sorted(queries_dir().glob("*.rq"))
