"""Time as a source gives it (a year, a month, a day, or an interval of them) turned into inclusive UTC
bounds at that precision, and the check that the source's words give those digits."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime

PRECISIONS = {1: "unitYear", 2: "unitMonth", 3: "unitDay"}
MONTHS = [name for name in calendar.month_name if name]
_GIVEN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class TimeError(ValueError):
    """A time that is not a date, or an interval that ends before it starts."""


@dataclass(frozen=True)
class GivenTime:
    """One date as written (`1990`, `2023-05`, `2023-11-07`): its parts and its inclusive bounds."""

    text: str
    year: int
    month: int | None
    day: int | None

    @property
    def earliest(self) -> datetime:
        """The first second the date covers (UTC)."""
        return datetime(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> datetime:
        """The last second the date covers (UTC)."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return datetime(self.year, month, day, 23, 59, 59)

    @property
    def parts(self) -> int:
        """1 year, 2 month, 3 day precision."""
        return 1 + (self.month is not None) + (self.day is not None)

    def label(self) -> str:
        """In words: `1990`, `May 2023`, `7 November 2023`."""
        if self.month is None:
            return str(self.year)
        month = MONTHS[self.month - 1]
        return f"{month} {self.year}" if self.day is None else f"{self.day} {month} {self.year}"


@dataclass(frozen=True)
class TimeWindow:
    """A time span as given: one date or an interval `A/B`; bounds inclusive, precision the coarser."""

    start: GivenTime
    end: GivenTime

    @property
    def earliest(self) -> datetime:
        """Lower bound."""
        return self.start.earliest

    @property
    def latest(self) -> datetime:
        """Upper bound."""
        return self.end.latest

    @property
    def precision(self) -> str:
        """The OWL-Time unit (local name) of the coarser end."""
        return PRECISIONS[min(self.start.parts, self.end.parts)]

    @property
    def slug(self) -> str:
        """The IRI slug: `2023-05`, or `1990--1992` for an interval."""
        return self.start.text if self.start == self.end else f"{self.start.text}--{self.end.text}"

    def label(self) -> str:
        """In words."""
        same = self.start == self.end
        return self.start.label() if same else f"{self.start.label()} to {self.end.label()}"

    def overlaps(self, other: TimeWindow) -> bool:
        """Whether the two windows share an instant."""
        return self.earliest <= other.latest and other.earliest <= self.latest

    def dates(self) -> tuple[GivenTime, ...]:
        """The given dates (one, or both ends)."""
        return (self.start,) if self.start == self.end else (self.start, self.end)


def parse_date(text: str) -> GivenTime:
    """A date as written; TimeError for a malformed or impossible one (2023-02-30, 2023-13)."""
    match = _GIVEN.match(text)
    if match is None:
        raise TimeError(f"time {text!r} is not a year, month or day (YYYY, YYYY-MM or YYYY-MM-DD)")
    year = int(match.group(1))
    month, day = (int(part) if part else None for part in match.groups()[1:])
    if month is not None and not 1 <= month <= 12:
        raise TimeError(f"time {text!r} is impossible: there is no month {month}")
    if day is not None and month is not None:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise TimeError(f"time {text!r} is impossible: {MONTHS[month - 1]} {year} has {last} days")
    return GivenTime(text, year, month, day)


def parse_time(text: str) -> TimeWindow:
    """A time as written: one date, or `A/B`; TimeError for an impossible date or a reversed interval."""
    if "/" in text:
        first, _, second = text.partition("/")
        window = TimeWindow(parse_date(first.strip()), parse_date(second.strip()))
        if window.start.earliest > window.end.latest:
            raise TimeError(f"time {text!r} is reversed: {first.strip()} is after {second.strip()}")
        return window
    date = parse_date(text.strip())
    return TimeWindow(date, date)


def missing_in_words(window: TimeWindow, words: str) -> list[str]:
    """The parts of the time the words do not give: each year as a whole number, each month by its English
    name (or its first three letters) or as YYYY-MM, each day as a whole number (with or without a zero)."""
    missing: list[str] = []
    for date in window.dates():
        if not _number_in(str(date.year), words):
            missing.append(f"the year {date.year}")
        if date.month is not None:
            name = MONTHS[date.month - 1]
            named = re.search(rf"\b{name[:3]}", words) is not None
            if not named and f"{date.year}-{date.month:02d}" not in words:
                missing.append(f"the month {name}")
        if date.day is not None and not (
            _number_in(str(date.day), words) or _number_in(f"{date.day:02d}", words)
        ):
            missing.append(f"the day {date.day}")
    return missing


def _number_in(number: str, words: str) -> bool:
    """Whether `number` occurs as a whole number (not inside a longer run of digits)."""
    return re.search(rf"(?<!\d){number}(?!\d)", words) is not None
