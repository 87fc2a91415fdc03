"""SHACL Core shapes compiled to SPARQL checks, from the templates in graph/semantics/constraints/*.rq.

Each constraint of a targeted shape becomes a Check: the query that finds its failing focus nodes (and value
nodes), plus the fields every result of it shares. Constants come from the shapes graph and are written as
N-Triples terms serialised by pyoxigraph; paths are written by the pySHACL path's own path_text.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import cast

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, SH, XSD
from rdflib.term import Node

from treatykg.core.iris import WORK_PREFIX as WORK
from treatykg.core.terms import BlankNodeMap, to_ox
from treatykg.graph.semantics.shapes import message_text, path_text

TEMPLATES = Path(__file__).with_name("constraints")
# How a materialised set of class instances lists a member: `?x work:memberOf work:InstanceSet`, a predicate
# no shape path can name, so the sets stay invisible to every check even in the store's union graph.
MEMBER = f"<{WORK}memberOf> <{WORK}InstanceSet>"
_MEMBERSHIP = re.compile(r"GRAPH (<[^>]+>) \{ (\?\w+) " + re.escape(MEMBER) + r" \}")
_PLACEHOLDER = re.compile(r"\$([A-Za-z]+)")
_RUN_TIME = frozenset({"FOCUS", "TARGET"})
_TYPE_PATH = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# Parameters that say nothing about conformance, or that another parameter's compiler reads.
_PASSIVE = frozenset(
    {
        SH.message,
        SH.severity,
        SH.name,
        SH.description,
        SH.order,
        SH.group,
        SH.defaultValue,
        SH.path,
        SH.property,
        SH.deactivated,
        SH.flags,
        SH.qualifiedMinCount,
        SH.qualifiedMaxCount,
        SH.qualifiedValueShapesDisjoint,
        *_TARGETS,
    }
)
_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
_RANGES = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
_PAIRS = {SH.lessThan: "<", SH.lessThanOrEquals: "<="}
_NUMERIC = frozenset(
    XSD[name]
    for name in (
        "integer",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "decimal",
        "float",
        "double",
    )
)


class UnsupportedShape(ValueError):
    """A shapes graph uses a SHACL feature this compiler does not translate (nothing is silently skipped)."""


@dataclass(frozen=True)
class Target:
    """The focus nodes of a shape: SHACL instances of some classes, and nodes other target patterns bind."""

    classes: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    def __or__(self, other: Target) -> Target:
        return Target(
            tuple(sorted({*self.classes, *other.classes})), tuple(sorted({*self.patterns, *other.patterns}))
        )

    def pattern(self) -> str:
        """The targets as one pattern binding ?this, following rdf:type/rdfs:subClassOf* in the data."""
        return _union([f"?this {_TYPE_PATH} {c} ." for c in self.classes] + list(self.patterns))

    def bound(self) -> str:
        """The targets as a pattern for a ?this already bound: its types, then up rdfs:subClassOf*."""
        classes = [f"?this <{RDF.type}> ?type_ . ?type_ <{RDFS.subClassOf}>* {c} ." for c in self.classes]
        return _union(classes + list(self.patterns))

    def materialised(self) -> str:
        """The same, reading each class's instances from the working graph that holds them."""
        return _union(
            [f"GRAPH {instances_graph(c)} {{ ?this {MEMBER} }}" for c in self.classes] + list(self.patterns)
        )


def instances_graph(cls: str) -> str:
    """The working graph holding the SHACL instances of the class `cls` (SPARQL IRI text) while validating."""
    return f"<{WORK}instances-{hashlib.sha256(cls.encode()).hexdigest()[:16]}>"


def direct_types(text: str, classes: Iterable[str]) -> str:
    """`text` with each lookup in a materialised instance set replaced by the node's own rdf:type: right for
    data whose types are closed under rdfs:subClassOf, as the build's inferred graph makes them (cax-sco)."""
    by_graph = {instances_graph(cls): cls for cls in classes}
    return _MEMBERSHIP.sub(lambda match: f"{match.group(2)} <{RDF.type}> {by_graph[match.group(1)]}", text)


def _iris(text: str) -> set[str]:
    """The IRIs written in a piece of SPARQL."""
    return set(re.findall(r"<[^>\s]*>", text))


def _union(parts: list[str]) -> str:
    return " UNION ".join("{ " + part + " }" for part in parts)


