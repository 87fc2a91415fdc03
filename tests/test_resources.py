"""Packaging: the installed package ships the source folders' data files, where resources says they are."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from treatykg.core import resources

SOURCE_ROOT = Path(__file__).resolve().parents[1]
# The package-data patterns of pyproject.toml, which every data file must match to be shipped.
DATA_PATTERNS = ("*.ttl", "*.xml", "*.rq", "*.txt", "*.jsonld", "*.yaml", "*.json")
FOLDERS = {"graph": resources.graph_dir, "ontology": resources.ontology_dir, "queries": resources.queries_dir}
EDITABLE = resources.graph_dir() == SOURCE_ROOT / "graph"


def data_files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` that matches a package-data pattern, by relative path, with its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for pattern in DATA_PATTERNS
        for path in folder.rglob(pattern)
        if "__pycache__" not in path.parts
    }


@pytest.mark.parametrize("folder", sorted(FOLDERS))
def test_installed_package_ships_every_data_file(folder):
    shipped = data_files(FOLDERS[folder]())
    assert shipped == data_files(SOURCE_ROOT / folder)


def test_named_resources_sit_in_their_folders():
    assert resources.ontology_file() == resources.ontology_dir() / "treatykg.ttl"
    assert resources.shapes_file() == resources.ontology_dir() / "shapes.ttl"
    assert resources.ontology_catalog() == resources.ontology_dir() / "catalog-v001.xml"
    assert resources.data_catalog() == resources.data_dir() / "catalog-v001.xml"
    assert resources.ontology_file().is_file()
    assert resources.data_files() == sorted(resources.data_dir().glob("*.ttl"))
    assert resources.query_files() == sorted(resources.queries_dir().glob("*.rq"))


@pytest.mark.skipif(EDITABLE, reason="setuptools' editable finder cannot import data-only subpackages")
@pytest.mark.parametrize("package", ["treatykg.ontology", "treatykg.queries", "treatykg.graph"])
def test_importlib_resources_resolves_the_installed_packages(package):
    assert files(package).joinpath("x").parent == FOLDERS[package.rpartition(".")[2]]()


# The source folders pyproject maps into the package, by their path inside the installed package.
MAPPED = {"": "treatykg", "graph": "graph", "server": "server", "ontology": "ontology", "queries": "queries"}


def tree(folder: Path) -> set[str]:
    """Every file below `folder` by relative path, bytecode left out."""
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.mark.skipif(EDITABLE, reason="an editable install ships nothing: its package is the source tree")
def test_the_installed_package_is_exactly_the_source_folders():
    # Every sub-package and data file reaches the wheel (pyproject lists packages by name), and nothing else.
    installed = Path(resources.graph_dir()).parent
    expected = {
        f"{inside}/{name}" if inside else name
        for inside, folder in MAPPED.items()
        for name in tree(SOURCE_ROOT / folder)
    }
    assert tree(installed) == expected
