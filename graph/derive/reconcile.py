"""The reconciled view of the accounts: per act one status, one time span and its order, from the accounts
that are not deprecated (the preferred ones where a curator ranked some), and the conflicts among them."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from treatykg.core.iris import DERIVED_GRAPHS, ID, RECONCILED_GRAPH, TKG, asserted_graph
from treatykg.core.terms import solutions
from treatykg.graph.derive.graphs import GraphName, derive_from_graphs, replace_graph

QUERIES = Path(__file__).parent
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
TIME = "http://www.w3.org/2006/time#"
RECONCILED = ox.NamedNode(RECONCILED_GRAPH)
# The finer a unit, the later in this list; a unit not listed ranks below a year.
PRECISIONS = [TIME + "unitYear", TIME + "unitMonth", TIME + "unitDay"]
DATE_FORMATS = {TIME + "unitYear": "%Y", TIME + "unitMonth": "%Y-%m", TIME + "unitDay": "%Y-%m-%d"}
# The order of the voices: a reported account outranks an attributed one, which outranks a hypothesis.
VOICES = ["ReportedBySource", "AttributedToSpeaker", "Hypothetical"]
CLAIMS = {"claimedClass": "ClassConflict", "claimedAgent": "AgentConflict", "claimedObject": "ObjectConflict"}
# An account that claims nothing for a property agrees with the act's own value, which this stands for.
OWN = "(the act's own)"


def tkg(name: str) -> ox.NamedNode:
    """A term of the ontology."""
    return ox.NamedNode(TKG + name)


@dataclass
class Span:
    """A time span as an account gives it."""

    iri: ox.NamedNode
    earliest: ox.Literal
    latest: ox.Literal
    precision: str | None

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The inclusive bounds as datetimes (UTC, without their zone)."""
        return _instant(self.earliest), _instant(self.latest)


@dataclass
class Account:
    """What one source says about one act, as far as the reconciled view needs it."""

    iri: ox.NamedNode
    act: ox.NamedNode
    status: str | None = None
    rank: str | None = None
    span: Span | None = None
    values: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def _instant(literal: ox.Literal) -> datetime:
    """An xsd:dateTime literal as a naive UTC datetime."""
    return datetime.fromisoformat(literal.value.replace("Z", "+00:00")).replace(tzinfo=None)


def _instants(*terms: object) -> bool:
    """Whether every term is an xsd:dateTime literal with a valid value. A span with a bound that is not is
    left out of the reconciled view (the shapes report the bound as a Violation)."""
    try:
        for term in terms:
            if not isinstance(term, ox.Literal) or term.datatype != XSD_DATETIME:
                return False
            _instant(term)
    except ValueError:
        return False
    return True


def _local(iri: str) -> str:
    """The last segment of an IRI (a term's local name, an act's slug)."""
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _query(store: ox.Store, name: str, graphs: Sequence[GraphName]) -> ox.QuerySolutions:
    """Run graph/derive/<name>.rq over the union of `graphs`."""
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    return solutions(store.query(text, default_graph=list(graphs)))


def source_graphs(store: ox.Store) -> list[GraphName]:
    """The graphs the derivations read: every asserted graph, not the derived or inferred ones."""
    named: list[GraphName] = [
        graph
        for graph in store.named_graphs()
        if isinstance(graph, ox.NamedNode)
        and asserted_graph(graph.value)
        and graph.value not in DERIVED_GRAPHS
    ]
    return [*named, ox.DefaultGraph()]


def read_accounts(store: ox.Store, graphs: Sequence[GraphName]) -> dict[str, Account]:
    """Every account of the graphs, by IRI."""
    accounts: dict[str, Account] = {}
    for row in _query(store, "accounts", graphs):
        iri, act = row["account"], row["act"]
        if not isinstance(iri, ox.NamedNode) or not isinstance(act, ox.NamedNode):
            continue
        account = accounts.setdefault(iri.value, Account(iri, act))
        status, rank, span = row["status"], row["rank"], row["span"]
        if status is not None:
            account.status = _local(status.value)
        if rank is not None and account.rank != "Deprecated":  # two decisions: deprecation wins
            account.rank = _local(rank.value)
        earliest, latest, precision = row["earliest"], row["latest"], row["precision"]
        if (
            isinstance(span, ox.NamedNode)
            and _instants(earliest, latest)
            and isinstance(earliest, ox.Literal)
            and isinstance(latest, ox.Literal)
        ):
            account.span = Span(span, earliest, latest, precision.value if precision is not None else None)
    for row in _query(store, "account-values", graphs):
        account_iri = row["account"]
        if account_iri is not None and account_iri.value in accounts:
            accounts[account_iri.value].values[_local(row["property"].value)].add(row["value"].value)
    return accounts


