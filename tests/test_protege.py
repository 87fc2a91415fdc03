"""What Protégé loads is clean: ontology and article data in the OWL API, consistent under HermiT."""

from __future__ import annotations

from pathlib import Path

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


@pytest.mark.parametrize("name", ["cfe-withdrawal-article.ttl", "wikidata-links.ttl"])
def test_data_file_with_its_imported_ontology_loads_clean(owltool: Path, name: str) -> None:
    path = resources.data_dir() / name
    report = owlapi_check(path, [resources.data_dir()])
    assert_clean(report, "https://w3id.org/treatykg/data/" + name.removesuffix(".ttl"))
    assert report["imports"] == [ONTOLOGY_IRI]


def test_ontology_is_consistent_under_hermit() -> None:
    assert dl_consistent(resources.ontology_file(), [resources.ontology_dir()]) is True


def test_article_data_is_consistent_under_hermit() -> None:
    assert dl_consistent(resources.data_dir() / "cfe-withdrawal-article.ttl", [resources.data_dir()]) is True
