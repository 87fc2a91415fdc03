"""The ontology terms the compiler emits for a sheet's words, and the readable slugs and labels it mints."""

from __future__ import annotations

import re

from treatykg.graph.sources.timespec import TimeWindow

SOURCE_CLASSES = {"news": "NewsArticle", "statement": "OfficialStatement", "note": "CuratedNote"}
TABLE_CLASSES = {
    "sentence": "Sentence",
    "bullet": "Sentence",
    "heading": "Heading",
    "boilerplate": "Boilerplate",
}

# The verb of an act's minted slug and label: `2023-05-russia-denounces-cfe`, "Russia denounces CFE".
VERBS = {
    "Signing": "signs",
    "Ratification": "ratifies",
    "Acceptance": "accepts",
    "Approval": "approves",
    "Accession": "accedes to",
    "Succession": "succeeds to",
    "ProvisionalApplication": "provisionally applies",
    "EntryIntoForceForState": "is bound by",
    "Denunciation": "denounces",
    "Withdrawal": "withdraws from",
    "SuspensionOfParticipation": "suspends participation in",
    "SuspensionOfOperation": "suspends the operation of",
    "CessationOfParticipation": "halts participation in",
    "RevocationOfRatification": "revokes ratification of",
    "FailureToRatify": "fails to ratify",
    "NonCompliance": "does not comply with",
    "Accusation": "accuses",
    "Argument": "argues",
    "Assertion": "asserts",
    "Characterization": "characterizes",
    "Condemnation": "condemns",
    "Contestation": "contests",
    "Declaration": "declares",
    "Linkage": "links",
    "Invasion": "invades",
}


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def class_words(cls: str) -> str:
    """A class's local name in words: `EntryIntoForce` -> `entry into force`."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", cls).lower()


def _last(iri: str | None) -> str | None:
    """The slug an IRI ends with."""
    return iri.rstrip("/").rsplit("/", 1)[-1] if iri else None


def act_slug(key: str, cls: str, window: TimeWindow | None, agent: str | None, target: str | None) -> str:
    """The slug of a new act: time as given, agent, verb, object (`2023-05-russia-denounces-cfe`); an act
    without agent, verb or object is named by time and the statement's key (`1990-cfe-signing`)."""
    parts = [window.slug if window else None]
    if agent is not None and target is not None and cls in VERBS:
        parts += [_last(agent), slugify(VERBS[cls]), _last(target)]
    elif window is None or not key.startswith(window.slug):
        parts.append(key)
    else:
        parts = [key]
    return "-".join(part for part in parts if part)


def label_for(cls: str, agent: str | None, target: str | None, window: TimeWindow | None) -> str:
    """A label for a new act the sheet gives none: "Russia denounces Treaty … (May 2023)"."""
    if agent is not None and cls in VERBS:
        words = " ".join(part for part in (agent, VERBS[cls], target) if part)
    else:
        words = " ".join(
            part
            for part in (
                class_words(cls).capitalize(),
                f"of {target}" if target else None,
                f"by {agent}" if agent else None,
            )
            if part
        )
    return f"{words} ({window.label()})" if window else words
