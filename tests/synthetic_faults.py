"""Inject known SHACL violations into generated N-Triples, so validator comparisons are not vacuous: on the
acts, on the accounts that carry each source's voice, span, order claims and anchors, and on the rest."""

from __future__ import annotations

from collections import defaultdict

TKG = "https://w3id.org/treatykg/ontology#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
XSD = "http://www.w3.org/2001/XMLSchema#"
OUTSIDE = "<https://example.org/elsewhere/id/state/nowhere>"

# The constraint components the faults below must trigger (local names of sh:*ConstraintComponent).
EXPECTED_COMPONENTS = frozenset(
    {
        "MinCount",
        "MaxCount",
        "In",
        "Class",
        "LessThan",
        "LessThanOrEquals",
        "MinInclusive",
        "Datatype",
        "QualifiedMinCount",
        "UniqueLang",
        "Equals",
        "Pattern",
        "Or",
        "Node",
        "NodeKind",
        "Disjoint",
    }
)


def t(name: str) -> str:
    """A TreatyKG term in N-Triples syntax."""
    return f"<{TKG}{name}>"


class _Data:
    """N-Triples lines split into (subject, predicate, object) strings, editable by index."""

    def __init__(self, lines: list[str]):
        self.triples: list[tuple[str, str, str] | None] = [tuple(line[:-3].split(" ", 2)) for line in lines]
        self.added: list[tuple[str, str, str]] = []

    def find(self, predicate: str, obj: str | None = None, skip: int = 0) -> int:
        """The index of the skip-th triple with this predicate (and object)."""
        hits = [
            i
            for i, triple in enumerate(self.triples)
            if triple and triple[1] == predicate and (obj is None or triple[2] == obj)
        ]
        return hits[skip]

    def subjects(self, predicate: str, obj: str) -> list[str]:
        return [s for s, p, o in filter(None, self.triples) if p == predicate and o == obj]

    def values(self, subject: str, predicate: str) -> list[int]:
        return [
            i
            for i, triple in enumerate(self.triples)
            if triple and triple[0] == subject and triple[1] == predicate
        ]

    def set_object(self, index: int, obj: str) -> None:
        s, p, _ = self.triples[index]
        self.triples[index] = (s, p, obj)

    def remove(self, index: int) -> None:
        self.triples[index] = None

    def lines(self) -> list[str]:
        return [f"{s} {p} {o} .\n" for s, p, o in [*filter(None, self.triples), *self.added]]


