"""The vocabulary synthetic stories are told in: declaring entities, events, propositions and time spans."""

from __future__ import annotations

import calendar
import random
from collections.abc import Sequence

from treatykg.core.iris import TKG
from treatykg.graph.synthetic.article import Article, Row, english, ref, typed
from treatykg.graph.synthetic.world import Thing, World

TIME = "http://www.w3.org/2006/time#"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
REPORTED, ATTRIBUTED, HYPOTHETICAL = (
    ref(TKG + name) for name in ("ReportedBySource", "AttributedToSpeaker", "Hypothetical")
)
MINISTRY, PRESIDENCY = "Ministry of Foreign Affairs", "Presidential Office"
LEAD_ACTS = [
    ("Withdrawal", "has formally withdrawn from", "withdraws from", "withdrawal"),
    (
        "SuspensionOfParticipation",
        "has suspended its participation in",
        "suspends its participation in",
        "suspension",
    ),
    ("Denunciation", "has formally denounced", "denounces", "denunciation"),
]
BOILERPLATE = [
    "Find More International News Here",
    "Read More Synthetic News",
    "Subscribe for Daily Briefings",
]


def tkg(name: str) -> str:
    """A TreatyKG ontology term."""
    return TKG + name


# What a source says about an act goes on its account, as the sheet compiler writes it (in its order); an
# order the source claims is tkg:claimsAfter there, and the reconciled view derives tkg:happenedAfter.
ACCOUNT_TERMS = {
    tkg(name): tkg(name) for name in ("epistemicStatus", "accordingTo", "timeSpan", "temporalQualifier")
} | {tkg("happenedAfter"): tkg("claimsAfter")}
ACCOUNT_ORDER = {
    tkg(name): number
    for number, name in enumerate(
        ("epistemicStatus", "accordingTo", "timeSpan", "temporalQualifier", "claimsAfter")
    )
}


class Facts:
    """An article being told about the world: a state acting on a treaty, and how its facts are written."""

    def __init__(self, article: Article, world: World, rng: random.Random):
        self.art, self.world, self.rng = article, world, rng
        self.state = world.pick("state")
        self.treaty = world.pick("treaty")
        self.alliance = world.pick("alliance")
        self.ministry = world.body(self.state, MINISTRY)
        self.act_word = "withdrawal"
        self.act = ""

    def iri(self, thing: Thing) -> str:
        """The IRI of a world entity."""
        return self.art.base + thing.path

    def declare(
        self, thing: Thing, cls: str, row: Row, span: str, props: Sequence[tuple[str, str]] = ()
    ) -> str:
        """Introduce `thing` with its provenance the first time any article mentions it; its IRI."""
        iri = self.iri(thing)
        if not thing.declared:
            alt = [(SKOS_ALT, english(thing.short))] if thing.short else []
            self.art.fact(iri, cls, thing.name, [self.art.span(row, span)], alt + list(props))
            thing.declared = True
        return iri

    def event(
        self, cls: str, label: str, row: Row, span: str, status: str, props: list[tuple[str, str]]
    ) -> str:
        """A new act of this article and the article's account of it, split as the sheet compiler splits
        them; attributed acts must name whose word they rest on in `props`."""
        iri = self.art.id("event", cls.lower())
        told = [(tkg("epistemicStatus"), status)]
        told += [(ACCOUNT_TERMS[p], o) for p, o in props if p in ACCOUNT_TERMS]
        self.art.act(iri, cls, label, [(p, o) for p, o in props if p not in ACCOUNT_TERMS])
        self.art.account(iri, [self.art.span(row, span)], sorted(told, key=lambda po: ACCOUNT_ORDER[po[0]]))
        return iri

    def account(self, act: str) -> str:
        """The IRI of this article's account of one of its acts."""
        return f"{act}/account/{self.art.slug}"

    def proposition(self, label: str, row: Row, span: str, props: list[tuple[str, str]]) -> str:
        """A new proposition (what a speaker says), anchored to its words."""
        iri = self.art.id("proposition", "content")
        self.art.fact(iri, "Proposition", label, [self.art.span(row, span)], props)
        return iri

    def time(self, year: int, month: int | None = None, day: int | None = None) -> str:
        """The time span of a year, month or day at that precision, declared the first time it is used."""
        if day:
            path, label, unit = (
                f"{year:04d}-{month:02d}-{day:02d}",
                f"{day} {calendar.month_name[month]} {year}",  # type: ignore[index]  # a day has its month
                "Day",
            )
            first, last = (year, month, day), (year, month, day)
        elif month:
            path, label, unit = f"{year:04d}-{month:02d}", f"{calendar.month_name[month]} {year}", "Month"
            first, last = (year, month, 1), (year, month, calendar.monthrange(year, month)[1])
        else:
            path, label, unit = f"{year:04d}", str(year), "Year"
            first, last = (year, 1, 1), (year, 12, 31)
        iri = f"{self.art.base}id/time/{path}"
        if path not in self.world.shared:
            self.world.shared.add(path)
            add = self.art.add
            add(iri, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ref(tkg("TimeSpan")))
            add(iri, "http://www.w3.org/2000/01/rdf-schema#label", english(label))
            add(iri, tkg("earliest"), typed("{:04d}-{:02d}-{:02d}T00:00:00Z".format(*first), "dateTime"))
            add(iri, tkg("latest"), typed("{:04d}-{:02d}-{:02d}T23:59:59Z".format(*last), "dateTime"))
            add(iri, tkg("precision"), ref(TIME + "unit" + unit))
        return iri

    def role(self, slug: str, label: str) -> str:
        """A role (spokesperson, member state), declared once for the whole dataset."""
        iri = f"{self.art.base}id/role/{slug}"
        if "role:" + slug not in self.world.shared:
            self.world.shared.add("role:" + slug)
            self.art.add(iri, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ref(tkg("Role")))
            self.art.add(iri, "http://www.w3.org/2000/01/rdf-schema#label", english(label))
        return iri

    def body(self, body: Thing, row: Row, span: str, state_span: str) -> str:
        """A government body named with its state ("Ministry of Foreign Affairs of X"), declared if new."""
        state = body.parts["state"]
        self.declare(state, "State", row, state_span)
        return self.declare(body, "GovernmentBody", row, span, [(tkg("governmentOf"), ref(self.iri(state)))])