@dataclass(frozen=True)
class Check:
    """One compiled constraint: `focused` finds its failures among the focus nodes in $FOCUS (or all of them,
    with $FOCUS empty); $TARGET is the target pattern or, over every focus node, the materialised
    instances."""

    focused: str
    target: Target
    shape: Node
    path: str | None
    component: URIRef
    severity: URIRef
    message: str | None
    cls: str | None = None  # the class of an sh:class check

    @property
    def reads(self) -> frozenset[str]:
        """The IRIs the check reads besides its target: its predicates, and constants (an over-estimate)."""
        return frozenset(_iris(self.focused)) - set(MEMBER.split())


@dataclass(frozen=True)
class Screen:
    """A group of a target's checks that flags, for one focus node, whether one of them would report it.

    Each entry is a check, its condition as an aggregate over the values of its shape's path, and the
    OPTIONAL pattern that binds those values. A target's screens run together, in one pass over its focus
    nodes (screen_pass).
    """

    target: Target
    entries: tuple[tuple[Check, str, str], ...]

    @property
    def checks(self) -> tuple[Check, ...]:
        return tuple(check for check, _, _ in self.entries)

    def part(self, number: int) -> str:
        """The screen's part of its target's pass: the focus node, numbered `number`, if it is flagged."""
        optionals = "\n  ".join(dict.fromkeys(optional for _, _, optional in self.entries if optional))
        fails = " ||\n  ".join(fail for _, fail, _ in self.entries)
        return fill("screen", OPTIONALS=optionals, FAILS=fails, NUMBER=str(number))


def screen_pass(screens: Iterable[Screen]) -> str:
    """One query over the focus nodes of some screens' common target: a row of ?this and ?screen_ (the
    screen's place in `screens`) per screen that flags the node. $TARGET is left for run time."""
    parts = [screen.part(number) for number, screen in enumerate(screens)]
    return fill("screens", SCREENS="\n  UNION\n  ".join(parts))


@dataclass(frozen=True)
class Plan:
    """A compiled shapes graph: screens over every focus node, the checks no screen covers, all checks."""

    screens: tuple[Screen, ...]
    direct: tuple[Check, ...]  # checks no screen covers, run over every focus node (compiled: none)
    classes: tuple[str, ...] = ()  # the classes whose instances the screens and targets read
    # Predicates some check reads about a node other than its focus node (a value's rdf:type, the second step
    # of a sequence path, a nested shape's path): a changed triple with one of these can change the results
    # of the nodes pointing at its subject.
    value_predicates: frozenset[str] = frozenset()

    @property
    def checks(self) -> tuple[Check, ...]:
        return tuple(check for screen in self.screens for check in screen.checks) + self.direct

    @property
    def passes(self) -> dict[Target, tuple[Screen, ...]]:
        """The screens grouped by target, in order: each group runs in one pass (screen_pass)."""
        grouped: dict[Target, list[Screen]] = {}
        for screen in self.screens:
            grouped.setdefault(screen.target, []).append(screen)
        return {target: tuple(screens) for target, screens in grouped.items()}

    def only(self, keep) -> Plan:
        """The plan restricted to the checks `keep(check)` accepts; screens shrink to what those need, and the
        classes to those the remaining targets and screen conditions read (each is materialised in full)."""
        kept = [Screen(s.target, tuple(e for e in s.entries if keep(e[0]))) for s in self.screens]
        screens = tuple(screen for screen in kept if screen.entries)
        direct = tuple(filter(keep, self.direct))
        targets = {cls for item in (*screens, *direct) for cls in item.target.classes}
        conditions = " ".join(fail for screen in screens for _, fail, _ in screen.entries)
        classes = tuple(cls for cls in self.classes if cls in targets or instances_graph(cls) in conditions)
        return Plan(screens, direct, classes, self.value_predicates)


@cache
def template(name: str) -> str:
    """The text of graph/semantics/constraints/<name>.rq, comment lines removed."""
    text = (TEMPLATES / f"{name}.rq").read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def fill(name: str, **values: str) -> str:
    """A template with its compile-time placeholders replaced; $FOCUS and $TARGET stay for run time."""

    def replace(match: re.Match) -> str:
        key = match.group(1)
        if key in _RUN_TIME:
            return match.group(0)
        if key not in values:
            raise KeyError(f"template {name}.rq needs ${key}")
        return values[key]

    return _PLACEHOLDER.sub(replace, template(name))