def considered(accounts: Iterable[Account]) -> list[Account]:
    """The accounts the reconciled view rests on: the preferred ones if a curator preferred any, else every
    account that is not deprecated."""
    live = [account for account in accounts if account.rank != "Deprecated"]
    preferred = [account for account in live if account.rank == "Preferred"]
    return sorted(preferred or live, key=lambda account: account.iri.value)


class Derivation:
    """The reconciled graph's triples as they are derived."""

    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []

    def add(self, subject: ox.NamedNode, predicate: ox.NamedNode, value: ox.NamedNode | ox.Literal) -> None:
        """One triple."""
        self.triples.append(ox.Triple(subject, predicate, value))

    def conflict(
        self, kind: str, slug: str, acts: Iterable[ox.NamedNode], accounts: Iterable[Account]
    ) -> None:
        """A typed conflict about `acts` among `accounts`."""
        node = ox.NamedNode(f"{ID}conflict/{slug}")
        self.add(node, RDF_TYPE, tkg("Conflict"))
        self.add(node, tkg("conflictKind"), tkg(kind))
        acts = sorted(set(acts), key=lambda act: act.value)
        words = {"SpanConflict": "time span", "OrderCycle": "order", "ClassConflict": "class"}
        what = words.get(kind, kind.removesuffix("Conflict").lower())
        label = f"Conflict over the {what} of {', '.join(_local(act.value) for act in acts)}"
        self.add(node, RDFS_LABEL, ox.Literal(label, language="en"))
        for act in acts:
            self.add(node, tkg("conflictAbout"), act)
        for account in accounts:
            self.add(node, tkg("involvesAccount"), account.iri)


def derive(store: ox.Store, graphs: Sequence[GraphName] | None = None) -> list[ox.Triple]:
    """The reconciled graph of the accounts in `graphs` of `store` (default: its asserted graphs)."""
    graphs = source_graphs(store) if graphs is None else graphs
    accounts = read_accounts(store, graphs)
    by_act: dict[str, list[Account]] = defaultdict(list)
    for account in accounts.values():
        by_act[account.act.value].append(account)
    own: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in _query(store, "asserted-on-acts", graphs):
        own[row["act"].value, _local(row["property"].value)].add(row["value"].value)
    derivation = Derivation()
    edges: dict[str, dict[str, list[Account]]] = defaultdict(lambda: defaultdict(list))
    for act_iri in sorted(by_act):
        act, chosen = ox.NamedNode(act_iri), considered(by_act[act_iri])
        if (act_iri, "epistemicStatus") not in own:
            _status(derivation, act, chosen)
        if (act_iri, "timeSpan") not in own:
            _span(derivation, act, chosen)
        _claims(derivation, act, chosen, own.get((act_iri, "agent"), set()))
        _members(
            derivation,
            act,
            chosen,
            own.get((act_iri, "agent"), set()),
            own.get((act_iri, "actingMember"), set()),
        )
        for account in chosen:
            for target in account.values.get("claimsAfter", ()):
                edges[act_iri][target].append(account)
    _order(derivation, edges)
    return derivation.triples


def _status(derivation: Derivation, act: ox.NamedNode, chosen: list[Account]) -> None:
    """The act's status: reported if some account reports it, else attributed (to every speaker), else
    hypothetical."""
    voices = [account.status for account in chosen if account.status in VOICES]
    if not voices:
        return
    voice = min(voices, key=VOICES.index)
    derivation.add(act, tkg("epistemicStatus"), tkg(voice))
    if voice == "AttributedToSpeaker":
        speakers = {s for a in chosen if a.status == voice for s in a.values.get("accordingTo", ())}
        for speaker in sorted(speakers):
            derivation.add(act, tkg("accordingTo"), ox.NamedNode(speaker))


def _span(derivation: Derivation, act: ox.NamedNode, chosen: list[Account]) -> None:
    """The act's span: the intersection of its accounts' spans, or a conflict where they do not overlap."""
    dated = [account for account in chosen if account.span is not None]
    if not dated:
        return
    spans = [account.span for account in dated if account.span is not None]
    earliest = max(span.bounds[0] for span in spans)
    latest = min(span.bounds[1] for span in spans)
    if earliest > latest:
        derivation.conflict("SpanConflict", f"span-{_local(act.value)}", [act], dated)
        return
    precision = max((span.precision for span in spans), key=_fineness)
    same = [span for span in spans if span.bounds == (earliest, latest) and span.precision == precision]
    if same:  # one account's span is the intersection: the act shares its node
        derivation.add(act, tkg("timeSpan"), same[0].iri)
        return
    node = _mint_span(derivation, earliest, latest, precision)
    derivation.add(act, tkg("timeSpan"), node)


