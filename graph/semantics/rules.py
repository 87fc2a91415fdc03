"""OWL 2 RL inside a pyoxigraph store: the rules in `rules/*.rq` as SPARQL updates run to a fixpoint.

The rules are generic (they read the axioms from the store), so a new axiom of a supported kind needs no
code change; an axiom of a kind no rule implements makes the fast path refuse (UnsupportedAxioms), never
under-infer.

Evaluation is semi-naive: each round applies the instance rules to the previous round's new triples only.
The graph `work:control` tells the rules, as data, which graphs hold this round's premises
(`<g> a work:Delta`) and which graph receives its conclusions (`<g> a work:Output`), so the .rq files need no
text substitution. Each rule skips conclusions some graph already holds (FILTER NOT EXISTS), so an output
graph holds only new triples; premise lookups sit in LATERAL blocks (SEP-0006, implemented by Oxigraph), so
they run as index lookups with the schema-bound predicate instead of scans of the premise graph.

Working graphs, all under https://w3id.org/treatykg/graph/work/ and dropped when reasoning ends:
    schema     the schema closure (scm-* rules), where the instance rules look axioms up
    control    this round's premise graphs and output graph
    round-N    the triples round N derived (a full run writes round 1 straight into the inferred graph)
    added      triples staged by reason_delta until commit_delta or discard_delta
    default    a copy of the store's real default graph: rules match `GRAPH ?g`, which only sees named graphs
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from treatykg.core.iris import INFERRED_GRAPH
from treatykg.core.iris import WORK_PREFIX as WORK
from treatykg.core.terms import solutions, to_rdflib
from treatykg.graph.semantics.reason import is_informative

RULES_DIR = Path(__file__).with_name("rules")
SCHEMA, CONTROL, ADDED, DEFAULT_COPY = (
    ox.NamedNode(WORK + name) for name in ("schema", "control", "added", "default")
)
DELTA, OUTPUT = ox.NamedNode(WORK + "Delta"), ox.NamedNode(WORK + "Output")
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
INFERRED = ox.NamedNode(INFERRED_GRAPH)
_HEADER = re.compile(r"#\+\s*(\w[\w-]*)\s*:\s*(.*)")


class UnsupportedAxioms(Exception):
    """The store uses OWL constructs whose OWL 2 RL rules the fast path does not implement."""


@dataclass(frozen=True)
class Rule:
    """One .rq file of graph/semantics/rules: the OWL 2 RL rules it implements, its stage and its SPARQL."""

    name: str
    rule: str
    stage: str
    requires: str | None
    text: str
    message: str = ""  # for consistency checks: the message, with {variable} fields


@dataclass(frozen=True)
class Reasoning:
    """What a reasoning run did: rounds to the fixpoint, triples derived, schema closure size."""

    rounds: int
    inferred: int
    schema: int
    outputs: tuple[ox.NamedNode, ...] = ()


@cache
def rules() -> dict[str, Rule]:
    """Every .rq file of graph/semantics/rules by file stem, its `#+ key: value` header parsed."""
    found = {}
    for path in sorted(RULES_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        header = {match[1]: match[2] for match in map(_HEADER.match, text.splitlines()) if match}
        found[path.stem] = Rule(
            path.stem,
            header.get("rule", ""),
            header["stage"],
            header.get("requires"),
            text,
            header.get("message", ""),
        )
    return found


def _stage(stage: str) -> list[Rule]:
    """The rules of one stage, in file-name order."""
    return [rule for rule in rules().values() if rule.stage == stage]


def _count(store: ox.Store, name: str) -> int:
    """The single ?triples count of a runner query."""
    return int(next(iter(solutions(store.query(rules()[name].text))))["triples"].value)


def unsupported_axioms(store: ox.Store) -> list[str]:
    """The OWL terms in the store that call for OWL 2 RL rules this fast path does not implement."""
    return [solution["term"].value for solution in solutions(store.query(rules()["unsupported-axioms"].text))]


def inconsistencies(store: ox.Store, nodes: Iterable[ox.NamedNode] | None = None) -> list[str]:
    """What makes the store's union graph inconsistent under OWL 2 RL, one sorted line each.

    The checks: cax-dw, cax-adc, eq-diff*, cls-nothing2, cls-com, prp-irp, prp-asyp, prp-pdw, and two
    values of a functional data property.

    `nodes` limits the checks to those individuals (IRIs), as after an incremental write.
    """
    if nodes is not None:
        named = sorted({str(node) for node in nodes})
        if not named:
            return []
        focus = "VALUES ?x { " + " ".join(named) + " }"
    else:
        focus = ""
    lines = set()
    for rule in _stage("check"):
        for row in solutions(
            store.query(rule.text.replace("$FOCUS", focus), use_default_graph_as_union=True)
        ):
            fields = {name: str(row[name]) for name in re.findall(r"\{(\w+)\}", rule.message)}
            lines.add(f"{rule.rule}: {rule.message.format(**fields)}")
    return sorted(lines)


def work_graphs(store: ox.Store) -> list[ox.NamedNode]:
    """The working graphs currently in the store."""
    return [g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith(WORK)]


def drop_work(store: ox.Store) -> None:
    """Drop every working graph in one transaction."""
    graphs = work_graphs(store)
    if graphs:
        store.update(" ;\n".join(f"DROP SILENT GRAPH {graph}" for graph in graphs))


def require_supported(store: ox.Store) -> None:
    """UnsupportedAxioms, naming them, if the store uses OWL constructs no rule implements."""
    unsupported = unsupported_axioms(store)
    if unsupported:
        raise UnsupportedAxioms(
            "the fast reasoner does not implement the OWL 2 RL rules for: " + ", ".join(unsupported)
        )


def reason(store: ox.Store) -> Reasoning:
    """Recompute the inferred graph from every other graph of `store`, replacing it.

    Run it on a store no reader is using (the build's own store): its working graphs are visible meanwhile.
    """
    require_supported(store)
    store.update(f"DROP SILENT GRAPH {INFERRED}")
    drop_work(store)
    premises = [name for name in store.named_graphs() if isinstance(name, ox.NamedNode)]
    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        store.update(f"ADD DEFAULT TO {DEFAULT_COPY}")
        premises.append(DEFAULT_COPY)
    schema = schema_closure(store)
    # Round 1 writes straight into the inferred graph (most triples are derived there); later rounds into
    # their own graphs, which are then added to it.
    stats = fixpoint(store, premises, first_output=INFERRED, seed=True, schema=schema)
    kept = _schema_inferences(store)
    store.extend(ox.Quad(s, p, o, INFERRED) for s, p, o in kept)
    later = [graph for graph in stats.outputs if graph != INFERRED]
    if later:
        store.update(" ;\n".join(f"ADD SILENT {graph} TO {INFERRED}" for graph in later))
    drop_work(store)
    return Reasoning(stats.rounds, stats.inferred + len(kept), schema)


def reason_delta(store: ox.Store, added: Iterable[ox.Triple]) -> Reasoning:
    """Stage `added` and derive what it adds to the inferred graph, both kept in working graphs until commit.

    The staged triples and their inferences are in the store's union, so the caller can validate the affected
    focus nodes and then commit_delta or discard_delta. If `added` would change the schema the delta can't be
    reasoned locally: ValueError, and the caller rebuilds instead.
    """
    drop_work(store)
    before = schema_closure(store)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ADDED) for t in added)
    # The closure only grows, so an unchanged size means an unchanged schema.
    if schema_closure(store) != before:
        drop_work(store)
        raise ValueError("the added triples change the schema; rebuild instead of reasoning the delta")
    return fixpoint(store, [ADDED], first_output=ox.NamedNode(WORK + "round-1"), seed=False, schema=before)


def staged_inferences(store: ox.Store) -> list[ox.Quad]:
    """The inferences reason_delta staged (quads of the round graphs)."""
    return [
        quad
        for graph in work_graphs(store)
        if graph.value.startswith(WORK + "round-")
        for quad in store.quads_for_pattern(None, None, None, graph)
    ]


def commit_delta(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> None:
    """Add the staged triples to `graph` and their inferences to the inferred graph, in one transaction."""
    target = "DEFAULT" if isinstance(graph, ox.DefaultGraph) else str(graph)
    rounds = [g for g in work_graphs(store) if g.value.startswith(WORK + "round-")]
    operations = [f"ADD SILENT {ADDED} TO {target}", *(f"ADD SILENT {g} TO {INFERRED}" for g in rounds)]
    operations += [f"DROP SILENT GRAPH {g}" for g in work_graphs(store)]
    store.update(" ;\n".join(operations))


def discard_delta(store: ox.Store) -> None:
    """Drop the staged triples and their inferences, leaving the store as it was before reason_delta."""
    drop_work(store)


def schema_closure(store: ox.Store) -> int:
    """Gather the schema from every named graph and close it in work:schema (scm-* rules); its size."""
    for rule in _stage("schema-copy"):
        store.update(rule.text)
    size = _count(store, "count-schema")
    while True:
        for rule in _stage("schema"):
            store.update(rule.text)
        grown = _count(store, "count-schema")
        if grown == size:
            return size
        size = grown


def _present_terms(store: ox.Store) -> set[str]:
    """The terms rules may require that occur in the store, as CURIEs like the rules' `#+ requires:` lines."""
    names = {OWL: "owl:", "http://www.w3.org/2000/01/rdf-schema#": "rdfs:"}
    present = set()
    for solution in solutions(store.query(rules()["present-terms"].text)):
        term = re.match(r"(.*[#/])(.*)", solution["term"].value)
        namespace, local = term.groups()  # type: ignore[union-attr]  # the query returns namespaced IRIs
        present.add(names.get(namespace, namespace) + local)
    return present


def _control(store: ox.Store, premises: list[ox.NamedNode], output: ox.NamedNode) -> None:
    """Point the rules at this round's premise graphs and output graph."""
    store.update(f"DROP SILENT GRAPH {CONTROL}")
    quads = [ox.Quad(graph, RDF_TYPE, DELTA, CONTROL) for graph in premises]
    store.extend([*quads, ox.Quad(output, RDF_TYPE, OUTPUT, CONTROL)])


def fixpoint(
    store: ox.Store,
    premises: list[ox.NamedNode],
    first_output: ox.NamedNode,
    seed: bool,
    schema: int,
    text: Callable[[Rule], str] = lambda rule: rule.text,
    rounds_named: str = "round-",
) -> Reasoning:
    """Run rounds until one derives nothing new; the outputs are the graphs that received new triples.

    `text` gives the update run for a rule (its own text, or a variant of it: maintain.py's over-deletion);
    the rounds after the first write to work graphs named `rounds_named` and the round's number."""
    outputs: list[ox.NamedNode] = []
    output, rounds, inferred = first_output, 0, 0
    while True:
        rounds += 1
        _control(store, premises, output)
        present = _present_terms(store)
        for rule in _stage("seed") * (seed and rounds == 1) + _stage("instance"):
            if rule.requires is None or rule.requires in present:
                store.update(text(rule))
        store.update(rules()["round-tidy"].text)
        new = _count(store, "count-new")
        if not new:
            break
        inferred += new
        outputs.append(output)
        premises, output = [output], ox.NamedNode(f"{WORK}{rounds_named}{rounds + 1}")
    return Reasoning(rounds, inferred, schema, tuple(outputs))


def instance_rules() -> list[Rule]:
    """The rules that derive from instance triples (a round's premises), in the order rounds run them."""
    return _stage("instance")


def _schema_inferences(store: ox.Store) -> list[tuple]:
    """The schema closure's derived triples that the project's filter keeps, as pyoxigraph terms."""
    # A few hundred triples: the filter runs in Python, the one definition the owlrl path uses too.
    rows = [(row["s"], row["p"], row["o"]) for row in solutions(store.query(rules()["schema-inferred"].text))]
    return [row for row in rows if is_informative((to_rdflib(row[0]), to_rdflib(row[1]), to_rdflib(row[2])))]
