"""The OWL API and HermiT harness, on tiny throwaway ontologies: imports via a catalog, non-DL, unparsed."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from rdflib.compare import to_isomorphic

from treatykg.core.errors import InputError
from treatykg.graph.rdf.load import load

from owlapi_harness import (
    SLF4J_BINDER,
    HarnessError,
    dl_consistent,
    owlapi_check,
    owlapi_classpath,
    owlapi_save,
)

pytestmark = pytest.mark.java

PREFIXES = """\
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix b: <http://example.org/base#> .
"""

FILES = {
    # Imported through the catalog, from a subfolder so the catalog's relative path is exercised.
    "imports/base.ttl": """
<http://example.org/base> a owl:Ontology .
b:A a owl:Class .
b:B a owl:Class ; owl:disjointWith b:A .
""",
    "main.ttl": """
@prefix : <http://example.org/main#> .
<http://example.org/main> a owl:Ontology ; owl:imports <http://example.org/base> .
:C a owl:Class ; rdfs:subClassOf b:A .
:x a owl:NamedIndividual , :C .
""",
    # Consistent on its own; inconsistent only once the import's disjointness is seen.
    "clash.ttl": """
<http://example.org/clash> a owl:Ontology ; owl:imports <http://example.org/base> .
<http://example.org/clash#x> a owl:NamedIndividual , b:A , b:B .
""",
    "inconsistent.ttl": """
@prefix : <http://example.org/inconsistent#> .
<http://example.org/inconsistent> a owl:Ontology .
:A a owl:Class . :B a owl:Class ; owl:disjointWith :A .
:x a owl:NamedIndividual , :A , :B .
""",
    # Two OWL 2 DL violations: a transitive (non-simple) property in a cardinality restriction, and a
    # class used without being declared.
    "notdl.ttl": """
@prefix : <http://example.org/notdl#> .
<http://example.org/notdl> a owl:Ontology .
:p a owl:ObjectProperty , owl:TransitiveProperty .
:A a owl:Class ; rdfs:subClassOf :Undeclared ,
    [ a owl:Restriction ; owl:onProperty :p ; owl:maxCardinality 1 ] .
""",
    # The violation sits in the import: the DL check must cover the imports closure.
    "imports/notdl-base.ttl": """
<http://example.org/notdl-base> a owl:Ontology .
b:D a owl:Class ; rdfs:subClassOf b:Undeclared .
""",
    "uses-notdl.ttl": """
<http://example.org/uses-notdl> a owl:Ontology ; owl:imports <http://example.org/notdl-base> .
""",
    # A triple in the OWL namespace that maps to no axiom, which the OWL API keeps as unparsed.
    "unparsed.ttl": """
@prefix : <http://example.org/unparsed#> .
<http://example.org/unparsed> a owl:Ontology .
:A a owl:Class . :B a owl:Class .
:A owl:noSuchTerm :B .
""",
}

# As Protégé writes it: entries in a <group> with an empty xml:base, paths relative to the catalog.
CATALOG = """\
<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<catalog prefer="public" xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
    <group id="Folder Repository, directory=, recursive=false, Auto-Update=false, version=2"
           prefer="public" xml:base="">
        <uri id="Imports Wizard Entry" name="http://example.org/base" uri="imports/base.ttl"/>
        <uri id="Imports Wizard Entry" name="http://example.org/notdl-base" uri="imports/notdl-base.ttl"/>
    </group>
