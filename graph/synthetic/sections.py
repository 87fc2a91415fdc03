"""The later sections of a synthetic article: a relic of its period, a crisis in relations, the alliance."""

from __future__ import annotations

import calendar

from treatykg.graph.synthetic.article import ref
from treatykg.graph.synthetic.facts import ATTRIBUTED, BOILERPLATE, MINISTRY, PRESIDENCY, REPORTED, tkg
from treatykg.graph.synthetic.record import TreatyRecord


class LaterSections(TreatyRecord):
    """Sentences that follow the main act's background, perspective and claims."""

    def relic_heading(self) -> None:
        """A stating heading: the treaty as a relic of a period (a situation, the article's voice)."""
        period = self.world.pick("period")
        self.period = period
        row = self.art.heading(f"[h:{self.treaty.short} Treaty: A Relic of the [per:{period.name}]]")
        about = ref(self.declare(period, "HistoricalPeriod", row, "per"))
        self.event(
            "Situation",
            f"The {self.treaty.short} as a relic of the {period.name}",
            row,
            "h",
            REPORTED,
            [(tkg("about"), ref(self.iri(self.treaty))), (tkg("about"), about)],
        )

    def obsolete(self) -> None:
        """The ministry argues the treaty no longer serves its purpose."""
        t, period = self.treaty, self.period
        row = self.art.bullet(
            f"[arg:The [b:{MINISTRY} of [bs:{self.state.name}]] argued that [c:the {t.short} "
            f"Treaty, conceived at the end of the {period.name}, no longer served its purpose]]."
        )
        body = ref(self.body(self.ministry, row, "b", "bs"))
        claim = self.proposition(
            f"The {t.short} no longer serves its purpose",
            row,
            "c",
            [(tkg("about"), ref(self.iri(t))), (tkg("about"), ref(self.iri(period)))],
        )
        self.event(
            "Argument",
            f"{self.ministry.name} argues the {t.short} no longer serves its purpose",
            row,
            "arg",
            REPORTED,
            [(tkg("speaker"), body), (tkg("content"), ref(claim))],
        )

    def failure_to_ratify(self) -> None:
        """The ministry notes that a group failed to ratify the treaty's version (claimed, so attributed)."""
        t = self.treaty
        (leader,) = self.world.states(1, avoid=(self.state,))
        group, version = self.world.group(leader), self.world.version(t, self.rng.randint(1995, 2010))
        row = self.art.bullet(
            f"[nt:They noted that [ftr:[g:the [x:{leader.name}] and its allies] failed to ratify "
            f"[tv:an updated version of the accord]] in {version.parts['year']}], further "
            f"diminishing the treaty’s relevance."
        )
        self.declare(leader, "State", row, "x")
        allies = ref(
            self.declare(group, "AgentGroup", row, "g", [(tkg("includesAgent"), ref(self.iri(leader)))])
        )
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
        body = ref(self.iri(self.ministry))
        failure = self.event(
            "FailureToRatify",
            f"{group.name} fail to ratify the {version.short}",
            row,
            "ftr",
            ATTRIBUTED,
            [(tkg("accordingTo"), body), (tkg("agent"), allies), (tkg("treaty"), adapted)],
        )
        claim = self.proposition(
            f"{group.name} failed to ratify the {version.short}",
            row,
            "ftr",
            [(tkg("describes"), ref(failure))],
        )
        self.event(
            "Assertion",
            f"{self.ministry.name} notes the failure to ratify the {version.short}",
            row,
            "nt",
            REPORTED,
            [(tkg("speaker"), body), (tkg("content"), ref(claim))],
        )

    def crisis_heading(self) -> None:
        """A heading that states a crisis in the relations of two states."""
        (self.other,) = self.world.states(1, avoid=(self.state,))
        relation = self.world.relation(self.other, self.state)
        row = self.art.heading(f"[h:[rel:[o:{self.other.name}]–{self.state.name} Relations] in Crisis]")
        self.declare(self.other, "State", row, "o")
        self.relation = ref(
            self.declare(
                relation,
                "BilateralRelation",
                row,
                "rel",
                [(tkg("party"), ref(self.iri(s))) for s in relation.parts["parties"]],
            )
        )
        self.event(
            "Situation", f"{relation.name} in crisis", row, "h", REPORTED, [(tkg("about"), self.relation)]
        )

    def characterization(self) -> None:
        """A spokesperson (a post in the presidential office) characterises the relations and blames a war."""
        p = self.state
        office = self.world.body(p, PRESIDENCY)
        post = self.world.spokesperson(office)
        (war_place,) = self.world.states(1, avoid=(p,))
        row = self.art.bullet(
            f"[chr:[pp:[pn:{post.parts['person'].name}], spokesperson of the [b:{PRESIDENCY} of "
            f"[bs:{p.name}]]], characterized [bz:relations with {self.other.name} as “below zero,”]] "
            f"[emph:emphasizing [c:the deepening crisis triggered by [war:the war in "
            f"[v:{war_place.name}]]]]."
        )
        body = self.body(office, row, "b", "bs")
        person = ref(self.declare(post.parts["person"], "Person", row, "pn"))
        self.declare(
            post,
            "Post",
            row,
            "pp",
            [
                (tkg("postIn"), ref(body)),
                (tkg("heldBy"), person),
                (tkg("role"), ref(self.role("spokesperson", "spokesperson"))),
            ],
        )
        place = ref(self.declare(war_place, "State", row, "v"))
        war = self.event(
            "ArmedConflict",
            f"War in {war_place.name}",
            row,
            "war",
            ATTRIBUTED,
            [(tkg("accordingTo"), person), (tkg("place"), place)],
        )
        below_zero = self.proposition(
            f"Relations with {self.other.name} are “below zero”", row, "bz", [(tkg("about"), self.relation)]
        )
        self.event(
            "Characterization",
            f"{post.parts['person'].name} characterizes relations as “below zero”",
            row,
            "chr",
            REPORTED,
            [(tkg("speaker"), person), (tkg("target"), self.relation), (tkg("content"), ref(below_zero))],
        )
        crisis = self.proposition(
            "The crisis is deepening, triggered by a war",
            row,
            "c",
            [(tkg("describes"), ref(war)), (tkg("about"), self.relation)],
        )
        self.event(
            "Assertion",
            f"{post.parts['person'].name} emphasizes the deepening crisis",
            row,
            "emph",
            REPORTED,
            [(tkg("speaker"), person), (tkg("content"), ref(crisis))],
        )

    def condemnation(self) -> None:
        """The alliance condemns the main act and says what it undermined."""
        a, p = self.alliance, self.state
        row = self.art.bullet(
            f"[cnd:[a:{a.short}] condemned [cw:{p.name}’s {self.treaty.short} {self.act_word}]], "
            f"[as:asserting that [c:it undermined regional security]]."
        )
        alliance, act = ref(self.declare(a, "Alliance", row, "a")), ref(self.act)
        condemnable = self.proposition(
            f"{p.name}’s {self.act_word} deserves condemnation", row, "cw", [(tkg("about"), act)]
        )
        self.event(
            "Condemnation",
            f"{a.short} condemns {p.name}’s {self.act_word}",
            row,
            "cnd",
            REPORTED,
            [(tkg("speaker"), alliance), (tkg("target"), act), (tkg("content"), ref(condemnable))],
        )
        undermined = self.proposition(
            f"{p.name}’s {self.act_word} undermined regional security", row, "c", [(tkg("about"), act)]
        )
        self.event(
            "Assertion",
            f"{a.short} asserts the {self.act_word} undermined security",
            row,
            "as",
            REPORTED,
            [(tkg("speaker"), alliance), (tkg("content"), ref(undermined))],
        )

    def members_heading(self) -> None:
        self.art.heading(f"{self.alliance.short} and Its Members")

    def membership(self) -> None:
        """A state's membership of the alliance in a year (an n-ary ORG membership) and an enlargement."""
        a = self.alliance
        member, admitted = self.world.states(2)
        year = self.rng.randint(1950, 2023)
        membership = self.world.membership(member, a, year)
        if membership is None:
            return self.missile_test()
        row = self.art.bullet(
            f"[m:[s:{member.name}] was a member of [a:{a.short}] in {year}], the year "
            f"[enl:the alliance admitted [s2:{admitted.name}]]."
        )
        alliance = ref(self.declare(a, "Alliance", row, "a"))
        state = ref(self.declare(member, "State", row, "s"))
        joined = ref(self.declare(admitted, "State", row, "s2"))
        when = ref(self.time(year))
        self.art.fact(
            self.iri(membership),
            "Membership",
            membership.name,
            [self.art.span(row, "m")],
            [
                (tkg("member"), state),
                (tkg("organization"), alliance),
                (tkg("memberDuring"), when),
                (tkg("role"), ref(self.role("member-state", "member state"))),
            ],
        )
        self.event(
            "AllianceEnlargement",
            f"{a.short} admits {admitted.name} ({year})",
            row,
            "enl",
            REPORTED,
            [(tkg("agent"), alliance), (tkg("about"), joined), (tkg("timeSpan"), when)],
        )

    def missile_test(self) -> None:
        """A missile test dated to the day, on the state's own territory."""
        p = self.state
        year, month, day = self.rng.randint(2000, 2024), self.rng.randint(1, 12), self.rng.randint(1, 28)
        row = self.art.bullet(
            f"[msl:On {day} {calendar.month_name[month]} {year}, [p:{p.name}] test-launched an "
            f"intercontinental ballistic missile from its own territory]."
        )
        state = ref(self.declare(p, "State", row, "p"))
        self.event(
            "MissileTestLaunch",
            f"{p.name} test-launches a missile ({day} {calendar.month_name[month]} {year})",
            row,
            "msl",
            REPORTED,
            [
                (tkg("agent"), state),
                (tkg("place"), state),
                (tkg("timeSpan"), ref(self.time(year, month, day))),
            ],
        )

    def close(self) -> None:
        """The page's closing navigation line (boilerplate: no fact is drawn from it)."""
        self.art.boilerplate(self.rng.choice(BOILERPLATE))
