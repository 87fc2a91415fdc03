"""The sentences a synthetic article is made of, each with the facts it states, like the seed article's."""

from __future__ import annotations

import calendar
from collections.abc import Callable

from treatykg.graph.synthetic.article import ref, string
from treatykg.graph.synthetic.facts import ATTRIBUTED, HYPOTHETICAL, LEAD_ACTS, MINISTRY, REPORTED, tkg
from treatykg.graph.synthetic.sections import LaterSections


class Story(LaterSections):
    """One article's plot: a state acting on a treaty, with the reactions and background around it."""

    # The lead paragraph

    def lead(self, follows: bool) -> None:
        """The main act and the reason its agent gives, then (if `follows`) what it follows."""
        p, t, a = self.state, self.treaty, self.alliance
        cls, perfect, present, self.act_word = self.rng.choice(LEAD_ACTS)
        row = self.art.lead(
            f"[lead:[p:{p.name}] {perfect} the [t:{t.name} ({t.short})]], [cite:citing [reason:"
            f"[enl:[a:{a.short}]’s expansion] as a barrier to cooperation]]."
        )
        state, treaty = ref(self.declare(p, "State", row, "p")), ref(self.declare(t, "Treaty", row, "t"))
        alliance = ref(self.declare(a, "Alliance", row, "a"))
        enlargement = self.event(
            "AllianceEnlargement",
            f"{a.short}’s expansion",
            row,
            "enl",
            ATTRIBUTED,
            [(tkg("accordingTo"), state), (tkg("agent"), alliance)],
        )
        reason = self.proposition(
            f"{a.short}’s expansion is a barrier to cooperation",
            row,
            "reason",
            [(tkg("describes"), ref(enlargement)), (tkg("about"), alliance)],
        )
        order = (
            [(tkg("happenedAfter"), ref(self.world.last_act[t.slug]))]
            if t.slug in self.world.last_act
            else []
        )
        self.act = self.event(
            cls,
            f"{p.name} {present} the {t.short}",
            row,
            "lead",
            REPORTED,
            [(tkg("agent"), state), (tkg("treaty"), treaty), (tkg("statedReason"), ref(reason)), *order],
        )
        self.world.last_act[t.slug] = self.act
        self.event(
            "Argument",
            f"{p.name} cites {a.short}’s expansion as a barrier to cooperation",
            row,
            "cite",
            REPORTED,
            [(tkg("speaker"), state), (tkg("content"), ref(reason)), (tkg("about"), ref(self.act))],
        )
        if follows:
            self.follows()

    def follows(self) -> None:
        """What the main act follows: a revocation of another treaty and an undated missile test."""
        p, other = self.state, self.world.pick("treaty", avoid=(self.treaty,))
        row = self.art.lead(
            f"The move follows [rev:[p:{p.name}]’s recent revocation of the [t:{other.name} "
            f"({other.short})]] and [msl:a test launch of an intercontinental ballistic missile]."
        )
        treaty = self.declare(other, "Treaty", row, "t")
        revocation = self.event(
            "RevocationOfRatification",
            f"{p.name} revokes its ratification of the {other.short}",
            row,
            "rev",
            REPORTED,
            [
                (tkg("agent"), ref(self.iri(p))),
                (tkg("treaty"), ref(treaty)),
                (tkg("temporalQualifier"), string("recent")),
            ],
        )
        launch = self.event(
            "MissileTestLaunch",
            "Test launch of an intercontinental ballistic missile",
            row,
            "msl",
            REPORTED,
            [],
        )
        for earlier in (revocation, launch):
            self.art.add(self.account(self.act), tkg("claimsAfter"), ref(earlier))

    # Sections: a heading, then sentences

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
        # Every article first tells a few steps of treaty records, so the status derivation has work at scale.
        return [(self.record_heading, [self.record, self.record, self.record]), *chosen]

    def background_heading(self) -> None:
        self.art.heading(f"Background: The {self.treaty.short} Treaty")

    def signing(self) -> None:
        """When the treaty was signed, after what, and what it aimed at (told once per treaty)."""
        t = self.treaty
        if t.slug in self.world.signed:
            return self.reluctance()
        self.world.signed.add(t.slug)
        year = t.parts["signed"] = t.parts.get("opened") or self.rng.randint(1960, 2005)
        first, second = self.world.aims()
        row = self.art.bullet(
            f"[sig:Signed in {year} after [h:{self.world.historic_event()}]], the {t.short} aimed "
            f"to [aim1:{first}] and [aim2:{second}]."
        )
        words = self.art.text[slice(*row.offsets["h"])]
        turning_point = self.event("HistoricalEvent", words[0].upper() + words[1:], row, "h", REPORTED, [])
        self.event(
            "Signing",
            f"Signing of the {t.name}",
            row,
            "sig",
            REPORTED,
            [
                (tkg("treaty"), ref(self.iri(t))),
                (tkg("timeSpan"), ref(self.time(year))),
                (tkg("happenedAfter"), ref(turning_point)),
            ],
        )
        for number, aim in enumerate((first, second), 1):
            iri = f"{self.art.base}id/aim/{t.slug}-{number}"
            self.art.fact(
                iri,
                "TreatyAim",
                aim,
                [self.art.span(row, f"aim{number}")],
                [(tkg("about"), ref(self.iri(t)))],
            )
            self.art.add(self.iri(t), tkg("aim"), ref(iri))

    def reluctance(self) -> None:
        """A state's advantage at the time of signing and its reluctance: situations, not acts."""
        s = self.world.pick("state", avoid=(self.state,))
        row = self.art.bullet(
            f"[sit:[s:{s.name}], holding an advantage in conventional weaponry at the time], was "
            f"[rel:initially reluctant to embrace the pact]."
        )
        state = ref(self.declare(s, "State", row, "s"))
        when = (
            [(tkg("timeSpan"), ref(self.time(self.treaty.parts["signed"])))]
            if "signed" in self.treaty.parts
            else []
        )
        self.event(
            "Situation",
            f"{s.name} holds an advantage in conventional weaponry",
            row,
            "sit",
            REPORTED,
            [(tkg("agent"), state), (tkg("temporalQualifier"), string("at the time")), *when],
        )
        self.event(
            "Situation",
            f"{s.name} initially reluctant to embrace the {self.treaty.short}",
            row,
            "rel",
            REPORTED,
            [
                (tkg("agent"), state),
                (tkg("about"), ref(self.iri(self.treaty))),
                (tkg("temporalQualifier"), string("initially")),
            ],
        )

    def perspective_heading(self) -> None:
        self.art.heading(f"{self.state.name}’s Perspective on the {self.treaty.short}")

    def declaration(self) -> None:
        """The ministry declares the treaty "history" and states why."""
        p, t = self.state, self.treaty
        row = self.art.bullet(
            f"[dec:[b:{MINISTRY} of [bs:{p.name}]] declared [hist:the {t.short} “history,”]] "
            f"[st:stating that [c:the treaty did not align with {p.name}’s interests]]."
        )
        body, treaty = ref(self.body(self.ministry, row, "b", "bs")), ref(self.iri(t))
        history = self.proposition(f"The {t.short} is “history”", row, "hist", [(tkg("about"), treaty)])
        self.event(
            "Declaration",
            f"{self.ministry.name} declares the {t.short} “history”",
            row,
            "dec",
            REPORTED,
            [(tkg("speaker"), body), (tkg("target"), treaty), (tkg("content"), ref(history))],
        )
        misaligned = self.proposition(
            f"The {t.short} does not align with {p.name}’s interests",
            row,
            "c",
            [(tkg("about"), treaty), (tkg("about"), ref(self.iri(p)))],
        )
        self.event(
            "Assertion",
            f"{self.ministry.name} states the {t.short} does not serve {p.name}",
            row,
            "st",
            REPORTED,
            [(tkg("speaker"), body), (tkg("content"), ref(misaligned))],
        )

    def argument(self) -> None:
        """The ministry argues that the alliance's members bypassed the treaty (their act is only claimed)."""
        p, a, group = self.state, self.alliance, self.world.countries(self.alliance)
        row = self.art.bullet(
            f"[arg:[b:{MINISTRY} of [bs:{p.name}]] argued that [c:[nc:[g:[a:{a.short}] countries] had been "
            f"bypassing restrictions] as the alliance expanded]], rendering the pact irrelevant."
        )
        body = ref(self.body(self.ministry, row, "b", "bs"))
        self.declare(a, "Alliance", row, "a")
        countries = ref(self.declare(group, "AgentGroup", row, "g", [(tkg("about"), ref(self.iri(a)))]))
        bypassing = self.event(
            "NonCompliance",
            f"{group.name} bypass the {self.treaty.short}’s restrictions",
            row,
            "nc",
            ATTRIBUTED,
            [
                (tkg("accordingTo"), body),
                (tkg("agent"), countries),
                (tkg("treaty"), ref(self.iri(self.treaty))),
            ],
        )
        claim = self.proposition(
            f"{group.name} had been bypassing the {self.treaty.short}’s restrictions",
            row,
            "c",
            [(tkg("describes"), ref(bypassing))],
        )
        self.event(
            "Argument",
            f"{self.ministry.name} argues {group.name} bypassed restrictions",
            row,
            "arg",
            REPORTED,
            [(tkg("speaker"), body), (tkg("content"), ref(claim))],
        )

    def claims_heading(self) -> None:
        self.art.heading(f"{self.alliance.short}’s Claims and {self.state.name}’s Actions")

    def accusation(self) -> None:
        """The alliance accuses the state, citing two earlier acts as evidence (cited, so attributed)."""
        p, a, t = self.state, self.alliance, self.treaty
        suspended = self.rng.randint(1995, 2012)
        withdrew = suspended + self.rng.randint(2, 9)
        row = self.art.bullet(
            f"[acc:[a:{a.short}] accused {p.name} of [nc:non-compliance with the {t.short}]] for "
            f"years, pointing to [sus:{p.name}’s suspension of participation in {suspended}] and "
            f"[cw:complete withdrawal in {withdrew}]."
        )
        alliance, state, treaty = (
            ref(self.declare(a, "Alliance", row, "a")),
            ref(self.iri(p)),
            ref(self.iri(t)),
        )
        cited = [(tkg("accordingTo"), alliance), (tkg("agent"), state), (tkg("treaty"), treaty)]
        non_compliance = self.event(
            "NonCompliance",
            f"{p.name}’s non-compliance with the {t.short}",
            row,
            "nc",
            ATTRIBUTED,
            [*cited, (tkg("temporalQualifier"), string("for years"))],
        )
        claim = self.proposition(
            f"{p.name} has not complied with the {t.short} for years",
            row,
            "nc",
            [(tkg("describes"), ref(non_compliance))],
        )
        evidence = [
            self.event(
                "SuspensionOfParticipation",
                f"{p.name} suspends its participation in the {t.short} ({suspended})",
                row,
                "sus",
                ATTRIBUTED,
                [*cited, (tkg("timeSpan"), ref(self.time(suspended)))],
            ),
            self.event(
                "Withdrawal",
                f"{p.name}’s “complete withdrawal” from the {t.short} ({withdrew})",
                row,
                "cw",
                ATTRIBUTED,
                [*cited, (tkg("timeSpan"), ref(self.time(withdrew)))],
            ),
        ]
        self.event(
            "Accusation",
            f"{a.short} accuses {p.name} of non-compliance with the {t.short}",
            row,
            "acc",
            REPORTED,
            [
                (tkg("speaker"), alliance),
                (tkg("target"), state),
                (tkg("content"), ref(claim)),
                *((tkg("evidence"), ref(e)) for e in evidence),
            ],
        )

    def invasion(self) -> None:
        """An invasion, then a denunciation dated to the month or the day, ordered after it."""
        p, t = self.state, self.treaty
        (victim,) = self.world.states(1, avoid=(p,))
        year = self.rng.randint(2000, 2022)
        month, day = self.rng.randint(1, 12), self.rng.choice([None, self.rng.randint(1, 28)])
        when = (
            f"on {day} {calendar.month_name[month]} {year + 1}"
            if day
            else f"in {calendar.month_name[month]} {year + 1}"
        )
        row = self.art.bullet(
            f"{p.name}, after [inv:a full-scale invasion of [v:{victim.name}] in {year}], "
            f"[den:officially denounced the {t.short} {when}]."
        )
        target = ref(self.declare(victim, "State", row, "v"))
        invasion = self.event(
            "Invasion",
            f"{p.name}’s full-scale invasion of {victim.name} ({year})",
            row,
            "inv",
            REPORTED,
            [
                (tkg("agent"), ref(self.iri(p))),
                (tkg("target"), target),
                (tkg("place"), target),
                (tkg("timeSpan"), ref(self.time(year))),
            ],
        )
        self.event(
            "Denunciation",
            f"{p.name} officially denounces the {t.short} ({when[3:]})",
            row,
            "den",
            REPORTED,
            [
                (tkg("agent"), ref(self.iri(p))),
                (tkg("treaty"), ref(self.iri(t))),
                (tkg("timeSpan"), ref(self.time(year + 1, month, day))),
                (tkg("happenedAfter"), ref(invasion)),
            ],
        )

    def linkage(self) -> None:
        """A group links ratifying a treaty version to a troop withdrawal (both hypothetical); the state
        contests the linkage."""
        p, t = self.state, self.treaty
        leader, first, second = self.world.states(3, avoid=(p,))
        group, version = self.world.group(leader), self.world.version(t, self.rng.randint(1995, 2010))
        row = self.art.bullet(
            f"[lnk:[g:The [x:{leader.name}] and its allies] had linked [cond:[rat:ratification of "
            f"[tv:the adapted {version.parts['year']} {t.short}]] to [tw:{p.name}’s withdrawal of troops "
            f"from [s1:{first.name}] and [s2:{second.name}]]]], [con:a linkage {p.name} contested]."
        )
        self.declare(leader, "State", row, "x")
        allies = ref(
            self.declare(group, "AgentGroup", row, "g", [(tkg("includesAgent"), ref(self.iri(leader)))])
        )
        places = [
            (tkg("place"), ref(self.declare(s, "State", row, n))) for s, n in ((first, "s1"), (second, "s2"))
        ]
        adapted = ref(
            self.declare(
                version,
                "TreatyVersion",
                row,
                "tv",
                [
                    (tkg("versionOf"), ref(self.iri(t))),
                    (tkg("timeSpan"), ref(self.time(version.parts["year"]))),
                ],
            )
        )
        ratification = self.event(
            "Ratification",
            f"Ratification of the {version.short} (linked, hypothetical)",
            row,
            "rat",
            HYPOTHETICAL,
            [(tkg("treaty"), adapted)],
        )
        pullout = self.event(
            "TroopWithdrawal",
            f"{p.name}’s troop withdrawal (condition, hypothetical)",
            row,
            "tw",
            HYPOTHETICAL,
            [(tkg("agent"), ref(self.iri(p))), *places],
        )
        condition = self.proposition(
            f"Ratifying the {version.short} depends on {p.name} withdrawing its troops",
            row,
            "cond",
            [(tkg("describes"), ref(ratification)), (tkg("describes"), ref(pullout))],
        )
        linkage = self.event(
            "Linkage",
            f"{group.name} link ratifying the {version.short} to a troop withdrawal",
            row,
            "lnk",
            REPORTED,
            [
                (tkg("speaker"), allies),
                (tkg("content"), ref(condition)),
                (tkg("linkedAct"), ref(ratification)),
                (tkg("linkedCondition"), ref(pullout)),
            ],
        )
        disputed = self.proposition("The linkage is disputed", row, "con", [(tkg("about"), ref(linkage))])
        self.event(
            "Contestation",
            f"{p.name} contests the linkage",
            row,
            "con",
            REPORTED,
            [
                (tkg("speaker"), ref(self.iri(p))),
                (tkg("target"), ref(linkage)),
                (tkg("content"), ref(disputed)),
            ],
        )
