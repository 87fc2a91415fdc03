"""Canonical, diff-friendly Turtle for the editors' files: the same graph always gives the same bytes."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

from rdflib import OWL, Graph
from rdflib.namespace import NamespaceManager
from rdflib.plugins.serializers.longturtle import LongTurtleSerializer

from treatykg.core.errors import InputError
from treatykg.core.iris import PREFIXES
from treatykg.graph.rdf.load import detect_format, load

_DIRECTIVE = re.compile(r"(@prefix|@base|PREFIX|BASE)\b", re.IGNORECASE)


class _OntologyFirstTurtle(LongTurtleSerializer):
    """rdflib's long Turtle (one predicate per line, sorted), with the owl:Ontology header first."""

    topClasses = [OWL.Ontology]  # noqa: RUF012 (rdflib's own class attribute)


def header_comment(text: str) -> str:
    """The comment block opening the file (after any prefix lines): the editors' notes, kept verbatim.

    Turtle parsers drop comments, so every other comment is lost; the opening block is the one that says
    what the file is and how to open it.
    """
    block: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            block.append(line.rstrip() + "\n")
        elif (block and stripped) or (stripped and not _DIRECTIVE.match(stripped)):
            break
    return "".join(block) + "\n" if block else ""


def canonical_turtle(graph: Graph, header: str = "") -> str:
    """`graph` as canonical Turtle: canonical blank nodes, sorted subjects and predicates, used prefixes."""
    graph.namespace_manager = _prefixes(graph)
    stream = io.BytesIO()
    _OntologyFirstTurtle(graph).serialize(stream, encoding="utf-8", canon=True)
    body = stream.getvalue().decode("utf-8")
    if not header:
        return body
    # The header goes after the prefixes, where the editors put it.
    prefixes, _, rest = body.partition("\n\n")
    return f"{prefixes}\n\n{header}{rest}"


def _prefixes(graph: Graph) -> NamespaceManager:
    """The project's prefix table, then the file's own prefixes for namespaces the table lacks."""
    # So the prefixes don't depend on how the file was last written (N-Triples has none at all).
    names = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        names.bind(prefix, namespace)
    known = set(PREFIXES.values())
    for prefix, namespace in sorted(graph.namespaces()):
        if prefix and prefix not in PREFIXES and str(namespace) not in known:
            names.bind(prefix, namespace, override=False)
    return names


def normalize(path: Path, check_only: bool = False) -> bool:
    """Rewrite the Turtle file at `path` canonically (atomically); whether it changed (or would change)."""
    try:
        original = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read: {error}", path) from None
    if detect_format(path) != "turtle":
        raise InputError("normalize rewrites Turtle files only; save the file as Turtle first", path)
    graph = load(path)
    text = canonical_turtle(graph, header_comment(original))
    if text == original:
        return False
    if not check_only:
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    return True