def sparql(term: Node) -> str:
    """An IRI or literal of the shapes graph as SPARQL text (serialised by pyoxigraph)."""
    if isinstance(term, BNode):
        raise UnsupportedShape(f"a blank node can't be a constant in a SPARQL check: {term!r}")
    return str(to_ox(term, BlankNodeMap()))


def _title(parameter: URIRef) -> str:
    """sh:lessThan -> LessThan, the stem of the constraint component's name."""
    return parameter.fragment[0].upper() + parameter.fragment[1:]


def compile_shapes(shapes: Graph) -> Plan:
    """Every constraint of the shapes graph's targeted shapes as SPARQL checks, in screens."""
    return _Compiler(shapes).plan()


class _Compiler:
    """Walks a shapes graph and emits a Check per constraint of every targeted shape, and the screens."""

    def __init__(self, shapes: Graph):
        self.shapes = shapes
        self.fresh = itertools.count(1)
        self.classes: set[str] = set()
        self.value_predicates: set[str] = set()

    def plan(self) -> Plan:
        """The screens, grouped by target (every check is screened)."""
        groups: dict[Target, list[tuple[list[tuple[Check, str, str]], bool]]] = {}
        for target, (checks, optional, fails, single) in self._parts():
            if checks:
                groups.setdefault(target, []).append(
                    ([(check, fail, optional) for check, fail in zip(checks, fails, strict=True)], single)
                )
        screens = []
        for target, parts in groups.items():
            # Single-valued property shapes (sh:maxCount 1) share one pass; a multi-valued one gets its own,
            # as OPTIONALs over several multi-valued paths would multiply their rows.
            shared = [entry for entries, single in parts if single for entry in entries]
            screens += [Screen(target, tuple(shared))] if shared else []
            screens += [Screen(target, tuple(entries)) for entries, single in parts if not single]
        return Plan(tuple(screens), (), tuple(sorted(self.classes)), frozenset(self.value_predicates))

    def _parts(self) -> Iterator[tuple[Target, tuple]]:
        """Per shape: its target and (checks, OPTIONAL pattern, screen conditions, single)."""
        property_targets: dict[Node, Target] = {}
        for shape in self._targeted():
            if not self._active(shape):
                continue
            target = self._target(shape)
            if (shape, SH.path, None) in self.shapes:
                property_targets[shape] = property_targets.get(shape, Target()) | target
                continue
            yield target, self._node_part(shape, target)
            for child in self.shapes.objects(shape, SH.property):
                property_targets[child] = property_targets.get(child, Target()) | target
        for shape in sorted(property_targets, key=str):
            if self._active(shape):
                yield property_targets[shape], self._property_part(shape, property_targets[shape])

    def _targeted(self) -> list[Node]:
        """Shapes with targets, explicit or implicit (a shape that is also a class), in a stable order."""
        found = {s for predicate in _TARGETS for s in self.shapes.subjects(predicate, None)}
        for kind in (RDFS.Class, OWL.Class):
            found |= {
                s
                for s in self.shapes.subjects(RDF.type, kind)
                if (s, RDF.type, SH.NodeShape) in self.shapes
                or (s, RDF.type, SH.PropertyShape) in self.shapes
            }
        return sorted(found, key=str)

    def _active(self, shape: Node) -> bool:
        return self.shapes.value(shape, SH.deactivated) != Literal(True)

    def _target(self, shape: Node) -> Target:
        """The shape's targets."""
        classes = [sparql(c) for c in self.shapes.objects(shape, SH.targetClass)]
        if (shape, RDF.type, RDFS.Class) in self.shapes or (shape, RDF.type, OWL.Class) in self.shapes:
            classes.append(sparql(shape))
        patterns = [f"VALUES ?this {{ {sparql(n)} }}" for n in self.shapes.objects(shape, SH.targetNode)]
        patterns += [f"?this {sparql(p)} ?target_ ." for p in self.shapes.objects(shape, SH.targetSubjectsOf)]
        patterns += [f"?target_ {sparql(p)} ?this ." for p in self.shapes.objects(shape, SH.targetObjectsOf)]
        self.classes.update(classes)
        return Target(tuple(sorted(set(classes))), tuple(sorted(patterns)))

    def _check(
        self,
        shape: Node,
        path: str | None,
        target: Target,
        component: str,
        query: str,
        cls: str | None = None,
    ) -> Check:
        severity = cast(URIRef, self.shapes.value(shape, SH.severity) or SH.Violation)
        message = message_text(self.shapes.objects(shape, SH.message))
        return Check(
            query, target, shape, path, SH[component + "ConstraintComponent"], severity, message, cls
        )

    def _node_part(self, shape: Node, target: Target) -> tuple[list[Check], str, list[str], bool]:
        """A node shape's own parameters, each on the focus node as its value node."""
        checks, fails = [], []
        for parameter, value in self._parameters(shape):
            component, condition = self._value_condition(parameter, value, "?value", shape)
            query = fill("value", VALUES="BIND (?this AS ?value)", CONFORMS=condition)
            cls = sparql(value) if parameter == SH["class"] else None
            checks.append(self._check(shape, None, target, component, query, cls))
            screened = self._value_condition(parameter, value, "?this", shape, screening=True)[1]
            fails.append(f"!COALESCE({screened}, false)")
        return checks, "", fails, True

    def _property_part(self, shape: Node, target: Target) -> tuple[list[Check], str, list[str], bool]:
        """A property shape's parameters, on the values of its path, and their screen."""
        path_node = cast(Node, self.shapes.value(shape, SH.path))  # a property shape has its path
        path = path_text(self.shapes, path_node)
        if (path_node, RDF.first, None) in self.shapes:  # a sequence path reads past the focus node's triples
            self.value_predicates.update(_iris(path))
        check = functools.partial(self._check, shape, path, target)
        v = f"?v{next(self.fresh)}"
        checks, fails, optionals = [], [], [f"OPTIONAL {{ ?this {path} {v} }}"]
        for parameter, value in self._parameters(shape):
            if parameter in (SH.minCount, SH.maxCount):
                name = "min-count" if parameter == SH.minCount else "max-count"
                name += "-one" if parameter == SH.minCount and value == Literal(1) else ""
                checks.append(
                    check(_title(parameter), fill(name, PATH=path, **{parameter.fragment: sparql(value)}))
                )
                fails.append(
                    f"COUNT(DISTINCT {v}) {'<' if parameter == SH.minCount else '>'} {sparql(value)}"
                )
            elif parameter == SH.hasValue:
                checks.append(check("HasValue", fill("has-value", PATH=path, hasValue=sparql(value))))
                fails.append(f"SUM(IF(BOUND({v}) && sameTerm({v}, {sparql(value)}), 1, 0)) = 0")
            elif parameter == SH.uniqueLang and value == Literal(True):
                checks.append(check("UniqueLang", fill("unique-lang", PATH=path)))
                tagged = f'BOUND({v}) && isLiteral({v}) && LANG({v}) != ""'
                fails.append(
                    f"COUNT(DISTINCT IF({tagged}, {v}, ?none_)) > "
                    f"COUNT(DISTINCT IF({tagged}, LCASE(LANG({v})), ?none_))"
                )
            elif parameter == SH.qualifiedValueShape:
                checks += self._qualified(shape, value, path, check)
                fails += self._qualified_fails(shape, value, v)
            elif parameter in (SH.equals, SH.disjoint, *_PAIRS):
                if parameter in _PAIRS:
                    query = fill("less-than", PATH=path, property=sparql(value), OPERATOR=_PAIRS[parameter])
                else:
                    query = fill(parameter.fragment, PATH=path, **{parameter.fragment: sparql(value)})
                checks.append(check(_title(parameter), query))
                optional, fail = self._pair_screen(parameter, path, sparql(value))
                optionals.append(optional)
                fails.append(fail)
            elif parameter != SH.uniqueLang:
                component, condition = self._value_condition(parameter, value, "?value", shape)
                query = fill("value", VALUES=f"?this {path} ?value .", CONFORMS=condition)
                checks.append(check(component, query, sparql(value) if parameter == SH["class"] else None))
                screened = self._value_condition(parameter, value, v, shape, screening=True)[1]
                fails.append(f"SUM(IF(BOUND({v}) && !COALESCE({screened}, false), 1, 0)) > 0")
        single = self.shapes.value(shape, SH.maxCount) == Literal(1)
        return checks, "\n  ".join(optionals), fails, single

    def _pair_screen(self, parameter: URIRef, path: str, other: str) -> tuple[str, str]:
        """The screen of a component comparing the values of `path` with those of the property `other`
        (sh:equals, sh:disjoint, sh:lessThan, sh:lessThanOrEquals): an OPTIONAL binding a flag where the check
        (equals.rq, disjoint.rq, less-than.rq) finds a value to report, and the condition on that flag.

        An OPTIONAL rather than an EXISTS in the condition: Oxigraph evaluated a sequence path inside such an
        EXISTS in time growing with the store, per focus node.
        """
        n = next(self.fresh)
        value, flag = f"?p{n}", f"?f{n}"
        if parameter == SH.equals:
            failing = (
                f"{{ ?this {path} {value} FILTER NOT EXISTS {{ ?this {other} {value} }} }} UNION "
                f"{{ ?this {other} {value} FILTER NOT EXISTS {{ ?this {path} {value} }} }}"
            )
        elif parameter == SH.disjoint:
            failing = f"?this {path} {value} . ?this {other} {value} ."
        else:
            compared = f"COALESCE({value} {_PAIRS[parameter]} ?q{n}, false)"
            failing = f"?this {path} {value} . ?this {other} ?q{n} FILTER (!{compared})"
        return f"OPTIONAL {{ {failing} BIND (true AS {flag}) }}", f"COUNT({flag}) > 0"

    def _qualified(self, shape: Node, qualified: Node, path: str, check) -> list[Check]:
        """sh:qualifiedValueShape with its min and max counts."""
        if self.shapes.value(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
            raise UnsupportedShape(f"{shape}: sh:qualifiedValueShapesDisjoint is not supported")
        condition = self._conforms(qualified, "?value")
        checks = []
        for counter in (SH.qualifiedMinCount, SH.qualifiedMaxCount):
            count = self.shapes.value(shape, counter)
            if count is not None:
                name = "qualified-min-count" if counter == SH.qualifiedMinCount else "qualified-max-count"
                checks.append(
                    check(
                        _title(counter),
                        fill(name, PATH=path, CONFORMS=condition, **{counter.fragment: sparql(count)}),
                    )
                )
        return checks

    def _qualified_fails(self, shape: Node, qualified: Node, v: str) -> list[str]:
        """Screen conditions of sh:qualifiedMinCount/MaxCount: how many values conform to the shape."""
        conforming = (
            f"COUNT(DISTINCT IF(BOUND({v}) && COALESCE({self._conforms(qualified, v)}, false), {v}, ?none_))"
        )
        fails = []
        for counter, operator in ((SH.qualifiedMinCount, "<"), (SH.qualifiedMaxCount, ">")):
            count = self.shapes.value(shape, counter)
            if count is not None:
                fails.append(f"{conforming} {operator} {sparql(count)}")
        return fails

    def _parameters(self, shape: Node) -> list[tuple[URIRef, Node]]:
        """The shape's constraint parameters (SHACL terms that aren't passive), in a stable order."""
        pairs = sorted(self.shapes.predicate_objects(shape), key=lambda pair: (str(pair[0]), str(pair[1])))
        return [(cast(URIRef, p), o) for p, o in pairs if str(p).startswith(str(SH)) and p not in _PASSIVE]

    def _value_condition(
        self, parameter: URIRef, value: Node, v: str, shape: Node, screening: bool = False
    ) -> tuple[str, str]:
        """The component name and the SPARQL condition that value node `v` satisfies `parameter` = `value`.

        With `screening`, sh:class looks the value up among the class's materialised instances.
        """
        if parameter == SH["class"]:
            self.value_predicates.update((f"<{RDF.type}>", f"<{RDFS.subClassOf}>"))
            if screening:
                self.classes.add(sparql(value))
                return "Class", f"EXISTS {{ GRAPH {instances_graph(sparql(value))} {{ {v} {MEMBER} }} }}"
            return "Class", f"EXISTS {{ {v} {_TYPE_PATH} {sparql(value)} }}"
        if parameter == SH.datatype:
            return "Datatype", self._datatype(value, v)
        if parameter == SH.nodeKind:
            return "NodeKind", _NODE_KINDS[cast(URIRef, value)].format(v=v)
        if parameter == SH["in"]:
            members = [f"sameTerm({v}, {sparql(m)})" for m in Collection(self.shapes, value)]
            return "In", "(" + (" || ".join(members) or "false") + ")"
        if parameter == SH.hasValue:
            return "HasValue", f"sameTerm({v}, {sparql(value)})"
        if parameter == SH.pattern:
            flags = self.shapes.value(shape, SH.flags)
            arguments = sparql(value) + (f", {sparql(flags)}" if flags is not None else "")
            return "Pattern", f"(!isBlank({v}) && REGEX(STR({v}), {arguments}))"
        if parameter == SH.languageIn:
            tags = [f"langMatches(LANG({v}), {sparql(tag)})" for tag in Collection(self.shapes, value)]
            return "LanguageIn", f"(isLiteral({v}) && (" + (" || ".join(tags) or "false") + "))"
        if parameter in _RANGES:
            return _title(parameter), f"({v} {_RANGES[parameter]} {sparql(value)})"
        if parameter in (SH.minLength, SH.maxLength):
            operator = ">=" if parameter == SH.minLength else "<="
            return _title(parameter), f"(!isBlank({v}) && STRLEN(STR({v})) {operator} {sparql(value)})"
        if parameter == SH.node:
            return "Node", self._conforms(value, v, screening)
        if parameter == SH["not"]:
            return "Not", f"!({self._conforms(value, v, screening)})"
        if parameter in (SH["and"], SH["or"], SH.xone):
            parts = [self._conforms(member, v, screening) for member in Collection(self.shapes, value)]
            if parameter == SH.xone:
                return "Xone", "((" + " + ".join(f"IF({p}, 1, 0)" for p in parts) + ") = 1)"
            joiner = " && " if parameter == SH["and"] else " || "
            return _title(parameter), "(" + (joiner.join(parts) or "true") + ")"
        raise UnsupportedShape(f"{shape}: {parameter} is not supported by the store-side validator")

    def _datatype(self, datatype: Node, v: str) -> str:
        """sh:datatype: a literal of that datatype, lexically valid where SPARQL can tell (rdflib checks)."""
        if datatype == RDF.langString:
            return f'(isLiteral({v}) && LANG({v}) != "")'
        # The store keeps ill-typed literals ("abc"^^xsd:integer) as they are: a numeric one is not isNumeric,
        # and a date-time one has no YEAR.
        valid: dict[str | None, str] = {
            "numeric": f" && isNumeric({v})",
            "dateTime": f" && COALESCE(YEAR({v}) = YEAR({v}), false)",
        }
        family = "numeric" if datatype in _NUMERIC else "dateTime" if datatype == XSD.dateTime else None
        return f"(isLiteral({v}) && DATATYPE({v}) = {sparql(datatype)}{valid.get(family, '')})"

    def _conforms(self, shape: Node, v: str, screening: bool = False) -> str:
        """A SPARQL condition: node `v` conforms to `shape` (a nested shape of sh:node, sh:or, ...); with
        `screening`, its sh:class conditions read the materialised instance sets, as the screen's own do (a
        path up rdfs:subClassOf* per value cost ~0.5 ms each at 1M triples)."""
        path = self.shapes.value(shape, SH.path)
        if path is not None:
            conditions = self._nested_property(shape, path_text(self.shapes, path), v, screening)
        else:
            conditions = [
                self._value_condition(p, o, v, shape, screening)[1] for p, o in self._parameters(shape)
            ]
            conditions += [
                self._conforms(child, v, screening) for child in self.shapes.objects(shape, SH.property)
            ]
        return "(" + (" && ".join(conditions) or "true") + ")"

    def _nested_property(self, shape: Node, path: str, v: str, screening: bool = False) -> list[str]:
        """Conditions that `v` conforms to a nested property shape."""
        self.value_predicates.update(_iris(path))
        conditions = []
        for parameter, value in self._parameters(shape):
            inner = f"?n{next(self.fresh)}"
            if parameter == SH.minCount and _integer(value) <= 1:
                conditions.append(f"EXISTS {{ {v} {path} {inner} }}" if _integer(value) == 1 else "true")
            elif parameter == SH.maxCount and _integer(value) == 0:
                conditions.append(f"NOT EXISTS {{ {v} {path} {inner} }}")
            elif parameter == SH.hasValue:
                conditions.append(
                    f"EXISTS {{ {v} {path} {inner} FILTER (sameTerm({inner}, {sparql(value)})) }}"
                )
            elif parameter in (
                SH.minCount,
                SH.maxCount,
                SH.uniqueLang,
                SH.qualifiedValueShape,
                SH.equals,
                SH.disjoint,
                *_PAIRS,
            ):
                raise UnsupportedShape(f"{shape}: {parameter} is not supported inside sh:node/sh:or/sh:not")
            else:
                condition = self._value_condition(parameter, value, inner, shape, screening)[1]
                conditions.append(
                    f"NOT EXISTS {{ {v} {path} {inner} FILTER (!COALESCE({condition}, false)) }}"
                )
        return conditions


def _integer(value: Node) -> int:
    """The integer a count parameter (sh:minCount, sh:maxCount) holds."""
    return int(cast(Literal, value))
