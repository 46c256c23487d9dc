"""Periods: the stretch of time a digest or lägesbild covers, in the municipality's time.

A period is a half-open range of local time [start, end) with a key that names it
(`2026-10`, `2026-T3`, `2026-W46`, `2026-11-09+14d`, `2026`, or a day `2026-11-22` for a
daily digest). Keys are what a sent digest is recorded by, so they depend only on the
local calendar: the change to or from summer time never makes two keys for one period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.kinds import DigestKind

# Fortnights run from Monday 2024-01-01 in steps of 14 days, so every second Monday.
FORTNIGHT_ANCHOR = date(2024, 1, 1)
TERTIAL_FIRST_MONTH = {1: 1, 2: 5, 3: 9}

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_TERTIAL = re.compile(r"^(\d{4})-T([123])$", re.IGNORECASE)
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(\+14d)?$", re.IGNORECASE)

# What people type after /lagesbild, in Swedish and English.
KIND_WORDS = {
    "dag": DigestKind.DAILY, "day": DigestKind.DAILY, "daily": DigestKind.DAILY,
    "vecka": DigestKind.WEEK, "week": DigestKind.WEEK,
    "14d": DigestKind.FORTNIGHT, "14": DigestKind.FORTNIGHT, "fortnight": DigestKind.FORTNIGHT,
    "manad": DigestKind.MONTHLY, "månad": DigestKind.MONTHLY, "month": DigestKind.MONTHLY,
    "monthly": DigestKind.MONTHLY,
    "tertial": DigestKind.TERTIAL,
    "ar": DigestKind.YEARLY, "år": DigestKind.YEARLY, "year": DigestKind.YEARLY,
    "yearly": DigestKind.YEARLY,
}  # fmt: skip


@dataclass(frozen=True)
class Period:
    """A stretch of local time covered by one digest."""

    kind: DigestKind
    start: datetime  # local, aware
    end: datetime  # local, aware, exclusive
    key: str
    partial: bool = False  # a period still running: it ends now, not at its end

    @property
    def start_utc(self) -> datetime:
        return self.start.astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        return self.end.astimezone(UTC)

    @property
    def days(self) -> float:
        """The length in days (a day of summer-time change counts 23 or 25 hours)."""
        return (self.end_utc - self.start_utc).total_seconds() / 86400

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(microseconds=1)).date()

    def previous(self) -> Period:
        """The period of the same kind just before (a month before a month, …)."""
        if self.kind is DigestKind.DAILY:
            return _span(self.kind, self.start - timedelta(days=1), self.start)
        if self.partial:  # month-to-date against as many days just before
            length = self.end.replace(tzinfo=None) - self.start.replace(tzinfo=None)
            return replace(self, start=self.start - length, end=self.start, key=f"{self.key}-")
        return period_containing(self.kind, self.start.date() - timedelta(days=1), self.tz)

    def year_before(self) -> Period:
        """The same period a year earlier (52 weeks earlier for weeks and fortnights, so
        that weekdays line up)."""
        if self.kind in (DigestKind.WEEK, DigestKind.FORTNIGHT, DigestKind.DAILY):
            weeks = timedelta(weeks=52)
            return _span(self.kind, self.start - weeks, self.end - weeks)
        first = self.start.date()
        earlier = period_containing(self.kind, first.replace(year=first.year - 1), self.tz)
        if self.partial:  # compare month-to-date with the same days a year ago
            cut = earlier.start + (self.end.replace(tzinfo=None) - self.start.replace(tzinfo=None))
            return replace(earlier, end=min(cut, earlier.end), partial=True)
        return earlier

    @property
    def tz(self) -> ZoneInfo:
        assert isinstance(self.start.tzinfo, ZoneInfo)
        return self.start.tzinfo

    def up_to(self, now: datetime) -> Period:
        """The period cut at `now` if it is still running."""
        local = now.astimezone(self.tz)
        return replace(self, end=local, partial=True) if local < self.end else self


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def _span(kind: DigestKind, start: datetime, end: datetime) -> Period:
    if kind is DigestKind.DAILY:  # named by the day it ends on: a digest sent that morning
        key = (end - timedelta(microseconds=1)).date().isoformat()
    elif kind is DigestKind.WEEK:
        year, week, _ = start.date().isocalendar()
        key = f"{year}-W{week:02d}"
    else:
        key = f"{start.date().isoformat()}+14d"
    return Period(kind, start, end, key)


def period_containing(kind: DigestKind, day: date, tz: ZoneInfo) -> Period:
    """The period of a kind that contains a local day (a daily one ends the next midnight)."""
    if kind is DigestKind.DAILY:
        return _span(kind, _midnight(day, tz), _midnight(day + timedelta(days=1), tz))
    if kind is DigestKind.WEEK:
        monday = day - timedelta(days=day.weekday())
        return _span(kind, _midnight(monday, tz), _midnight(monday + timedelta(days=7), tz))
    if kind is DigestKind.FORTNIGHT:
        first = day - timedelta(days=(day - FORTNIGHT_ANCHOR).days % 14)
        return _span(kind, _midnight(first, tz), _midnight(first + timedelta(days=14), tz))
    if kind is DigestKind.MONTHLY:
        first = day.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
        return Period(kind, _midnight(first, tz), _midnight(after, tz), f"{first:%Y-%m}")
    if kind is DigestKind.TERTIAL:
        number = (day.month - 1) // 4 + 1
        first = date(day.year, TERTIAL_FIRST_MONTH[number], 1)
        after = date(day.year + 1, 1, 1) if number == 3 else date(day.year, first.month + 4, 1)
        return Period(kind, _midnight(first, tz), _midnight(after, tz), f"{day.year}-T{number}")
    first = date(day.year, 1, 1)
    return Period(
        kind, _midnight(first, tz), _midnight(date(day.year + 1, 1, 1), tz), str(day.year)
    )


def latest_complete(kind: DigestKind, now: datetime, tz: ZoneInfo) -> Period:
    """The last period of a kind that has ended by `now` (for daily: the 24 hours up to now)."""
    local = now.astimezone(tz)
    if kind is DigestKind.DAILY:
        return _span(kind, local - timedelta(days=1), local)
    return period_containing(kind, local.date(), tz).previous()


def parse_period(text: str, kind: DigestKind | None, now: datetime, tz: ZoneInfo) -> Period:
    """A period from what a person typed: a kind word (`manad`: the last complete month)
    or a period's name (`2026-10`, `2026-T3`, `2026-W46`, `2026`, `2026-11-09` with a kind).

    A period still running is cut at `now`. Raises ValueError for anything else.
    """
    text = text.strip().lower()
    if not text:
        return latest_complete(kind or DigestKind.FORTNIGHT, now, tz)
    if text in KIND_WORDS:
        return latest_complete(KIND_WORDS[text], now, tz)
    named = _named_period(text, kind, tz)
    if named is None:
        raise ValueError(f"not a period: {text!r}")
    if named.start > now.astimezone(tz):
        raise ValueError(f"period {named.key} has not begun")
    return named.up_to(now)


def _named_period(text: str, kind: DigestKind | None, tz: ZoneInfo) -> Period | None:
    try:
        if match := _MONTH.match(text):
            return period_containing(DigestKind.MONTHLY, date(int(match[1]), int(match[2]), 1), tz)
        if match := _TERTIAL.match(text):
            first = TERTIAL_FIRST_MONTH[int(match[2])]
            return period_containing(DigestKind.TERTIAL, date(int(match[1]), first, 1), tz)
        if match := _WEEK.match(text):
            monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
            return period_containing(DigestKind.WEEK, monday, tz)
        if match := _YEAR.match(text):
            return period_containing(DigestKind.YEARLY, date(int(match[1]), 1, 1), tz)
        if match := _DAY.match(text):
            day = date(int(match[1]), int(match[2]), int(match[3]))
            if match[4]:  # a fortnight's own key, "2026-11-02+14d"
                kind = DigestKind.FORTNIGHT
            if kind is None or kind is DigestKind.DAILY:
                return latest_complete(DigestKind.DAILY, _midnight(day, tz) + timedelta(1), tz)
            return period_containing(kind, day, tz)
    except ValueError:
        return None
    return None
