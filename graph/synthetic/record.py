"""A treaty's record in a synthetic article: the dated acts that change a state's status towards it."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from treatykg.graph.synthetic.article import Row, ref
from treatykg.graph.synthetic.facts import ATTRIBUTED, MINISTRY, REPORTED, Facts, tkg
from treatykg.graph.synthetic.world import Thing

# The words of each status-changing act, "{p}" the state and "{t}" the treaty, before the date.
ACT_WORDS = {
    "Signing": "[p:{p}] signed the {t}",
    "Ratification": "[p:{p}] ratified the {t}",
    "Acceptance": "[p:{p}] accepted the {t}",
    "Approval": "[p:{p}] approved the {t}",
    "Accession": "[p:{p}] acceded to the {t}",
    "ProvisionalApplication": "[p:{p}] began applying the {t} provisionally",
    "EntryIntoForceForState": "the {t} entered into force for [p:{p}]",
    "SuspensionOfParticipation": "[p:{p}] suspended its participation in the {t}",
    "Denunciation": "[p:{p}] gave notice of its denunciation of the {t}",
    "Withdrawal": "[p:{p}]’s withdrawal from the {t} took effect",
    "RevocationOfRatification": "[p:{p}] revoked its ratification of the {t}",
    "Succession": "[p:{p}] succeeded [pr:{pr}] as a party to the {t}",
}
LABELS = {
    "Signing": "{p} signs the {t}",
    "Ratification": "{p} ratifies the {t}",
    "Acceptance": "{p} accepts the {t}",
    "Approval": "{p} approves the {t}",
    "Accession": "{p} accedes to the {t}",
    "ProvisionalApplication": "{p} applies the {t} provisionally",
    "EntryIntoForceForState": "The {t} enters into force for {p}",
    "SuspensionOfParticipation": "{p} suspends its participation in the {t}",
    "Denunciation": "{p} denounces the {t}",
    "Withdrawal": "{p}’s withdrawal from the {t} takes effect",
    "RevocationOfRatification": "{p} revokes its ratification of the {t}",
    "Succession": "{p} succeeds {pr} to the {t}",
}


class TreatyRecord(Facts):
    """Sentences that date the acts of one (state, treaty) history, a step per sentence, across articles."""

    def record_heading(self) -> None:
        self.art.heading("Treaty Records")

    def record(self) -> None:
        """The next act of a state's history with a treaty, at day, month or year precision; now and then
        only a claim another state's ministry makes (attributed), which does not advance the history."""
        # Mostly the next step of a history already begun, so histories run their course; a new one is not
        # the lead's state's, whose undated act would leave every date of that history indeterminate.
        begun, draw = self.world.unfinished, self.rng.random()
        if draw < 0.08:  # now and then a group acts instead, as NATO's Allies suspended the CFE's operation
            return self.group_suspension()
        if begun and draw < 0.6:
            state, treaty = self.rng.choice(begun)
        else:
            state, treaty = self.world.pick("state", avoid=(self.state,)), self.world.pick("treaty")
        history = self.world.history(state, treaty)
        if history.done:
            return self.group_suspension()
        cls, when = history.peek()
        attributed = self.rng.random() < 0.1
        predecessor = history.predecessor
        words = ACT_WORDS[cls].format(
            p=state.name, t=f"[t:{treaty.short}]", pr=predecessor.name if predecessor else ""
        )
        dated, time = self._date(when)
        if attributed:
            (speaker,) = self.world.states(1, avoid=(state, *([predecessor] if predecessor else [])))
            body = self.world.body(speaker, MINISTRY)
            row = self.art.bullet(
                f"[act:{words[0].upper()}{words[1:]} {dated}], according to "
                f"[b:the {MINISTRY} of [bs:{speaker.name}]]."
            )
            told = [(tkg("accordingTo"), ref(self.body(body, row, "b", "bs")))]
        else:
            row = self.art.bullet(f"[act:{words[0].upper()}{words[1:]} {dated}].")
            told = []
            self.world.told(state, treaty)
        props = [
            (tkg("agent"), ref(self.declare(state, "State", row, "p"))),
            (tkg("treaty"), ref(self._treaty(treaty, row))),
        ]
        if predecessor is not None and cls == "Succession":
            props.append((tkg("predecessor"), ref(self.declare(predecessor, "State", row, "pr"))))
        label = LABELS[cls].format(p=state.name, t=treaty.short, pr=predecessor.name if predecessor else "")
        self.event(
            cls,
            label,
            row,
            "act",
            ATTRIBUTED if attributed else REPORTED,
            [*props, *told, (tkg("timeSpan"), ref(time))],
        )

    def group_suspension(self) -> None:
        """A group suspends the treaty's operation, naming some of its members (only they change status)."""
        treaty = self.treaty
        leader, first, second = self.world.states(3, avoid=(self.state,))
        group = self.world.group(leader)
        start = self.world.history(leader, treaty).start  # after the leader's own history with it began
        dated, time = self._date(start + timedelta(days=self.rng.randint(1000, 6000)))
        row = self.art.bullet(
            f"[act:[g:The [x:{leader.name}] and its allies], among them [m1:{first.name}] and "
            f"[m2:{second.name}], suspended the operation of the [t:{treaty.short}] {dated}]."
        )
        self.declare(leader, "State", row, "x")
        allies = self.declare(group, "AgentGroup", row, "g", [(tkg("includesAgent"), ref(self.iri(leader)))])
        members = [
            (tkg("actingMember"), ref(self.declare(state, "State", row, name)))
            for state, name in ((first, "m1"), (second, "m2"))
        ]
        self.event(
            "SuspensionOfOperation",
            f"{group.name} suspend the operation of the {treaty.short}",
            row,
            "act",
            REPORTED,
            [
                (tkg("agent"), ref(allies)),
                (tkg("treaty"), ref(self._treaty(treaty, row))),
                *members,
                (tkg("timeSpan"), ref(time)),
            ],
        )

    def _treaty(self, treaty: Thing, row: Row) -> str:
        """The treaty's IRI, declared (anchored to its short name) if no article named it yet."""
        return self.declare(treaty, "Treaty", row, "t")

    def _date(self, day: date) -> tuple[str, str]:
        """The words for a day at a random precision (day, month or year) and the time span they give."""
        precision = self.rng.random()
        if precision < 0.5:
            return f"on {day.day} {calendar.month_name[day.month]} {day.year}", self.time(
                day.year, day.month, day.day
            )
        if precision < 0.8:
            return f"in {calendar.month_name[day.month]} {day.year}", self.time(day.year, day.month)
        return f"in {day.year}", self.time(day.year)
