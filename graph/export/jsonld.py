"""JSON-LD for web developers: a context made from the ontology, and dumps that carry it inline.

The writer never relies on a coercion it cannot see: a value is written as a bare string only when the
term's definition (its @type or @language) turns that string back into exactly the same RDF term; every other
value is an explicit value object or node reference. So the dumps parse back isomorphic with any processor.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, BinaryIO

import pyoxigraph as ox

from treatykg.core.iris import PREFIXES, TKG

OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = RDF + "type"
XSD_STRING = XSD + "string"


# Terms a web developer expects besides the ontology's own.
COMMON_TERMS = {
    "id": "@id",
    "type": "@type",
    "label": {"@id": "rdfs:label", "@language": "en"},
    "comment": {"@id": "rdfs:comment", "@language": "en"},
    "definition": {"@id": "skos:definition", "@language": "en"},
}


def context(ontology: Iterable[ox.Triple]) -> dict:
    """A JSON-LD context: the prefixes, common terms, and a term for every tkg: class and property."""
    kinds: dict[str, set[str]] = defaultdict(set)
    ranges: dict[str, set[str]] = defaultdict(set)
    for triple in ontology:
        subject = triple.subject
        if not (isinstance(subject, ox.NamedNode) and subject.value.startswith(TKG)):
            continue
        if triple.predicate.value == RDF_TYPE and isinstance(triple.object, ox.NamedNode):
            kinds[subject.value].add(triple.object.value)
        elif triple.predicate.value == RDFS + "range" and isinstance(triple.object, ox.NamedNode):
            ranges[subject.value].add(triple.object.value)
    terms: dict[str, object] = {}
    for iri in sorted(kinds):
        name = iri[len(TKG) :]
        compact = "tkg:" + name
        if OWL + "ObjectProperty" in kinds[iri]:
            terms[name] = {"@id": compact, "@type": "@id"}
        elif (
            OWL + "DatatypeProperty" in kinds[iri] and len(ranges[iri]) == 1 and XSD_STRING not in ranges[iri]
        ):
            terms[name] = {"@id": compact, "@type": _compact(next(iter(ranges[iri])))}
        elif kinds[iri] & {OWL + "Class", OWL + "DatatypeProperty", OWL + "AnnotationProperty"}:
            terms[name] = compact
    return {**PREFIXES, **COMMON_TERMS, **terms}


def _compact(iri: str) -> str:
    """`prefix:local` for an IRI under one of PREFIXES, else the IRI itself."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


