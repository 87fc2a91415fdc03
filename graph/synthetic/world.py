"""The invented world synthetic articles report on: fictional states, alliances, treaties and people."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

# Invented names only, so no synthetic statement can be mistaken for one about a real country or treaty.
_ROOTS = [
    "Ar",
    "Bel",
    "Cal",
    "Dor",
    "Esk",
    "Fen",
    "Gal",
    "Hal",
    "Isk",
    "Jor",
    "Kal",
    "Lor",
    "Mar",
    "Nor",
    "Ost",
    "Pal",
    "Quar",
    "Ros",
    "Sal",
    "Tor",
    "Ul",
    "Val",
    "Wes",
    "Yar",
    "Zel",
]
_MIDDLES = ["", "a", "e", "o", "an", "en", "or", "el", "ir"]
_ENDINGS = ["dia", "nia", "via", "ria", "stan", "mark", "ova", "eth"]
_REGIONS = [
    "Northern",
    "Southern",
    "Eastern",
    "Western",
    "Central",
    "Coastal",
    "Highland",
    "Riverine",
    "Polar",
    "Maritime",
    "Steppe",
]
_ALLIANCE_KINDS = [
    "Security Alliance",
    "Defence Pact",
    "Treaty Organization",
    "Defence League",
    "Security Council",
]
_TREATY_SUBJECTS = [
    "Conventional Armed Forces",
    "Intermediate-Range Missiles",
    "Open Skies",
    "Strategic Arms Reduction",
    "Nuclear Test Limitation",
    "Chemical Weapons Destruction",
    "Missile Defence Limits",
    "Naval Arms Limitation",
    "Border Force Reduction",
    "Space Weapons Restraint",
    "Cluster Munitions",
    "Military Transparency",
]
_AIMS = [
    "limit conventional arms",
    "prevent a rapid build-up of forces",
    "reduce the risk of surprise attack",
    "verify troop ceilings",
    "ban nuclear test explosions",
    "cap deployed launchers",
    "build mutual trust",
]
_FIRST = [
    "Aleks",
    "Brina",
    "Corin",
    "Daria",
    "Emil",
    "Fenna",
    "Goran",
    "Hedda",
    "Ivo",
    "Jana",
    "Kiril",
    "Lena",
    "Milos",
    "Nadia",
    "Oren",
    "Petra",
    "Radu",
    "Vesna",
]
_FAMILY_ENDINGS = ["ov", "enko", "ski", "dal", "escu", "ić"]
_PERIODS = ["Long Standoff", "Cold Peace", "Iron Détente", "Frozen Decade", "Great Rivalry"]
_HISTORIC = [
    "the fall of the {root} Wall",
    "the {root} Accords summit",
    "the collapse of the {root} Federation",
    "the end of the {root} Blockade",
]
_SHARE_NEW = {"state": 0.35, "alliance": 0.04, "treaty": 0.3, "period": 0.03}
_CAPS = {"state": 400, "alliance": 30, "treaty": None, "period": 40}
# Realistic histories of a state with a treaty, as the status derivation reads them: consent and entry into
# force, suspension, notice then withdrawal, a revoked ratification, provisional application, succession.
_HISTORIES = [
    [
        "Signing",
        "Ratification",
        "EntryIntoForceForState",
        "SuspensionOfParticipation",
        "Denunciation",
        "Withdrawal",
    ],
    ["Signing", "Ratification", "EntryIntoForceForState", "Denunciation", "Withdrawal"],
    ["Signing", "Acceptance", "EntryIntoForceForState"],
    ["Accession", "EntryIntoForceForState", "SuspensionOfParticipation"],
    ["Signing", "ProvisionalApplication", "Approval", "EntryIntoForceForState"],
    ["Signing", "Ratification", "RevocationOfRatification"],
    ["Succession", "SuspensionOfParticipation", "Denunciation", "Withdrawal"],
]
_NUMERALS = ["", " II", " III", " IV", " V", " VI", " VII", " VIII", " IX", " X"]
_SPENT = 64  # names drawn in a row that were all taken, after which a kind's name space counts as used up


def slugify(text: str) -> str:
    """A lower-case ASCII slug of a name (the IRI policy's readable, stable slugs)."""
    folded = text.replace("ć", "c").replace("é", "e").lower()
    return "-".join("".join(c if c.isalnum() else " " for c in folded).split())


def acronym(name: str) -> str:
    """Initials of a name's capitalised words, as treaties and alliances are abbreviated."""
    return "".join(word[0] for word in name.replace("-", " ").split() if word[0].isupper())


@dataclass
class History:
    """The dated acts one state performs on one treaty, told a step at a time by later articles."""

    start: date
    steps: list[tuple[str, date]]
    predecessor: Thing | None = None
    told: int = 0

    @property
    def done(self) -> bool:
        """Whether every step has been told."""
        return self.told >= len(self.steps)

    def peek(self) -> tuple[str, date]:
        """The next act's class and day."""
        return self.steps[self.told]

    def advance(self) -> None:
        """The next step has been told."""
        self.told += 1


@dataclass(eq=False)
class Thing:
    """An entity of the world; `declared` once an article has introduced it with its provenance."""

    kind: str
    slug: str
    name: str
    short: str = ""
    declared: bool = False
    parts: dict = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The entity's IRI relative to the base: id/<kind>/<slug>."""
        return f"id/{self.kind}/{self.slug}"


class World:
    """Deterministic pools of entities that grow as articles need more of them."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.names: set[str] = set()  # membership tests only, never iterated (iteration order would vary)
        self.pools: dict[str, list[Thing]] = {kind: [] for kind in _SHARE_NEW}
        self.bodies: dict[tuple[str, str], Thing] = {}
        self.spokespeople: dict[str, Thing] = {}
        self.versions: dict[str, Thing] = {}
        self.groups: dict[str, Thing] = {}
        self.relations: dict[tuple[str, str], Thing] = {}
        self.memberships: dict[tuple[str, str, int], Thing] = {}
        self.signed: set[str] = set()
        self.shared: set[str] = set()  # time spans and roles already declared (shared by all articles)
        self.last_act: dict[str, str] = {}  # treaty slug -> IRI path of the latest reported act on it
        self.histories: dict[tuple[str, str], History] = {}
        self.unfinished: list[tuple[Thing, Thing]] = []  # (state, treaty) pairs whose history goes on

    def pick(self, kind: str, avoid: tuple[Thing, ...] = ()) -> Thing:
        """An entity of `kind`: sometimes a new one, else one already in the world (not in `avoid`)."""
        pool, cap = self.pools[kind], _CAPS[kind]
        # States, alliances and periods saturate (the world has only so many); treaties keep coming, so a
        # bigger dataset is a longer registry rather than ever longer histories of the same treaties.
        share = _SHARE_NEW[kind] * (1 - len(pool) / cap if cap else 1)
        if len(pool) <= len(avoid) or self.rng.random() < share:
            return self._new(kind)
        while True:
            thing = self.rng.choice(pool)
            if thing not in avoid:
                return thing

    def history(self, state: Thing, treaty: Thing) -> History:
        """The history of `state` with `treaty`: a realistic sequence of dated acts, drawn the first time."""
        key = (state.slug, treaty.slug)
        if key not in self.histories:
            rng = self.rng
            year = treaty.parts.setdefault("opened", treaty.parts.get("signed") or rng.randint(1965, 2005))
            day = date(year, rng.randint(1, 12), rng.randint(1, 28)) + timedelta(days=rng.randint(0, 400))
            start, steps = day, []
            for cls in rng.choice(_HISTORIES):
                steps.append((cls, day))
                day += timedelta(days=rng.randint(20, 1500))
            predecessor = self.pick("state", avoid=(state,)) if steps[0][0] == "Succession" else None
            self.histories[key] = History(start, steps, predecessor)
            self.unfinished.append((state, treaty))
        return self.histories[key]

    def told(self, state: Thing, treaty: Thing) -> None:
        """The next step of the history of `state` with `treaty` has been told."""
        history = self.histories[state.slug, treaty.slug]
        history.advance()
        if history.done:
            self.unfinished.remove((state, treaty))

    def states(self, count: int, avoid: tuple[Thing, ...] = ()) -> list[Thing]:
        """`count` distinct states, none of them in `avoid`."""
        chosen: list[Thing] = []
        while len(chosen) < count:
            state = self.pick("state", avoid + tuple(chosen))
            chosen.append(state)
        return chosen

    def _new(self, kind: str) -> Thing:
        """A new entity with a name and a short name no other entity has."""
        for attempt in itertools.count():
            name, short = getattr(self, f"_name_{kind}")()
            spent = attempt >= _SPENT  # the names drawn keep being taken: the kind's name space is used up
            if name in self.names:
                if not spent:
                    continue
                # Treaties keep coming (a ten-million-triple registry outgrows the invented names): a later
                # namesake is told apart by its ordinal.
                name = next(f"{name} ({n})" for n in itertools.count(2) if f"{name} ({n})" not in self.names)
            # Like START II: a later treaty whose initials are taken gets the next numeral.
            numeral = next((n for n in _NUMERALS if not short or short + n not in self.names), None)
            if numeral is None and spent:
                numbers = itertools.count(len(_NUMERALS) + 1)
                numeral = next(f"-{n}" for n in numbers if short + f"-{n}" not in self.names)
            if numeral is not None:
                break
        short = short + numeral if short else ""
        self.names.update(n for n in (name, short) if n)
        thing = Thing(kind if kind != "alliance" else "organization", slugify(name), name, short)
        self.pools[kind].append(thing)
        return thing

    def _name_state(self) -> tuple[str, str]:
        rng = self.rng
        return rng.choice(_ROOTS) + rng.choice(_MIDDLES) + rng.choice(_ENDINGS), ""

    def _name_alliance(self) -> tuple[str, str]:
        name = f"{self.rng.choice(_REGIONS)} {self.rng.choice(_ALLIANCE_KINDS)}"
        return name, acronym(name)

    def _name_treaty(self) -> tuple[str, str]:
        place = self.rng.choice(_ROOTS) + self.rng.choice(_MIDDLES) + self.rng.choice(_ENDINGS)
        name = f"{place} Treaty on {self.rng.choice(_TREATY_SUBJECTS)}"
        return name, acronym(name)

    def _name_period(self) -> tuple[str, str]:
        return f"{self.rng.choice(_REGIONS)} {self.rng.choice(_PERIODS)}", ""

    def historic_event(self) -> str:
        """The words for a historical turning point of the invented world."""
        return self.rng.choice(_HISTORIC).format(root=self.rng.choice(_ROOTS) + self.rng.choice(_ENDINGS))

    def aims(self) -> list[str]:
        """Two distinct aims a treaty was concluded to serve."""
        return self.rng.sample(_AIMS, 2)

    def body(self, state: Thing, office: str) -> Thing:
        """The government body of `state` named by `office` ("Ministry of Foreign Affairs", ...)."""
        key = (state.slug, office)
        if key not in self.bodies:
            name = f"{office} of {state.name}"
            self.bodies[key] = Thing("organization", slugify(name), name, parts={"state": state})
        return self.bodies[key]

    def spokesperson(self, body: Thing) -> Thing:
        """The post of spokesperson of `body`, held by an invented person."""
        if body.slug not in self.spokespeople:
            person_name = (
                f"{self.rng.choice(_FIRST)} {self.rng.choice(_ROOTS)}{self.rng.choice(_FAMILY_ENDINGS)}"
            )
            person = Thing("person", slugify(person_name) + f"-{len(self.spokespeople) + 1}", person_name)
            name = f"{body.name} spokesperson"
            self.spokespeople[body.slug] = Thing(
                "post", slugify(name), name, parts={"body": body, "person": person}
            )
        return self.spokespeople[body.slug]

    def version(self, treaty: Thing, year: int) -> Thing:
        """The adapted version of `treaty` (one per treaty), adopted in `year` when first asked for."""
        if treaty.slug not in self.versions:
            name = f"Adapted {treaty.short} Treaty"
            self.versions[treaty.slug] = Thing(
                "treaty",
                f"adapted-{treaty.slug}",
                name,
                f"adapted {treaty.short}",
                parts={"treaty": treaty, "year": year},
            )
        return self.versions[treaty.slug]

    def group(self, leader: Thing) -> Thing:
        """The informal group "<leader> and its allies"."""
        if leader.slug not in self.groups:
            name = f"{leader.name} and its allies"
            self.groups[leader.slug] = Thing("group", slugify(name), name, parts={"leader": leader})
        return self.groups[leader.slug]

    def countries(self, alliance: Thing) -> Thing:
        """The informal group "<alliance> countries"."""
        key = "countries:" + alliance.slug
        if key not in self.groups:
            name = f"{alliance.short} countries"
            self.groups[key] = Thing("group", slugify(name), name, parts={"alliance": alliance})
        return self.groups[key]

    def relation(self, first: Thing, second: Thing) -> Thing:
        """The bilateral relation of two states (one node whichever way round they are named)."""
        one, two = sorted((first, second), key=lambda state: state.slug)
        key = (one.slug, two.slug)
        if key not in self.relations:
            self.relations[key] = Thing(
                "relation",
                f"{one.slug}-{two.slug}",
                f"{one.name}–{two.name} relations",
                parts={"parties": (one, two)},
            )
        return self.relations[key]

    def membership(self, state: Thing, alliance: Thing, year: int) -> Thing | None:
        """The membership of `state` in `alliance` during `year`, or None if an article already stated it."""
        key = (state.slug, alliance.slug, year)
        if key in self.memberships:
            return None
        name = f"membership of {state.name} in {alliance.short} ({year})"
        thing = Thing(
            "membership",
            f"{state.slug}-in-{alliance.slug}-{year}",
            name,
            parts={"state": state, "alliance": alliance, "year": year},
        )
        self.memberships[key] = thing
        return thing
