"""What Protégé loads is clean: the ontology, and each packaged source as compiled from its sheet (with the
entity sheet and the reconciled view), in the OWL API, consistent under HermiT."""

from __future__ import annotations

from pathlib import Path

import packaged
import pytest

from treatykg.core import resources

from owlapi_harness import dl_consistent, owlapi_check

pytestmark = pytest.mark.java

ONTOLOGY_IRI = "https://w3id.org/treatykg/ontology"


def assert_clean(report: dict, iri: str) -> None:
    assert report["ontology"] == iri
    assert report["unparsed_triple_count"] == 0, report
    assert report["missing_imports"] == [], report
    assert report["profile_violations"] == [], report


def test_ontology_loads_clean_in_the_owl_api(owltool: Path) -> None:
    report = owlapi_check(resources.ontology_file(), [resources.ontology_dir()])
    assert_clean(report, ONTOLOGY_IRI)
    assert int(report["axiom_count"]) > 600


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """The data folder of the editors' layout, the packaged sources compiled into it."""
    return packaged.protege_folder(tmp_path_factory.mktemp("protege"))


@pytest.mark.parametrize(
    ("name", "header"),
    [
        (f"{packaged.ARTICLE}.ttl", packaged.ARTICLE),
        ("packaged-sources.ttl", packaged.ARTICLE),
        ("wikidata-links.ttl", "wikidata-links"),
    ],
)
def test_data_file_with_its_imported_ontology_loads_clean(owltool: Path, data: Path, name: str, header: str):
    report = owlapi_check(data / name, [data])
    assert_clean(report, "https://w3id.org/treatykg/data/" + header)
    assert report["imports"] == [ONTOLOGY_IRI]


def test_ontology_is_consistent_under_hermit() -> None:
    assert dl_consistent(resources.ontology_file(), [resources.ontology_dir()]) is True


@pytest.mark.parametrize("name", [f"{packaged.ARTICLE}.ttl", "packaged-sources.ttl"])
def test_source_data_is_consistent_under_hermit(data: Path, name: str) -> None:
    assert dl_consistent(data / name, [data]) is True