class Writer:
    """Turns quads into JSON-LD node objects against one context."""

    def __init__(self, ctx: Mapping[str, Any]) -> None:
        self.keys: dict[str, tuple[str, dict]] = {}  # predicate IRI -> (key, its definition)
        self.type_names: dict[str, str] = {}  # class IRI -> term
        for key, definition in ctx.items():
            if key.startswith("@") or definition in ("@id", "@type"):
                continue
            full = self._expand(ctx, definition if isinstance(definition, str) else definition["@id"])
            if key in PREFIXES:
                continue
            self.keys.setdefault(full, (key, definition if isinstance(definition, dict) else {}))
            if isinstance(definition, str):
                self.type_names.setdefault(full, key)
        self.ctx = ctx

    @staticmethod
    def _expand(ctx: Mapping[str, object], value: str) -> str:
        """Expand a compact IRI against the context's prefixes."""
        prefix, _, local = value.partition(":")
        namespace = ctx.get(prefix)
        return namespace + local if isinstance(namespace, str) and prefix in PREFIXES else value

    def key(self, predicate: str) -> tuple[str, dict]:
        """The JSON key for a predicate and the definition that governs its values."""
        return self.keys.get(predicate) or (_compact(predicate), {})

    def type_name(self, cls: str) -> str:
        """How to write a class in @type."""
        return self.type_names.get(cls) or _compact(cls)

    def value(self, term: ox.NamedNode | ox.BlankNode | ox.Literal, definition: Mapping[str, str]) -> object:
        """A value: a bare string only where the definition reads it back as the same term."""
        coerce_type, coerce_language = definition.get("@type"), definition.get("@language")
        if isinstance(term, ox.NamedNode | ox.BlankNode):
            node_id = term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"
            return node_id if coerce_type == "@id" else {"@id": node_id}
        if term.language:
            if coerce_language == term.language and coerce_type is None:
                return term.value
            return {"@value": term.value, "@language": term.language}
        datatype = term.datatype.value
        if (
            coerce_type is not None
            and coerce_type != "@id"
            and self._expand(self.ctx, coerce_type) == datatype
        ):
            return term.value
        if datatype == XSD_STRING:
            return term.value if coerce_type is None and coerce_language is None else {"@value": term.value}
        return {"@value": term.value, "@type": _compact(datatype)}

    def nodes(self, triples: Iterable[ox.Triple]) -> list[dict]:
        """Node objects, one per subject, in a stable order with stable key and value order."""
        by_subject: dict[str, list[ox.Triple]] = defaultdict(list)
        for triple in triples:
            by_subject[_node_id(triple.subject)].append(triple)  # type: ignore[arg-type]  # no RDF-star
        nodes = []
        for subject_id in sorted(by_subject):
            node: dict[str, object] = {"@id": subject_id}
            types, values = [], defaultdict(list)
            for triple in by_subject[subject_id]:
                if triple.predicate.value == RDF_TYPE and isinstance(triple.object, ox.NamedNode):
                    types.append(self.type_name(triple.object.value))
                    continue
                key, definition = self.key(triple.predicate.value)
                value = self.value(triple.object, definition)  # type: ignore[arg-type]  # no RDF-star here
                values[key].append((str(triple.object), value))
            if types:
                node["@type"] = sorted(types)
            for key in sorted(values):
                node[key] = [value for _, value in sorted(values[key], key=lambda pair: pair[0])]
            nodes.append(node)
        return nodes


def _node_id(term: ox.NamedNode | ox.BlankNode) -> str:
    """The @id of a subject."""
    return term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"


class Document:
    """A JSON-LD document written node by node, laid out exactly as `json.dumps(indent=2)` lays out the whole.

    Nodes come in document order: the default graph's first, then each named graph's, graphs in order.
    """

    def __init__(self, stream: BinaryIO, ctx: Mapping[str, object]) -> None:
        self.stream, self.items, self.graph_nodes = stream, 0, 0
        self.graph: str | None = None
        self.writer = Writer(ctx)
        stream.write(b'{\n  "@context": ' + _indented(dict(ctx), 2, first=False) + b',\n  "@graph": [')

    def node(self, graph: str | None, triples: Iterable[ox.Triple]) -> None:
        """Write the node object of one subject's triples, in `graph` (None: the default graph)."""
        if graph != self.graph:
            self._close_graph()
            self.graph, self.graph_nodes = graph, 0
            if graph is not None:
                self._item()
                name = json.dumps(graph, ensure_ascii=False).encode("utf-8")
                self.stream.write(b'    {\n      "@id": ' + name + b',\n      "@graph": [')
        for node in self.writer.nodes(triples):
            if graph is None:
                self._item()
                self.stream.write(_indented(node, 4))
            else:
                self.stream.write(b",\n" if self.graph_nodes else b"\n")
                self.stream.write(_indented(node, 8))
            self.graph_nodes += 1

    def close(self) -> None:
        """End the document."""
        self._close_graph()
        self.stream.write(b"\n  ]\n}\n" if self.items else b"]\n}\n")

    def _item(self) -> None:
        """Separate one item of the top-level @graph from the one before."""
        self.stream.write(b",\n" if self.items else b"\n")
        self.items += 1

    def _close_graph(self) -> None:
        """End the named graph being written, if any."""
        if self.graph is not None:
            self.stream.write(b"\n      ]\n    }")


def _indented(value: object, level: int, first: bool = True) -> bytes:
    """`value` as `json.dumps(indent=2)` writes it `level` spaces deep (the first line's indent optional)."""
    pad = " " * level
    text = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + pad)
    return ((pad if first else "") + text).encode("utf-8")


def context_document(ctx: Mapping[str, object]) -> bytes:
    """The published context file."""
    return (json.dumps({"@context": dict(ctx)}, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
