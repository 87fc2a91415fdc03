"""/timeline: the events on a time axis, drawn server-side as SVG with the precision the sources give."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint

from treatykg.core.iris import TKG
from treatykg.server.web import lookup, status, vocab
from treatykg.server.web import pages as web

bp = Blueprint("timeline", __name__)

STATUS = {
    TKG + "ReportedBySource": "reported",
    TKG + "AttributedToSpeaker": "attributed",
    TKG + "Hypothetical": "hypothetical",
}
PRECISION = {
    "http://www.w3.org/2006/time#unitYear": "year",
    "http://www.w3.org/2006/time#unitMonth": "month",
    "http://www.w3.org/2006/time#unitDay": "day",
}

# Drawing: the axis's width (it fits the page), the height of a lane, where the axis starts.
AXIS_WIDTH = 1100
CHAR_PX = 6.7  # the average width of a label character at 13px, to place labels where they fit
LANE = 30
LEFT = 24
TOP = 44
NODE_W, NODE_H, COLUMN_GAP, ROW_GAP = 280, 62, 60, 16


@dataclass
class Event:
    """An event as the timeline and the entity pages show it."""

    iri: str
    label: str
    status: str = "reported"
    speakers: list[str] = field(default_factory=list)  # IRIs of the agents it is attributed to
    earliest: datetime.datetime | None = None
    latest: datetime.datetime | None = None
    precision: str | None = None
    time_label: str | None = None
    qualifier: str | None = None
    kinds: list[str] = field(default_factory=list)
    after: set[str] = field(default_factory=set)  # events this one happened after (transitively)
    before: set[str] = field(default_factory=set)
    lower: datetime.datetime | None = (
        None  # bounds an undated event inherits from dated ones it is ordered with
    )
    upper: datetime.datetime | None = None
    depth: int = 0

    @property
    def dated(self) -> bool:
        """Whether the sources give a time span."""
        return self.earliest is not None and self.latest is not None

    @property
    def when(self) -> str:
        """The time in words, never more precise than the source."""
        if self.dated:
            return self.time_label or f"{self.earliest:%Y-%m-%d} to {self.latest:%Y-%m-%d}"
        if self.lower and self.upper:
            return f"undated: after {self.lower:%Y}, before {self.upper:%Y}"
        if self.lower:
            return f"undated: after {self.lower:%Y}"
        if self.upper:
            return f"undated: before {self.upper:%Y}"
        return f"undated (“{self.qualifier}”)" if self.qualifier else "undated"

    def sort_key(self) -> tuple:
        """Date order; undated events by the bounds they inherit, then by the order the sources state."""
        anchor = (
            self.earliest
            or self.lower
            or (self.upper - datetime.timedelta(seconds=1) if self.upper else None)
        )
        return (
            anchor is None,
            anchor or datetime.datetime.max.replace(tzinfo=datetime.UTC),
            self.depth,
            self.label.casefold(),
        )


def _time(literal) -> datetime.datetime | None:
    """An xsd:dateTime literal as an aware datetime."""
    if literal is None:
        return None
    try:
        value = datetime.datetime.fromisoformat(literal.value)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def _closure(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """Transitive closure of a relation given as adjacency sets."""
    closed = {}
    for start in edges:
        seen, pending = set(), list(edges[start])
        while pending:
            node = pending.pop()
            if node not in seen:
                seen.add(node)
                pending.extend(edges.get(node, ()))
        closed[start] = seen
    return closed


def _build() -> dict[str, Event]:
    """Every event of the graph with its time, status and the order relations, bounds inherited."""
    labels = vocab.vocabulary()
    events: dict[str, Event] = {}
    for row in lookup.select("timeline-events", limit=1_000_000):
        iri = row["event"].value
        event = events.setdefault(iri, Event(iri, row["label"].value if "label" in row else web.curie(iri)))
        event.status = STATUS.get(row["status"].value, "reported")
        if "speaker" in row and row["speaker"].value not in event.speakers:
            event.speakers.append(row["speaker"].value)
        event.earliest = event.earliest or _time(row.get("earliest"))
        event.latest = event.latest or _time(row.get("latest"))
        if "precision" in row:
            event.precision = PRECISION.get(row["precision"].value, web.curie(row["precision"].value))
        event.time_label = event.time_label or (row["timeLabel"].value if "timeLabel" in row else None)
        event.qualifier = event.qualifier or (row["qualifier"].value if "qualifier" in row else None)
        if "class" in row:
            kind = labels.label(row["class"].value) or web.curie(row["class"].value)
            if kind not in event.kinds:
                event.kinds.append(kind)
    direct_after: dict[str, set[str]] = defaultdict(set)
    for row in lookup.select("timeline-order", limit=1_000_000):
        later, earlier = row["later"].value, row["earlier"].value
        if later in events and earlier in events and later != earlier:
            direct_after[later].add(earlier)
    after = _closure(direct_after)
    for iri, earlier_ones in after.items():
        events[iri].after = earlier_ones
        for other in earlier_ones:
            events[other].before.add(iri)
    for event in events.values():
        lows = [t for o in event.after if events[o].dated and (t := events[o].latest) is not None]
        highs = [t for o in event.before if events[o].dated and (t := events[o].earliest) is not None]
        if not event.dated:
            event.lower, event.upper = (max(lows) if lows else None), (min(highs) if highs else None)
    depths: dict[str, int] = {}
    for iri in events:
        _depth(iri, direct_after, depths, set())
    for iri, depth in depths.items():
        events[iri].depth = depth
    return events


def _depth(iri: str, direct_after: dict[str, set[str]], depths: dict[str, int], visiting: set[str]) -> int:
    """The length of the longest stated chain of events before this one (a cycle counts once)."""
    if iri in depths:
        return depths[iri]
    if iri in visiting:
        return 0
    visiting.add(iri)
    depth = max((_depth(o, direct_after, depths, visiting) + 1 for o in direct_after.get(iri, ())), default=0)
    visiting.discard(iri)
    depths[iri] = depth
    return depth


def events() -> dict[str, Event]:
    """The events of the current store version."""
    return vocab.per_version("timeline", _build)


def ordered(iris) -> list[Event]:
    """The events among `iris`, in date order."""
    known = events()
    return sorted((known[iri] for iri in iris if iri in known), key=Event.sort_key)


def _x(moment: datetime.datetime, start_year: int, year_px: float) -> float:
    """The x position of a moment on the axis."""
    year_start = datetime.datetime(moment.year, 1, 1, tzinfo=datetime.UTC)
    year_length = (datetime.datetime(moment.year + 1, 1, 1, tzinfo=datetime.UTC) - year_start).total_seconds()
    fraction = (moment - year_start).total_seconds() / year_length
    return LEFT + (moment.year - start_year + fraction) * year_px


@dataclass
class Bar:
    """One lane of the axis: an event drawn over the time it may have happened in."""

    event: Event
    x: float
    width: float
    y: float
    open_left: bool = False
    open_right: bool = False
    label_x: float = 0.0
    anchor: str = "start"


@dataclass
class Node:
    """An undated event placed only by the order the sources state."""

    event: Event
    x: float
    y: float


def layout(all_events: dict[str, Event]) -> dict:
    """Positions for the axis (dated and bounded events) and the diagram of the undated but ordered ones."""
    placed = sorted((e for e in all_events.values() if e.dated or e.lower or e.upper), key=Event.sort_key)
    moments = [m for e in placed for m in (e.earliest, e.latest, e.lower, e.upper) if m]
    start_year = min((m.year for m in moments), default=2000) - 2
    end_year = max((m.year for m in moments), default=2000) + 2
    width = AXIS_WIDTH
    year_px = (width - 2 * LEFT) / (end_year - start_year + 1)
    bars = []
    for lane, event in enumerate(placed):
        y = TOP + lane * LANE
        earliest, latest = event.earliest, event.latest
        if earliest is not None and latest is not None:  # event.dated, as the type checker sees it
            x0 = _x(earliest, start_year, year_px)
            x1 = _x(latest + datetime.timedelta(seconds=1), start_year, year_px)
            bar = Bar(event, x0, max(x1 - x0, 2.0), y)
        else:
            # Undated but ordered after or before a dated event: an open bar up to the bound it inherits.
            x0 = _x(event.lower, start_year, year_px) if event.lower else LEFT
            x1 = _x(event.upper, start_year, year_px) if event.upper else width - LEFT
            bar = Bar(
                event, x0, max(x1 - x0, 2.0), y, open_left=event.lower is None, open_right=event.upper is None
            )
        right_room = width - (bar.x + bar.width)
        text_px = CHAR_PX * (len(event.label) + len(event.when) + (40 if event.status != "reported" else 3))
        if right_room > text_px or right_room > bar.x:
            bar.label_x, bar.anchor = bar.x + bar.width + 6, "start"
        else:
            bar.label_x, bar.anchor = bar.x - 6, "end"
        bars.append(bar)
    axis_height = TOP + max(len(bars), 1) * LANE + 10
    years = [(year, LEFT + (year - start_year) * year_px) for year in range(start_year, end_year + 1)]
    ordered_only = [
        e for e in all_events.values() if not (e.dated or e.lower or e.upper) and (e.after or e.before)
    ]
    columns: dict[int, list[Event]] = defaultdict(list)
    for event in sorted(ordered_only, key=Event.sort_key):
        columns[event.depth].append(event)
    nodes = {
        event.iri: Node(event, LEFT + depth * (NODE_W + COLUMN_GAP), 30 + row * (NODE_H + ROW_GAP))
        for depth, column in sorted(columns.items())
        for row, event in enumerate(column)
    }
    # Arrows only for the stated order, not the transitively implied one: each event to its next successors.
    arrows = []
    for node in nodes.values():
        for later_iri in node.event.before:
            later = nodes.get(later_iri)
            if later and later.event.depth == node.event.depth + 1:
                arrows.append((node.x + NODE_W, node.y + NODE_H / 2, later.x, later.y + NODE_H / 2))
    order_height = 40 + max((len(c) for c in columns.values()), default=0) * (NODE_H + ROW_GAP)
    order_width = LEFT * 2 + max(len(columns), 1) * (NODE_W + COLUMN_GAP)
    unordered = sorted(
        (e for e in all_events.values() if not (e.dated or e.lower or e.upper or e.after or e.before)),
        key=Event.sort_key,
    )
    return {
        "bars": bars,
        "years": years,
        "width": width,
        "height": axis_height,
        "nodes": list(nodes.values()),
        "arrows": arrows,
        "order_width": order_width,
        "order_height": order_height,
        "unordered": unordered,
        "node_w": NODE_W,
        "node_h": NODE_H,
    }


def speaker_labels(all_events: dict[str, Event]) -> dict[str, str]:
    """Labels for every speaker an event is attributed to."""
    speakers = lookup.iris(ox.NamedNode(s) for e in all_events.values() for s in e.speakers)
    rows = lookup.select("labels", {"node": speakers}) if speakers else []
    return {row["node"].value: row["label"].value for row in rows}


@bp.route("/timeline")
def timeline():
    """The timeline page."""
    try:
        all_events = events()
        speakers = vocab.per_version("timeline-speakers", lambda: speaker_labels(all_events))
        strip = status.strip(None)
    except lookup.LookupFailed as error:
        return web.error_page(error.status, "The timeline could not be drawn", str(error))
    return web.page(
        "timeline.html",
        layout=layout(all_events),
        speakers=speakers,
        count=len(all_events),
        status_strip=strip,
    )