def _fineness(precision: str | None) -> int:
    """How fine a precision is: -1 unknown, 0 year, 1 month, 2 day."""
    return PRECISIONS.index(precision) if precision in PRECISIONS else -1


def _mint_span(
    derivation: Derivation, earliest: datetime, latest: datetime, precision: str | None
) -> ox.NamedNode:
    """A time span node under id/time/ named as the compiler names a span given in the same words."""
    form = DATE_FORMATS.get(precision or "", "%Y-%m-%d")
    start, end = earliest.strftime(form), latest.strftime(form)
    node = ox.NamedNode(f"{ID}time/{start}" if start == end else f"{ID}time/{start}--{end}")
    label = _words(start) if start == end else f"{_words(start)} to {_words(end)}"
    derivation.add(node, RDF_TYPE, tkg("TimeSpan"))
    derivation.add(node, RDFS_LABEL, ox.Literal(label, language="en"))
    for name, instant in (("earliest", earliest), ("latest", latest)):
        derivation.add(
            node, tkg(name), ox.Literal(instant.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD_DATETIME)
        )
    if precision is not None:
        derivation.add(node, tkg("precision"), ox.NamedNode(precision))
    return node


def _words(date: str) -> str:
    """`1990`, `May 2023`, `7 November 2023`."""
    parts = date.split("-")
    if len(parts) == 1:
        return parts[0]
    month = calendar.month_name[int(parts[1])]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"


def _claims(derivation: Derivation, act: ox.NamedNode, chosen: list[Account], agents: set[str]) -> None:
    """A conflict for each of class, agent and object on which the accounts differ. An act without an agent
    of its own takes the agent its accounts claim when they all claim the same: adding an agent where the act
    has none contradicts no account."""
    for claim, kind in CLAIMS.items():
        if claim == "claimedAgent" and not agents:
            values = {frozenset(account.values[claim]) for account in chosen if account.values.get(claim)}
            if len(values) == 1:
                for agent in sorted(next(iter(values))):
                    derivation.add(act, tkg("agent"), ox.NamedNode(agent))
                continue
        else:
            values = {frozenset(account.values.get(claim) or {OWN}) for account in chosen}
        if len(values) > 1:
            derivation.conflict(
                kind, f"{kind.removesuffix('Conflict').lower()}-{_local(act.value)}", [act], chosen
            )


def _agent(chosen: list[Account], agents: set[str]) -> frozenset[str] | None:
    """The act's reconciled agent: its own, else the one its accounts agree on; None when they differ."""
    if agents:
        return frozenset(agents)
    claimed = {
        frozenset(account.values["claimedAgent"]) for account in chosen if account.values.get("claimedAgent")
    }
    return next(iter(claimed)) if len(claimed) == 1 else None


def _members(
    derivation: Derivation, act: ox.NamedNode, chosen: list[Account], agents: set[str], members: set[str]
) -> None:
    """The acting members the accounts name, for the act's reconciled agent: from the accounts that give
    that agent (or claim none, agreeing with the act's own), those the act does not already state."""
    agent = _agent(chosen, agents)
    if agent is None:
        return
    named = {
        member
        for account in chosen
        if frozenset(account.values.get("claimedAgent") or agents) == agent
        for member in account.values.get("claimedMember", ())
    }
    for member in sorted(named - members):
        derivation.add(act, tkg("actingMember"), ox.NamedNode(member))


def _order(derivation: Derivation, edges: dict[str, dict[str, list[Account]]]) -> None:
    """tkg:happenedAfter for every claimed order not on a cycle; a conflict for each cycle."""
    component_of: dict[str, int] = {}
    for number, component in enumerate(_cycles(edges)):
        members = sorted(component)
        component_of.update(dict.fromkeys(members, number))
        accounts = {
            account.iri.value: account
            for act in members
            for target, claimants in edges[act].items()
            if target in component
            for account in claimants
        }
        acts = [ox.NamedNode(act) for act in members]
        slug = f"order-{_local(members[0])}"
        derivation.conflict("OrderCycle", slug, acts, [accounts[iri] for iri in sorted(accounts)])
    for act in sorted(edges):
        for target in sorted(edges[act]):
            if act not in component_of or component_of.get(target) != component_of[act]:
                derivation.add(ox.NamedNode(act), tkg("happenedAfter"), ox.NamedNode(target))


