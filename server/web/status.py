"""/status: a state's status towards a treaty as JSON, and the status strip the state, treaty and timeline
pages draw (templates/_status.html)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, abort, jsonify, request

from treatykg.core.errors import InputError
from treatykg.core.iris import TKG
from treatykg.graph.query.status import Row, history, resolve, status_on
from treatykg.server.web import lookup

bp = Blueprint("status", __name__)

# The strip's drawing: its width, the height of a row, where the bars start (after the row's label).
STRIP_WIDTH, STRIP_ROW, STRIP_LEFT = 1000, 22, 0


def _rows(text: str) -> list[Row]:
    """A Runner for the status queries: the engine's workers."""
    return list(lookup.select_text(text))


@bp.route("/status")
def status():
    """`?state=NAME|IRI&treaty=NAME|IRI[&on=YYYY-MM-DD]`: the status on the day, or the whole history."""
    try:
        state = resolve(_required("state"), "State")
        treaty = resolve(_required("treaty"), "Treaty")
        on = request.args.get("on")
        day = datetime.date.fromisoformat(on) if on else None
    except InputError as error:
        abort(400, str(error))
    except ValueError:
        abort(400, f"on: not a day (YYYY-MM-DD): {request.args.get('on')!r}")
    try:
        answer = status_on(_rows, state, treaty, day) if day else history(_rows, state, treaty)
    except lookup.LookupFailed as error:
        abort(error.status, str(error))
    return jsonify(answer.to_json())


def _required(name: str) -> str:
    value = request.args.get(name, "").strip()
    if not value:
        raise InputError(f"the parameter {name} is required (a name, an alias or an IRI)")
    return value


@dataclass
class Bar:
    """One interval of a strip: where it starts and ends on the axis, its status and its words."""

    iri: str
    status: str
    title: str
    start: datetime.date | None
    end: datetime.date | None
    x: float = 0.0
    width: float = 0.0


@dataclass
class StripRow:
    """The history of one (state, treaty) as bars."""

    label: str
    state: str
    treaty: str
    bars: list[Bar] = field(default_factory=list)


def _day(row: Row, *names: str) -> datetime.date | None:
    """The first bound among `names` the row has, as a day."""
    for name in names:
        if name in row:
            return datetime.date.fromisoformat(row[name].value[:10])
    return None


def strip(iri: str | None) -> dict | None:
    """The status strip of a state's or treaty's page (None: the timeline's, every pair): rows and axis."""
    bindings = {"node": ox.NamedNode(iri)} if iri else {}
    rows = lookup.select("status-strip", bindings)
    pairs: dict[tuple[str, str], StripRow] = {}
    seen: set[str] = set()
    for row in rows:
        if row["interval"].value in seen:
            continue
        seen.add(row["interval"].value)
        state, treaty = row["state"].value, row["treaty"].value
        label = f"{_label(row, 'state')} — {_label(row, 'treaty')}"
        pair = pairs.setdefault((state, treaty), StripRow(label, state, treaty))
        title = row["label"].value if "label" in row else row["statusLabel"].value
        pair.bars.append(
            Bar(
                row["interval"].value,
                row["status"].value.removeprefix(TKG),
                title,
                _day(row, "startLatest", "startEarliest"),
                _day(row, "endEarliest", "endLatest"),
            )
        )
    if not pairs:
        return None
    days = [day for pair in pairs.values() for bar in pair.bars for day in (bar.start, bar.end) if day]
    first = datetime.date(min(days).year - 1, 1, 1) if days else datetime.date(1990, 1, 1)
    last = datetime.date(max(days).year + 2, 1, 1) if days else datetime.date(2030, 1, 1)
    scale = STRIP_WIDTH / (last - first).days
    ordered = sorted(pairs.values(), key=lambda pair: pair.label)
    for pair in ordered:
        pair.bars.sort(key=lambda bar: bar.start or datetime.date.min)
        for bar in pair.bars:
            start, end = bar.start or first, bar.end or last
            bar.x = STRIP_LEFT + (start - first).days * scale
            bar.width = max((end - start).days * scale, 2.0)
    years = list(range(first.year, last.year + 1, 5 if last.year - first.year > 20 else 1))
    ticks = [(year, (datetime.date(year, 1, 1) - first).days * scale) for year in years]
    return {"rows": ordered, "width": STRIP_WIDTH, "row": STRIP_ROW, "ticks": ticks}


def _label(row: Row, name: str) -> str:
    label = row.get(f"{name}Label")
    return label.value if label is not None else row[name].value.rsplit("/", 1)[-1]
