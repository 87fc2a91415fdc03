"""Resolve owl:imports offline through Protégé's catalog-v001.xml files, as Protégé itself does."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

from rdflib import OWL, Graph
from rdflib.term import Node

from treatykg.core.errors import InputError
from treatykg.graph.rdf.load import load

CATALOG_NS = "urn:oasis:names:tc:entity:xmlns:xml:catalog"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


def read_catalog(catalog: str | os.PathLike[str]) -> dict[str, Path]:
    """Map each ontology IRI of a catalog's `<uri name=IRI uri=FILE>` entries to its file."""
    catalog = Path(catalog).absolute()
    try:
        root = ET.parse(catalog).getroot()
    except FileNotFoundError:
        raise InputError("no such catalog", catalog) from None
    except ET.ParseError as error:
        raise InputError(f"not a well-formed catalog ({error.msg})", catalog, error.position[0]) from None
    mapping: dict[str, Path] = {}
    _collect_entries(root, catalog.as_uri(), mapping, catalog)
    return mapping


def _collect_entries(element: ET.Element, base: str, mapping: dict[str, Path], catalog: Path) -> None:
    """Add the <uri> entries under `element`, resolving each file against xml:base and the catalog."""
    base = urljoin(base, element.get(_XML_BASE, ""))
    for child in element:
        if child.tag == f"{{{CATALOG_NS}}}uri":
            document = urlparse(urljoin(urljoin(base, child.get(_XML_BASE, "")), child.get("uri", "")))
            if document.scheme != "file":
                message = f"catalog maps {child.get('name')} to {document.geturl()}, not to a local file"
                raise InputError(message, catalog)
            mapping.setdefault(child.get("name", ""), Path(unquote(document.path)))
        else:
            _collect_entries(child, base, mapping, catalog)


def load_with_imports(path: str | os.PathLike[str], catalogs: Iterable[str | os.PathLike[str]]) -> Graph:
    """Load a file and, transitively, every ontology it imports, each found through the catalogs."""
    mapping: dict[str, Path] = {}
    for catalog in catalogs:
        for name, document in read_catalog(catalog).items():
            mapping.setdefault(name, document)
    graph = load(path, Graph())
    imports = set(graph.objects(None, OWL.imports))
    pending = [(iri, Path(path)) for iri in sorted(imports)]  # type: ignore[type-var]  # rdflib orders terms
    loaded: set[Node] = set()
    while pending:
        iri, importer = pending.pop()
        if iri in loaded:
            continue
        loaded.add(iri)
        if str(iri) not in mapping:
            raise InputError(f"owl:imports <{iri}> is in no catalog, and TreatyKG never fetches it", importer)
        imported = load(mapping[str(iri)], Graph())
        pending.extend((child, mapping[str(iri)]) for child in imported.objects(None, OWL.imports))
        graph += imported
    return graph
