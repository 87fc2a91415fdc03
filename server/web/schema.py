"""schema.org JSON-LD for an entity page, for search engines (a data block: CSP does not execute it)."""

from __future__ import annotations

from typing import Any

from treatykg.core.iris import TKG
from treatykg.server.web.entity import Entity
from treatykg.server.web.timeline import Event

# The closest schema.org type for each of the project's classes; anything else is a Thing.
SCHEMA_TYPES = {
    "State": "Country",
    "Alliance": "Organization",
    "IntergovernmentalOrganization": "Organization",
    "Organization": "Organization",
    "GovernmentBody": "GovernmentOrganization",
    "AgentGroup": "Organization",
    "Person": "Person",
    "Treaty": "Legislation",
    "TreatyVersion": "Legislation",
    "NewsArticle": "NewsArticle",
    "Sentence": "Quotation",
    "Heading": "Quotation",
    "TextSpan": "Quotation",
    "Boilerplate": "Quotation",
    "Proposition": "Claim",
    "Post": "Role",
    "Role": "Role",
    "HistoricalPeriod": "Thing",
    "TimeSpan": "Thing",
}
EVENT = "Event"
WIKIDATA = "http://www.wikidata.org/entity/"


def _schema_type(found: Entity) -> str:
    """The schema.org type: from the asserted class, events being schema:Event whatever their kind."""
    if found.this.status:
        return EVENT
    for link in found.asserted_types + found.inferred_types:
        name = link.term.value.removeprefix(TKG)
        if name in SCHEMA_TYPES:
            return SCHEMA_TYPES[name]
    return "Thing"


def _date(moment, precision: str | None) -> str:
    """An ISO 8601 date no more precise than the source: 2007, 2023-05, 2023-05-01."""
    if precision == "year":
        return f"{moment:%Y}"
    if precision == "month":
        return f"{moment:%Y-%m}"
    return f"{moment:%Y-%m-%d}"


def describe(found: Entity, url: str, event: Event | None = None) -> dict[str, Any]:
    """The JSON-LD object: @id is the canonical IRI, url the page."""
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": _schema_type(found),
        "@id": found.this.term.value,
        "name": found.this.label,
        "url": url,
    }
    if found.alt_labels:
        document["alternateName"] = found.alt_labels
    if found.definitions:
        document["description"] = found.definitions[0]
    same = sorted(
        value.link.term.value
        for group in found.groups
        for value in group.values
        if value.link.term.value.startswith(WIKIDATA) and group.direction == "out"
    )
    if same:
        document["sameAs"] = sorted(set(same))
    if found.quotes:
        document["citation"] = [quote.exact for quote in found.quotes]
    if event is not None and event.dated:
        document["startDate"] = _date(event.earliest, event.precision)
        document["endDate"] = _date(event.latest, event.precision)
    return document