def inject(lines: list[str]) -> list[str]:
    """The lines with one instance of each fault, each on a different node."""
    data = _Data(lines)
    by_type = defaultdict(list)
    for s, p, o in filter(None, data.triples):
        if p == RDF_TYPE:
            by_type[o].append(s)
    accounts = by_type[t("Account")]
    data.remove(data.values(accounts[0], t("epistemicStatus"))[0])  # MinCount: an account with no voice
    data.set_object(data.values(accounts[5], t("epistemicStatus"))[0], t("Situation"))  # In: not a voice
    for anchor in data.values(accounts[7], t("attestedBy")):
        data.remove(anchor)  # MinCount: an account (and so its act) with no anchor
    own_act = data.triples[data.values(accounts[8], t("accountOf"))[0]][2]
    data.added.append((accounts[8], t("claimsAfter"), own_act))  # Disjoint: an act after itself
    time_span = by_type[t("TimeSpan")][0]
    data.set_object(data.find(t("agent"), skip=3), time_span)  # Class: a time span as agent
    data.set_object(data.find(t("agent"), skip=7), '"Somewhere"')  # Class: a literal agent
    span = by_type[t("TextSpan")][4]
    start, end = data.values(span, t("start"))[0], data.values(span, t("end"))[0]
    start_value, end_value = data.triples[start][2], data.triples[end][2]
    data.set_object(start, end_value)  # LessThan: start = end
    data.set_object(end, start_value)
    data.set_object(
        data.values(by_type[t("TextSpan")][9], t("start"))[0], '"abc"'
    )  # Or, MinInclusive, LessThan
    sentence = by_type[t("Sentence")][2]
    data.set_object(data.values(sentence, t("position"))[0], f'"-3"^^<{XSD}integer>')  # MinInclusive
    data.set_object(
        data.values(by_type[t("Sentence")][4], t("position"))[0], f'"abc"^^<{XSD}integer>'
    )  # ill-typed
    exact = data.values(by_type[t("TextSpan")][12], t("exact"))[0]
    data.set_object(exact, data.triples[exact][2] + "@en")  # Datatype: lang-tagged quote
    state_label = data.values(by_type[t("State")][1], LABEL)[0]
    data.set_object(
        state_label, data.triples[state_label][2].removesuffix("@en")
    )  # QualifiedMinCount, Datatype
    aim_label = data.values(by_type[t("TreatyAim")][0], LABEL)[0]
    data.set_object(aim_label, data.triples[aim_label][2].removesuffix("@en") + "@fr")  # QualifiedMinCount
    event = by_type[t("Argument")][3]
    data.added.append((event, LABEL, '"A second English name"@en'))  # UniqueLang
    other_span = next(s for s in by_type[t("TextSpan")] if "article-000002/" in s)
    data.set_object(
        data.values(accounts[11], t("attestedBy"))[0],
        other_span,
    )  # Equals: an account anchored in another article
    spans = [s for s in by_type[t("TimeSpan")] if data.values(s, t("earliest"))]
    # LessThanOrEquals: reversed bounds on a span an account gives (the reconciled view reads it too)
    dated = {data.triples[i][2] for a in accounts for i in data.values(a, t("timeSpan"))}
    spans.insert(1, next(s for s in spans if s in dated))
    earliest, latest = data.values(spans[1], t("earliest"))[0], data.values(spans[1], t("latest"))[0]
    low, high = data.triples[earliest][2], data.triples[latest][2]
    data.set_object(earliest, high)  # LessThanOrEquals
    data.set_object(latest, low)
    data.set_object(data.values(spans[2], t("earliest"))[0], '"2020"')  # Datatype, LessThanOrEquals
    data.set_object(data.values(spans[3], t("precision"))[0], "<http://www.w3.org/2006/time#unitHour>")  # In
    data.added += [(OUTSIDE, RDF_TYPE, t("State")), (OUTSIDE, LABEL, '"Nowhere"@en')]  # Pattern
    attributed = data.subjects(t("epistemicStatus"), t("AttributedToSpeaker"))[0]
    data.remove(data.values(attributed, t("accordingTo"))[0])  # Or: an attributed account, no speaker
    linkage = by_type[t("Linkage")][0]
    linked = data.triples[data.values(linkage, t("linkedAct"))[0]][2]
    (told,) = data.subjects(t("accountOf"), linked)
    data.set_object(
        data.values(told, t("epistemicStatus"))[0], t("ReportedBySource")
    )  # Node: its account reports it, so the reconciled act is no longer hypothetical
    relation = by_type[t("BilateralRelation")][0]
    data.added.append((relation, t("party"), by_type[t("State")][5]))  # MaxCount: three parties
    digest = data.find(t("textSha256"), skip=1)
    data.set_object(digest, data.triples[digest][2].upper())  # Pattern: upper-case digest
    data.remove(data.values(by_type[t("GovernmentBody")][0], t("governmentOf"))[0])  # MinCount
    treaty_act = (by_type[t("Denunciation")] + by_type[t("Withdrawal")])[0]
    data.remove(data.values(treaty_act, t("treaty"))[0])  # MinCount: no treaty
    speech = by_type[t("Declaration")][0]
    data.remove(data.values(speech, t("content"))[0])  # MinCount: no content
    data.added += [
        ("_:anonymous", RDF_TYPE, t("State")),
        ("_:anonymous", LABEL, '"Anonymous"@en'),
    ]  # NodeKind
    return data.lines()