</catalog>
"""


@pytest.fixture
def ontologies(tmp_path: Path) -> Path:
    """A folder with the throwaway ontologies and a Protégé catalog for its imports."""
    for name, body in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(PREFIXES + body, encoding="utf-8")
    (tmp_path / "catalog-v001.xml").write_text(CATALOG, encoding="utf-8")
    return tmp_path


def test_classpath_is_the_packages_dependency_closure_with_one_logger():
    jars = owlapi_classpath()
    names = [Path(jar).name for jar in jars]
    assert all(os.path.dirname(jar) == "/usr/share/java" for jar in jars)
    # The OWL API itself and dependencies two levels down (guava via libowlapi-java, rdf4j's Turtle parser).
    assert {"owlapi-distribution.jar", "guava.jar", "rdf4j-rio-turtle.jar", "slf4j-api.jar"} <= set(names)
    assert len({Path(jar).resolve() for jar in jars}) == len(jars)
    assert [Path(jar).name for jar in jars if _binds_slf4j(jar)] == ["slf4j-simple.jar"]


def _binds_slf4j(jar: str) -> bool:
    """Whether a jar is an SLF4J logger binding."""
    with zipfile.ZipFile(jar) as archive:
        return SLF4J_BINDER in archive.namelist()


def test_import_resolves_offline_through_the_catalog(owltool, ontologies):
    assert owlapi_check(ontologies / "main.ttl", [ontologies]) == {
        "ontology": "http://example.org/main",
        "version_iri": None,
        "format": "Turtle",
        # Declaration(Class C), SubClassOf(C A), Declaration(NamedIndividual x), ClassAssertion(C x).
        "axiom_count": 4,
        "logical_axiom_count": 2,
        "imports": ["http://example.org/base"],
        "missing_imports": [],
        "unparsed_triple_count": 0,
        "unparsed_triples": [],
        "profile_violations": [],
        "clean": True,
    }


def test_unmapped_import_is_missing_and_never_fetched(owltool, ontologies):
    report = owlapi_check(ontologies / "main.ttl")
    assert report["clean"] is False
    assert report["imports"] == []
    assert [entry["iri"] for entry in report["missing_imports"]] == ["http://example.org/base"]
    assert "network access disabled: http://example.org/base" in report["missing_imports"][0]["reason"]
    # Without the import, its class is undeclared here: the report says so rather than guessing.
    assert [violation["type"] for violation in report["profile_violations"]] == ["UseOfUndeclaredClass"]


def test_dl_profile_violations_are_listed(owltool, ontologies):
    report = owlapi_check(ontologies / "notdl.ttl")
    assert report["clean"] is False
    assert sorted(violation["type"] for violation in report["profile_violations"]) == [
        "UseOfNonSimplePropertyInCardinalityRestriction",
        "UseOfUndeclaredClass",
    ]
    assert report["unparsed_triple_count"] == 0


def test_dl_profile_covers_the_imports_closure(owltool, ontologies):
    report = owlapi_check(ontologies / "uses-notdl.ttl", [ontologies])
    assert report["imports"] == ["http://example.org/notdl-base"]
    assert [violation["type"] for violation in report["profile_violations"]] == ["UseOfUndeclaredClass"]
    assert "<http://example.org/base#Undeclared>" in report["profile_violations"][0]["message"]


def test_unparsed_triples_are_reported(owltool, ontologies):
    report = owlapi_check(ontologies / "unparsed.ttl")
    assert report["clean"] is False
    assert report["unparsed_triple_count"] == 1
    assert report["unparsed_triples"] == [
        "<http://example.org/unparsed#A> <http://www.w3.org/2002/07/owl#noSuchTerm> "
        "<http://example.org/unparsed#B>."
    ]
    assert report["profile_violations"] == []


def test_unloadable_file_raises(owltool, tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not RDF in any syntax\n", encoding="utf-8")
    with pytest.raises(HarnessError, match="OWL API could not load"):
        owlapi_check(broken)


@pytest.mark.parametrize(("syntax", "opening"), [("rdfxml", "<?xml"), ("turtle", "@prefix")])
def test_save_writes_what_the_owl_api_writes(owltool, ontologies, tmp_path, syntax, opening):
    saved = tmp_path / f"saved-{syntax}.owl"
    owlapi_save(ontologies / "main.ttl", saved, syntax, [ontologies])
    text = saved.read_text(encoding="utf-8")
    assert text.startswith(opening)
    assert "Generated by the OWL API (version 5." in text
    # Same triples as the source, found by our loader's sniffing despite the .owl name.
    assert to_isomorphic(load(saved)) == to_isomorphic(load(ontologies / "main.ttl"))
    assert owlapi_check(saved, [ontologies])["axiom_count"] == 4


def test_dl_consistency_with_hermit(ontologies):
    assert dl_consistent(ontologies / "main.ttl", [ontologies]) is True
    assert dl_consistent(ontologies / "inconsistent.ttl") is False


def test_dl_consistency_sees_the_imports(ontologies):
    assert dl_consistent(ontologies / "clash.ttl", [ontologies]) is False


def test_dl_consistency_refuses_an_import_it_cannot_resolve(ontologies):
    with pytest.raises(InputError) as raised:
        dl_consistent(ontologies / "clash.ttl")
    assert str(raised.value) == (
        f"{ontologies / 'clash.ttl'}: owl:imports <http://example.org/base> is in no catalog, "
        "and TreatyKG never fetches it"
    )
