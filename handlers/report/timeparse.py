"""Reading a typed time ("21:30", "igår 22:15", "2026-11-20 18:00") in local time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_DAY_WORDS = {
    "idag": 0, "i dag": 0, "today": 0,
    "igår": 1, "i går": 1, "igar": 1, "i gar": 1, "yesterday": 1,
    "i förrgår": 2, "förrgår": 2, "iförrgår": 2, "day before yesterday": 2,
}  # fmt: skip
_WEEKDAYS = {
    "måndag": 0, "mån": 0, "monday": 0, "mon": 0,
    "tisdag": 1, "tis": 1, "tuesday": 1, "tue": 1,
    "onsdag": 2, "ons": 2, "wednesday": 2, "wed": 2,
    "torsdag": 3, "tors": 3, "thursday": 3, "thu": 3,
    "fredag": 4, "fre": 4, "friday": 4, "fri": 4,
    "lördag": 5, "lör": 5, "saturday": 5, "sat": 5,
    "söndag": 6, "sön": 6, "sunday": 6, "sun": 6,
}  # fmt: skip
_MONTHS = {
    "jan": 1, "januari": 1, "january": 1, "feb": 2, "februari": 2, "february": 2,
    "mar": 3, "mars": 3, "march": 3, "apr": 4, "april": 4, "maj": 5, "may": 5,
    "jun": 6, "juni": 6, "june": 6, "jul": 7, "juli": 7, "july": 7,
    "aug": 8, "augusti": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oktober": 10, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}  # fmt: skip

_TIME = r"(?:kl\.?\s*|at\s+)?(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?"
_ISO = re.compile(rf"^(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})(?:[ t]+{_TIME})?$")
_DAY_MONTH = re.compile(rf"^(?P<d>\d{{1,2}})[/.](?P<m>\d{{1,2}})\.?(?:\s+{_TIME})?$")
_DAY_MONTHNAME = re.compile(rf"^(?P<d>\d{{1,2}})\s+(?P<mon>[a-zåäö]+)\.?(?:\s+{_TIME})?$")
_WORD_TIME = re.compile(rf"^(?P<word>[a-zåäö ]+?)(?:\s+{_TIME})?$")
_ONLY_TIME = re.compile(rf"^{_TIME}$")


def parse_when(
    text: str, *, now: datetime, tz: ZoneInfo, default_day: str | None = None
) -> datetime | None:
    """The moment a person meant, as an aware datetime in `tz`, or None if unreadable.

    A bare time means its latest occurrence not in the future (21:30 typed in the morning is
    last night), unless `default_day` ("today"/"yesterday") was chosen with a button first.
    The caller refuses moments in the future.
    """
    clean = " ".join(text.casefold().replace(",", " ").split())
    local_now = now.astimezone(tz)
    today = local_now.date()
    if match := _ONLY_TIME.match(clean):
        clock = _clock(match)
        if clock is None:
            return None
        if default_day is not None:
            return _at(today - timedelta(days=1 if default_day == "yesterday" else 0), clock, tz)
        candidate = _at(today, clock, tz)
        if candidate.astimezone(UTC) <= now.astimezone(UTC):  # instants, not wall clocks
            return candidate
        return _at(today - timedelta(days=1), clock, tz)
    if match := _ISO.match(clean):
        return _dated(int(match["y"]), int(match["m"]), int(match["d"]), match, tz)
    if match := _DAY_MONTH.match(clean):
        return _dated(
            _year_for(int(match["m"]), int(match["d"]), today),
            int(match["m"]),
            int(match["d"]),
            match,
            tz,
        )
    if (match := _DAY_MONTHNAME.match(clean)) and match["mon"] in _MONTHS:
        month, day = _MONTHS[match["mon"]], int(match["d"])
        return _dated(_year_for(month, day, today), month, day, match, tz)
    if match := _WORD_TIME.match(clean):
        word = match["word"].strip()
        day_back = _days_back(word, today)
        if day_back is None:
            return None
        clock = _clock(match) if match["hour"] else time(12, 0)
        if clock is None:
            return None
        moment = _at(today - timedelta(days=day_back), clock, tz)
        if word not in _DAY_WORDS and moment.astimezone(UTC) > now.astimezone(
            UTC
        ):  # "måndag 22:00" on a Monday: last week's
            moment = _at(today - timedelta(days=day_back + 7), clock, tz)
        return moment
    return None


def _clock(match: re.Match[str]) -> time | None:
    if match["hour"] is None:
        return time(12, 0)
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if hour == 24 and minute == 0:
        hour = 0
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """A wall-clock time on a day; one that the spring change skips becomes the hour after."""
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC).astimezone(tz)


def _dated(year: int, month: int, day: int, match: re.Match[str], tz: ZoneInfo) -> datetime | None:
    clock = _clock(match)
    try:
        return None if clock is None else _at(date(year, month, day), clock, tz)
    except ValueError:
        return None


def _year_for(month: int, day: int, today: date) -> int:
    """A date without a year is the latest one not after today (in January, 28/12 is last year)."""
    try:
        return today.year if date(today.year, month, day) <= today else today.year - 1
    except ValueError:
        return today.year


def _days_back(word: str, today: date) -> int | None:
    if word in _DAY_WORDS:
        return _DAY_WORDS[word]
    word = word.removeprefix("i ").removeprefix("förra ").removeprefix("last ")
    if word.endswith("s") and word[:-1] in _WEEKDAYS:  # "i måndags"
        word = word[:-1]
    if word not in _WEEKDAYS:
        return None
    back = (today.weekday() - _WEEKDAYS[word]) % 7
    return back


TIME_WINDOWS: dict[str, tuple[int, int]] = {
    "night": (0, 6),
    "morning": (6, 10),
    "midday": (10, 14),
    "afternoon": (14, 18),
    "evening": (18, 22),
    "late": (22, 24),
}


def window_time(day: str, window: str, *, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The middle of a time window today or yesterday; capped at now for today's window."""
    if window not in TIME_WINDOWS:
        return None
    start, end = TIME_WINDOWS[window]
    local_now = now.astimezone(tz)
    base = local_now.date() - timedelta(days=1 if day == "yesterday" else 0)
    middle = datetime.combine(base, time(0, 0), tzinfo=tz) + timedelta(hours=(start + end) / 2)
    return min(middle, local_now)


def windows_open(day: str, *, now: datetime, tz: ZoneInfo) -> list[str]:
    """The windows one can choose: all of yesterday's, today's that have begun."""
    if day == "yesterday":
        return list(TIME_WINDOWS)
    hour = now.astimezone(tz).hour
    return [name for name, (start, _end) in TIME_WINDOWS.items() if start <= hour]
