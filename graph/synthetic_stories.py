"""The sentences a synthetic article is made of, each with the facts it states, shaped like the seed article."""

from __future__ import annotations

import calendar
import random
from collections.abc import Callable

from treatykg.graph.synthetic_article import Article, Row, english, ref, string, typed
from treatykg.graph.synthetic_world import Thing, World
from treatykg.iris import TKG

TIME = "http://www.w3.org/2006/time#"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
REPORTED, ATTRIBUTED, HYPOTHETICAL = (ref(TKG + name) for name in ("ReportedByArticle", "AttributedToSpeaker",
                                                                    "Hypothetical"))
MINISTRY, PRESIDENCY = "Ministry of Foreign Affairs", "Presidential Office"
LEAD_ACTS = [("Withdrawal", "has formally withdrawn from", "withdraws from", "withdrawal"),
             ("SuspensionOfParticipation", "has suspended its participation in", "suspends its participation in",
              "suspension"),
             ("Denunciation", "has formally denounced", "denounces", "denunciation")]
BOILERPLATE = ["Find More International News Here", "Read More Synthetic News", "Subscribe for Daily Briefings"]


def tkg(name: str) -> str:
    """A TreatyKG ontology term."""
    return TKG + name


class Story:
    """One article's plot: a state acting on a treaty, with the reactions and background around it."""

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

    def declare(self, thing: Thing, cls: str, row: Row, span: str, props: list[tuple[str, str]] = ()) -> str:
        """Introduce `thing` with its provenance the first time any article mentions it; its IRI."""
        iri = self.iri(thing)
        if not thing.declared:
            alt = [(SKOS_ALT, english(thing.short))] if thing.short else []
            self.art.fact(iri, cls, thing.name, [self.art.span(row, span)], alt + list(props))
            thing.declared = True
        return iri

    def event(self, cls: str, label: str, row: Row, span: str, status: str, props: list[tuple[str, str]]) -> str:
        """A new event of this article; attributed events must name whose word they rest on in `props`."""
        iri = self.art.id("event", cls.lower())
        self.art.fact(iri, cls, label, [self.art.span(row, span)], [(tkg("epistemicStatus"), status), *props])
        return iri

    def proposition(self, label: str, row: Row, span: str, props: list[tuple[str, str]]) -> str:
        """A new proposition (what a speaker says), anchored to its words."""
        iri = self.art.id("proposition", "content")
        self.art.fact(iri, "Proposition", label, [self.art.span(row, span)], props)
        return iri

    def time(self, year: int, month: int | None = None, day: int | None = None) -> str:
        """The time span of a year, month or day at that precision, declared the first time it is used."""
        if day:
            path, label, unit = f"{year:04d}-{month:02d}-{day:02d}", f"{day} {calendar.month_name[month]} {year}", "Day"
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
            add(iri, tkg("earliest"), typed("%04d-%02d-%02dT00:00:00Z" % first, "dateTime"))
            add(iri, tkg("latest"), typed("%04d-%02d-%02dT23:59:59Z" % last, "dateTime"))
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

    # The lead paragraph ---------------------------------------------------------------------------------------

    def lead(self) -> None:
        """The main act and the reason its agent gives, then (often) what it follows."""
        p, t, a = self.state, self.treaty, self.alliance
        cls, perfect, present, self.act_word = self.rng.choice(LEAD_ACTS)
        row = self.art.lead(f"[lead:[p:{p.name}] {perfect} the [t:{t.name} ({t.short})]], [cite:citing [reason:"
                            f"[enl:[a:{a.short}]’s expansion] as a barrier to cooperation]].")
        state, treaty = ref(self.declare(p, "State", row, "p")), ref(self.declare(t, "Treaty", row, "t"))
        alliance = ref(self.declare(a, "Alliance", row, "a"))
        enlargement = self.event("AllianceEnlargement", f"{a.short}’s expansion", row, "enl", ATTRIBUTED,
                                 [(tkg("accordingTo"), state), (tkg("agent"), alliance)])
        reason = self.proposition(f"{a.short}’s expansion is a barrier to cooperation", row, "reason",
                                  [(tkg("describes"), ref(enlargement)), (tkg("about"), alliance)])
        order = [(tkg("happenedAfter"), ref(self.world.last_act[t.slug]))] if t.slug in self.world.last_act else []
        self.act = self.event(cls, f"{p.name} {present} the {t.short}", row, "lead", REPORTED,
                              [(tkg("agent"), state), (tkg("treaty"), treaty),
                               (tkg("statedReason"), ref(reason)), *order])
        self.world.last_act[t.slug] = self.act
        self.event("Argument", f"{p.name} cites {a.short}’s expansion as a barrier to cooperation", row, "cite",
                   REPORTED, [(tkg("speaker"), state), (tkg("content"), ref(reason)), (tkg("about"), ref(self.act))])
        if self.rng.random() < 0.7:
            self.follows()

    def follows(self) -> None:
        """What the main act follows: a revocation of another treaty and an undated missile test."""
        p, other = self.state, self.world.pick("treaty", avoid=(self.treaty,))
        row = self.art.lead(f"The move follows [rev:[p:{p.name}]’s recent revocation of the [t:{other.name} "
                            f"({other.short})]] and [msl:a test launch of an intercontinental ballistic missile].")
        treaty = self.declare(other, "Treaty", row, "t")
        revocation = self.event("RevocationOfRatification", f"{p.name} revokes its ratification of the {other.short}",
                                row, "rev", REPORTED, [(tkg("agent"), ref(self.iri(p))), (tkg("treaty"), ref(treaty)),
                                                       (tkg("temporalQualifier"), string("recent"))])
        launch = self.event("MissileTestLaunch", "Test launch of an intercontinental ballistic missile", row, "msl",
                            REPORTED, [])
        for earlier in (revocation, launch):
            self.art.add(self.act, tkg("happenedAfter"), ref(earlier))

    # Sections: a heading, then sentences ----------------------------------------------------------------------

    def sections(self) -> list[tuple[Callable[[], None], list[Callable[[], None]]]]:
        """The article's sections in the order it tells them, each a heading and its sentences."""
        chosen = [
            (self.background_heading, [self.signing, self.reluctance]),
            (self.perspective_heading, [self.declaration, self.argument]),
            (self.claims_heading, [self.accusation, self.invasion, self.linkage]),
            (self.relic_heading, [self.obsolete, self.failure_to_ratify]),
            (self.crisis_heading, [self.characterization, self.condemnation]),
            (self.members_heading, [self.membership, self.missile_test]),
        ]
        self.rng.shuffle(chosen)
        return chosen

    def background_heading(self) -> None:
        self.art.heading(f"Background: The {self.treaty.short} Treaty")

    def signing(self) -> None:
        """When the treaty was signed, after what, and what it aimed at (told once per treaty)."""
        t = self.treaty
        if t.slug in self.world.signed:
            return self.reluctance()
        self.world.signed.add(t.slug)
        year = t.parts["signed"] = self.rng.randint(1960, 2005)
        first, second = self.world.aims()
        row = self.art.bullet(f"[sig:Signed in {year} after [h:{self.world.historic_event()}]], the {t.short} aimed "
                              f"to [aim1:{first}] and [aim2:{second}].")
        words = self.art.text[slice(*row.offsets["h"])]
        turning_point = self.event("HistoricalEvent", words[0].upper() + words[1:], row, "h", REPORTED, [])
        self.event("Signing", f"Signing of the {t.name}", row, "sig", REPORTED,
                   [(tkg("treaty"), ref(self.iri(t))), (tkg("timeSpan"), ref(self.time(year))),
                    (tkg("happenedAfter"), ref(turning_point))])
        for number, aim in enumerate((first, second), 1):
            iri = f"{self.art.base}id/aim/{t.slug}-{number}"
            self.art.fact(iri, "TreatyAim", aim, [self.art.span(row, f"aim{number}")], [(tkg("about"), ref(self.iri(t)))])
            self.art.add(self.iri(t), tkg("aim"), ref(iri))

    def reluctance(self) -> None:
        """A state's advantage at the time of signing and its reluctance: situations, not acts."""
        s = self.world.pick("state", avoid=(self.state,))
        row = self.art.bullet(f"[sit:[s:{s.name}], holding an advantage in conventional weaponry at the time], was "
                              f"[rel:initially reluctant to embrace the pact].")
        state = ref(self.declare(s, "State", row, "s"))
        when = [(tkg("timeSpan"), ref(self.time(self.treaty.parts["signed"])))] if "signed" in self.treaty.parts else []
        self.event("Situation", f"{s.name} holds an advantage in conventional weaponry", row, "sit", REPORTED,
                   [(tkg("agent"), state), (tkg("temporalQualifier"), string("at the time")), *when])
        self.event("Situation", f"{s.name} initially reluctant to embrace the {self.treaty.short}", row, "rel",
                   REPORTED, [(tkg("agent"), state), (tkg("about"), ref(self.iri(self.treaty))),
                              (tkg("temporalQualifier"), string("initially"))])

    def perspective_heading(self) -> None:
        self.art.heading(f"{self.state.name}’s Perspective on the {self.treaty.short}")

    def declaration(self) -> None:
        """The ministry declares the treaty "history" and states why."""
        p, t = self.state, self.treaty
        row = self.art.bullet(f"[dec:[b:{MINISTRY} of [bs:{p.name}]] declared [hist:the {t.short} “history,”]] "
                              f"[st:stating that [c:the treaty did not align with {p.name}’s interests]].")
        body, treaty = ref(self.body(self.ministry, row, "b", "bs")), ref(self.iri(t))
        history = self.proposition(f"The {t.short} is “history”", row, "hist", [(tkg("about"), treaty)])
        self.event("Declaration", f"{self.ministry.name} declares the {t.short} “history”", row, "dec", REPORTED,
                   [(tkg("speaker"), body), (tkg("target"), treaty), (tkg("content"), ref(history))])
        misaligned = self.proposition(f"The {t.short} does not align with {p.name}’s interests", row, "c",
                                      [(tkg("about"), treaty), (tkg("about"), ref(self.iri(p)))])
        self.event("Assertion", f"{self.ministry.name} states the {t.short} does not serve {p.name}", row, "st",
                   REPORTED, [(tkg("speaker"), body), (tkg("content"), ref(misaligned))])

    def argument(self) -> None:
        """The ministry argues that the alliance's members bypassed the treaty (their act is only claimed)."""
        p, a, group = self.state, self.alliance, self.world.countries(self.alliance)
        row = self.art.bullet(f"[arg:[b:{MINISTRY} of [bs:{p.name}]] argued that [c:[nc:[g:[a:{a.short}] countries] had been "
                              f"bypassing restrictions] as the alliance expanded]], rendering the pact irrelevant.")
        body = ref(self.body(self.ministry, row, "b", "bs"))
        self.declare(a, "Alliance", row, "a")
        countries = ref(self.declare(group, "AgentGroup", row, "g", [(tkg("about"), ref(self.iri(a)))]))
        bypassing = self.event("NonCompliance", f"{group.name} bypass the {self.treaty.short}’s restrictions", row,
                               "nc", ATTRIBUTED, [(tkg("accordingTo"), body), (tkg("agent"), countries),
                                                  (tkg("treaty"), ref(self.iri(self.treaty)))])
        claim = self.proposition(f"{group.name} had been bypassing the {self.treaty.short}’s restrictions", row, "c",
                                 [(tkg("describes"), ref(bypassing))])
        self.event("Argument", f"{self.ministry.name} argues {group.name} bypassed restrictions", row, "arg",
                   REPORTED, [(tkg("speaker"), body), (tkg("content"), ref(claim))])

    def claims_heading(self) -> None:
        self.art.heading(f"{self.alliance.short}’s Claims and {self.state.name}’s Actions")

    def accusation(self) -> None:
        """The alliance accuses the state, citing two earlier acts as evidence (cited, so attributed)."""
        p, a, t = self.state, self.alliance, self.treaty
        suspended = self.rng.randint(1995, 2012)
        withdrew = suspended + self.rng.randint(2, 9)
        row = self.art.bullet(f"[acc:[a:{a.short}] accused {p.name} of [nc:non-compliance with the {t.short}]] for "
                              f"years, pointing to [sus:{p.name}’s suspension of participation in {suspended}] and "
                              f"[cw:complete withdrawal in {withdrew}].")
        alliance, state, treaty = ref(self.declare(a, "Alliance", row, "a")), ref(self.iri(p)), ref(self.iri(t))
        cited = [(tkg("accordingTo"), alliance), (tkg("agent"), state), (tkg("treaty"), treaty)]
        non_compliance = self.event("NonCompliance", f"{p.name}’s non-compliance with the {t.short}", row, "nc",
                                    ATTRIBUTED, [*cited, (tkg("temporalQualifier"), string("for years"))])
        claim = self.proposition(f"{p.name} has not complied with the {t.short} for years", row, "nc",
                                 [(tkg("describes"), ref(non_compliance))])
        evidence = [
            self.event("SuspensionOfParticipation", f"{p.name} suspends its participation in the {t.short} "
                       f"({suspended})", row, "sus", ATTRIBUTED, [*cited, (tkg("timeSpan"), ref(self.time(suspended)))]),
            self.event("Withdrawal", f"{p.name}’s “complete withdrawal” from the {t.short} ({withdrew})", row, "cw",
                       ATTRIBUTED, [*cited, (tkg("timeSpan"), ref(self.time(withdrew)))]),
        ]
        self.event("Accusation", f"{a.short} accuses {p.name} of non-compliance with the {t.short}", row, "acc",
                   REPORTED, [(tkg("speaker"), alliance), (tkg("target"), state), (tkg("content"), ref(claim)),
                              *((tkg("evidence"), ref(e)) for e in evidence)])

    def invasion(self) -> None:
        """An invasion, then a denunciation dated to the month or the day, ordered after it."""
        p, t = self.state, self.treaty
        (victim,) = self.world.states(1, avoid=(p,))
        year = self.rng.randint(2000, 2022)
        month, day = self.rng.randint(1, 12), self.rng.choice([None, self.rng.randint(1, 28)])
        when = f"on {day} {calendar.month_name[month]} {year + 1}" if day else f"in {calendar.month_name[month]} {year + 1}"
        row = self.art.bullet(f"{p.name}, after [inv:a full-scale invasion of [v:{victim.name}] in {year}], "
                              f"[den:officially denounced the {t.short} {when}].")
        target = ref(self.declare(victim, "State", row, "v"))
        invasion = self.event("Invasion", f"{p.name}’s full-scale invasion of {victim.name} ({year})", row, "inv",
                              REPORTED, [(tkg("agent"), ref(self.iri(p))), (tkg("target"), target),
                                         (tkg("place"), target), (tkg("timeSpan"), ref(self.time(year)))])
        self.event("Denunciation", f"{p.name} officially denounces the {t.short} ({when[3:]})", row, "den", REPORTED,
                   [(tkg("agent"), ref(self.iri(p))), (tkg("treaty"), ref(self.iri(t))),
                    (tkg("timeSpan"), ref(self.time(year + 1, month, day))), (tkg("happenedAfter"), ref(invasion))])

    def linkage(self) -> None:
        """A group links ratifying a treaty version to a troop withdrawal (both hypothetical); the state contests."""
        p, t = self.state, self.treaty
        leader, first, second = self.world.states(3, avoid=(p,))
        group, version = self.world.group(leader), self.world.version(t, self.rng.randint(1995, 2010))
        row = self.art.bullet(
            f"[lnk:[g:The [x:{leader.name}] and its allies] had linked [cond:[rat:ratification of [tv:the adapted "
            f"{version.parts['year']} {t.short}]] to [tw:{p.name}’s withdrawal of troops from [s1:{first.name}] and "
            f"[s2:{second.name}]]]], [con:a linkage {p.name} contested].")
        self.declare(leader, "State", row, "x")
        allies = ref(self.declare(group, "AgentGroup", row, "g", [(tkg("includesAgent"), ref(self.iri(leader)))]))
        places = [(tkg("place"), ref(self.declare(s, "State", row, n))) for s, n in ((first, "s1"), (second, "s2"))]
        adapted = ref(self.declare(version, "TreatyVersion", row, "tv", [
            (tkg("versionOf"), ref(self.iri(t))), (tkg("timeSpan"), ref(self.time(version.parts["year"])))]))
        ratification = self.event("Ratification", f"Ratification of the {version.short} (linked, hypothetical)", row,
                                  "rat", HYPOTHETICAL, [(tkg("treaty"), adapted)])
        pullout = self.event("TroopWithdrawal", f"{p.name}’s troop withdrawal (condition, hypothetical)", row, "tw",
                             HYPOTHETICAL, [(tkg("agent"), ref(self.iri(p))), *places])
        condition = self.proposition(f"Ratifying the {version.short} depends on {p.name} withdrawing its troops", row,
                                     "cond", [(tkg("describes"), ref(ratification)), (tkg("describes"), ref(pullout))])
        linkage = self.event("Linkage", f"{group.name} link ratifying the {version.short} to a troop withdrawal", row,
                             "lnk", REPORTED, [(tkg("speaker"), allies), (tkg("content"), ref(condition)),
                                               (tkg("linkedAct"), ref(ratification)),
                                               (tkg("linkedCondition"), ref(pullout))])
        disputed = self.proposition("The linkage is disputed", row, "con", [(tkg("about"), ref(linkage))])
        self.event("Contestation", f"{p.name} contests the linkage", row, "con", REPORTED,
                   [(tkg("speaker"), ref(self.iri(p))), (tkg("target"), ref(linkage)), (tkg("content"), ref(disputed))])

    def relic_heading(self) -> None:
        """A heading that states something: the treaty as a relic of a period (a situation, in the article's voice)."""
        period = self.world.pick("period")
        self.period = period
        row = self.art.heading(f"[h:{self.treaty.short} Treaty: A Relic of the [per:{period.name}]]")
        about = ref(self.declare(period, "HistoricalPeriod", row, "per"))
        self.event("Situation", f"The {self.treaty.short} as a relic of the {period.name}", row, "h", REPORTED,
                   [(tkg("about"), ref(self.iri(self.treaty))), (tkg("about"), about)])

    def obsolete(self) -> None:
        """The ministry argues the treaty no longer serves its purpose."""
        t, period = self.treaty, self.period
        row = self.art.bullet(f"[arg:The [b:{MINISTRY} of [bs:{self.state.name}]] argued that [c:the {t.short} "
                              f"Treaty, conceived at the end of the {period.name}, no longer served its purpose]].")
        body = ref(self.body(self.ministry, row, "b", "bs"))
        claim = self.proposition(f"The {t.short} no longer serves its purpose", row, "c",
                                 [(tkg("about"), ref(self.iri(t))), (tkg("about"), ref(self.iri(period)))])
        self.event("Argument", f"{self.ministry.name} argues the {t.short} no longer serves its purpose", row, "arg",
                   REPORTED, [(tkg("speaker"), body), (tkg("content"), ref(claim))])

    def failure_to_ratify(self) -> None:
        """The ministry notes that a group failed to ratify the treaty's version (claimed, so attributed)."""
        t = self.treaty
        (leader,) = self.world.states(1, avoid=(self.state,))
        group, version = self.world.group(leader), self.world.version(t, self.rng.randint(1995, 2010))
        row = self.art.bullet(f"[nt:They noted that [ftr:[g:the [x:{leader.name}] and its allies] failed to ratify "
                              f"[tv:an updated version of the accord]] in {version.parts['year']}], further "
                              f"diminishing the treaty’s relevance.")
        self.declare(leader, "State", row, "x")
        allies = ref(self.declare(group, "AgentGroup", row, "g", [(tkg("includesAgent"), ref(self.iri(leader)))]))
        adapted = ref(self.declare(version, "TreatyVersion", row, "tv", [
            (tkg("versionOf"), ref(self.iri(t))), (tkg("timeSpan"), ref(self.time(version.parts["year"])))]))
        body = ref(self.iri(self.ministry))
        failure = self.event("FailureToRatify", f"{group.name} fail to ratify the {version.short}", row, "ftr",
                             ATTRIBUTED, [(tkg("accordingTo"), body), (tkg("agent"), allies), (tkg("treaty"), adapted)])
        claim = self.proposition(f"{group.name} failed to ratify the {version.short}", row, "ftr",
                                 [(tkg("describes"), ref(failure))])
        self.event("Assertion", f"{self.ministry.name} notes the failure to ratify the {version.short}", row, "nt",
                   REPORTED, [(tkg("speaker"), body), (tkg("content"), ref(claim))])

    def crisis_heading(self) -> None:
        """A heading that states a crisis in the relations of two states."""
        (self.other,) = self.world.states(1, avoid=(self.state,))
        relation = self.world.relation(self.other, self.state)
        row = self.art.heading(f"[h:[rel:[o:{self.other.name}]–{self.state.name} Relations] in Crisis]")
        self.declare(self.other, "State", row, "o")
        self.relation = ref(self.declare(relation, "BilateralRelation", row, "rel",
                                         [(tkg("party"), ref(self.iri(s))) for s in relation.parts["parties"]]))
        self.event("Situation", f"{relation.name} in crisis", row, "h", REPORTED, [(tkg("about"), self.relation)])

    def characterization(self) -> None:
        """A spokesperson (a post in the presidential office) characterises the relations and blames a war."""
        p = self.state
        office = self.world.body(p, PRESIDENCY)
        post = self.world.spokesperson(office)
        (war_place,) = self.world.states(1, avoid=(p,))
        row = self.art.bullet(f"[chr:[pp:[pn:{post.parts['person'].name}], spokesperson of the [b:{PRESIDENCY} of "
                              f"[bs:{p.name}]]], characterized [bz:relations with {self.other.name} as “below zero,”]] "
                              f"[emph:emphasizing [c:the deepening crisis triggered by [war:the war in "
                              f"[v:{war_place.name}]]]].")
        body = self.body(office, row, "b", "bs")
        person = ref(self.declare(post.parts["person"], "Person", row, "pn"))
        self.declare(post, "Post", row, "pp", [(tkg("postIn"), ref(body)), (tkg("heldBy"), person),
                                               (tkg("role"), ref(self.role("spokesperson", "spokesperson")))])
        place = ref(self.declare(war_place, "State", row, "v"))
        war = self.event("ArmedConflict", f"War in {war_place.name}", row, "war", ATTRIBUTED,
                         [(tkg("accordingTo"), person), (tkg("place"), place)])
        below_zero = self.proposition(f"Relations with {self.other.name} are “below zero”", row, "bz",
                                      [(tkg("about"), self.relation)])
        self.event("Characterization", f"{post.parts['person'].name} characterizes relations as “below zero”", row,
                   "chr", REPORTED, [(tkg("speaker"), person), (tkg("target"), self.relation),
                                    (tkg("content"), ref(below_zero))])
        crisis = self.proposition("The crisis is deepening, triggered by a war", row, "c",
                                  [(tkg("describes"), ref(war)), (tkg("about"), self.relation)])
        self.event("Assertion", f"{post.parts['person'].name} emphasizes the deepening crisis", row, "emph",
                   REPORTED, [(tkg("speaker"), person), (tkg("content"), ref(crisis))])

    def condemnation(self) -> None:
        """The alliance condemns the main act and says what it undermined."""
        a, p = self.alliance, self.state
        row = self.art.bullet(f"[cnd:[a:{a.short}] condemned [cw:{p.name}’s {self.treaty.short} {self.act_word}]], "
                              f"[as:asserting that [c:it undermined regional security]].")
        alliance, act = ref(self.declare(a, "Alliance", row, "a")), ref(self.act)
        condemnable = self.proposition(f"{p.name}’s {self.act_word} deserves condemnation", row, "cw",
                                       [(tkg("about"), act)])
        self.event("Condemnation", f"{a.short} condemns {p.name}’s {self.act_word}", row, "cnd", REPORTED,
                   [(tkg("speaker"), alliance), (tkg("target"), act), (tkg("content"), ref(condemnable))])
        undermined = self.proposition(f"{p.name}’s {self.act_word} undermined regional security", row, "c",
                                      [(tkg("about"), act)])
        self.event("Assertion", f"{a.short} asserts the {self.act_word} undermined security", row, "as", REPORTED,
                   [(tkg("speaker"), alliance), (tkg("content"), ref(undermined))])

    def members_heading(self) -> None:
        self.art.heading(f"{self.alliance.short} and Its Members")

    def membership(self) -> None:
        """A state's membership in the alliance during a year (an n-ary ORG membership), and an enlargement."""
        a = self.alliance
        member, admitted = self.world.states(2)
        year = self.rng.randint(1950, 2023)
        membership = self.world.membership(member, a, year)
        if membership is None:
            return self.missile_test()
        row = self.art.bullet(f"[m:[s:{member.name}] was a member of [a:{a.short}] in {year}], the year "
                              f"[enl:the alliance admitted [s2:{admitted.name}]].")
        alliance = ref(self.declare(a, "Alliance", row, "a"))
        state = ref(self.declare(member, "State", row, "s"))
        joined = ref(self.declare(admitted, "State", row, "s2"))
        when = ref(self.time(year))
        self.art.fact(self.iri(membership), "Membership", membership.name, [self.art.span(row, "m")],
                      [(tkg("member"), state), (tkg("organization"), alliance), (tkg("memberDuring"), when),
                       (tkg("role"), ref(self.role("member-state", "member state")))])
        self.event("AllianceEnlargement", f"{a.short} admits {admitted.name} ({year})", row, "enl", REPORTED,
                   [(tkg("agent"), alliance), (tkg("about"), joined), (tkg("timeSpan"), when)])

    def missile_test(self) -> None:
        """A missile test dated to the day, on the state's own territory."""
        p = self.state
        year, month, day = self.rng.randint(2000, 2024), self.rng.randint(1, 12), self.rng.randint(1, 28)
        row = self.art.bullet(f"[msl:On {day} {calendar.month_name[month]} {year}, [p:{p.name}] test-launched an "
                              f"intercontinental ballistic missile from its own territory].")
        state = ref(self.declare(p, "State", row, "p"))
        self.event("MissileTestLaunch", f"{p.name} test-launches a missile ({day} {calendar.month_name[month]} "
                   f"{year})", row, "msl", REPORTED, [(tkg("agent"), state), (tkg("place"), state),
                                                      (tkg("timeSpan"), ref(self.time(year, month, day)))])

    def close(self) -> None:
        """The page's closing navigation line (boilerplate: no fact is drawn from it)."""
        self.art.boilerplate(self.rng.choice(BOILERPLATE))