def _cycles(edges: dict[str, dict[str, list[Account]]]) -> list[set[str]]:
    """The strongly connected components with a cycle (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    nodes = sorted(set(edges) | {target for targets in edges.values() for target in targets})
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, {}))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(edges.get(successor, {})))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges.get(node, {}):
                    found.append(component)
    return found


def reconcile_into(store: ox.Store) -> int:
    """Replace the reconciled graph of `store` with the view derived from its asserted graphs; its size."""
    return replace_graph(store, RECONCILED, derive(store))


def reconciled_graph(graphs: Iterable[Graph]) -> Graph:
    """The reconciled graph of rdflib graphs (the reference build's inputs)."""
    return derive_from_graphs(graphs, derive, RECONCILED, f"{ID}work/derive/")


def reconciled_change(
    store: ox.Store,
    without: str | None = None,
    extra: Iterable[ox.Triple] = (),
    acts: Collection[ox.NamedNode] | None = None,
) -> tuple[set[ox.Quad], set[ox.Quad]]:
    """The reconciled graph's quads to remove and to add when the asserted graph `without` leaves `store` and
    the triples `extra` join it (a source removed, a sheet added); the store is only read.

    With `acts`, only those acts are derived again, and only the reconciled quads that are theirs change:
    the caller names every act the change can alter, closed under claimed order (refresh.touched_acts), as
    an act's reconciled triples depend on its own accounts and order component alone.
    """
    graphs = [
        graph
        for graph in source_graphs(store)
        if not (isinstance(graph, ox.NamedNode) and graph.value == without)
    ]
    query = (QUERIES / "account-closure.rq").read_text(encoding="utf-8")
    scratch, work = ox.Store(), ox.NamedNode(ID + "work/derive")
    # One query per act, the act substituted before evaluation: index lookups from it (a VALUES list is
    # joined after the query's union of parts is evaluated for every account).
    bindings: list[dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] | None] = (
        [None] if acts is None else [{ox.Variable("act"): act} for act in sorted(acts, key=lambda a: a.value)]
    )
    for bound in bindings:
        closure = store.query(query, default_graph=graphs, substitutions=bound)
        scratch.extend(ox.Quad(t.subject, t.predicate, t.object, work) for t in closure)  # type: ignore[union-attr]  # a CONSTRUCT answers triples
    extra = list(extra)
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object, work) for t in extra)
    # The acts the new accounts are about may state a reconciled property themselves (the closure has only
    # the acts that had accounts).
    joining = {
        t.object for t in extra if t.predicate == tkg("accountOf") and isinstance(t.object, ox.NamedNode)
    }
    for act in joining:
        for name in ("epistemicStatus", "timeSpan", "agent", "speaker", "actingMember"):
            for quad in store.quads_for_pattern(act, tkg(name), None):
                if quad.graph_name in graphs:
                    scratch.add(ox.Quad(quad.subject, quad.predicate, quad.object, work))
    new = {ox.Quad(t.subject, t.predicate, t.object, RECONCILED) for t in derive(scratch, [work])}
    if acts is None:
        old = set(store.quads_for_pattern(None, None, None, RECONCILED))
        return old - new, new - old
    old = _owned(store, set(acts))
    return old - new, {quad for quad in new - old if quad not in store}


def _owned(store: ox.Store, acts: set[ox.NamedNode]) -> set[ox.Quad]:
    """The reconciled quads that are the derivation of `acts`: theirs, their conflicts', and those of the
    time spans minted for them that no other act's reconciled span is."""
    owned: set[ox.Quad] = set()
    spans: set[ox.NamedNode | ox.BlankNode] = set()
    for act in acts:
        for quad in store.quads_for_pattern(act, None, None, RECONCILED):
            owned.add(quad)
            if quad.predicate == tkg("timeSpan") and isinstance(quad.object, ox.NamedNode | ox.BlankNode):
                spans.add(quad.object)
        for about in store.quads_for_pattern(None, tkg("conflictAbout"), act, RECONCILED):
            owned.update(store.quads_for_pattern(about.subject, None, None, RECONCILED))
    for span in spans:
        users = {quad.subject for quad in store.quads_for_pattern(None, tkg("timeSpan"), span, RECONCILED)}
        if users <= acts:
            owned.update(store.quads_for_pattern(span, None, None, RECONCILED))
    return owned
